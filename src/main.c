/*
 * clobtop: top for Polymarket's CLOB market-data feed.
 *
 * main wires the pieces together: options (options.c), the --demo child (demo.c), the
 * screen or headless mode, the loop (app.c), signals, and a shutdown that always
 * restores the terminal and never leaves clobsim behind.
 *
 * Main thread only.  Signal handlers only set a flag, except on a crash, where the
 * terminal is restored and the demo child told to stop before the signal is re-raised.
 */
#include "config.h"

#include <curl/curl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "demo.h"
#include "labels.h"
#include "options.h"
#include "sanitize.h"
#include "statefile.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Exits with EXIT_USAGE; atexit stops the demo child. */
static void die(const char *fmt, ...)
{
	ui_emergency_restore();
	va_list ap;
	va_start(ap, fmt);
	fputs("clobtop: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_USAGE);
}

static void on_quit(int sig)
{
	(void)sig;
	app_quit = 1;
}

static void on_fatal(int sig)
{
	ui_emergency_restore();
	demo_kill();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_quit};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction fa = {.sa_handler = on_fatal};
	sigemptyset(&fa.sa_mask);
	sigaction(SIGSEGV, &fa, NULL);
	sigaction(SIGBUS, &fa, NULL);
	sigaction(SIGABRT, &fa, NULL);
	sigaction(SIGFPE, &fa, NULL);
}

/* The dashboard's saved view (statefile.h): read before the screen starts, written after
 * it has gone, so a warning is printed where it can be read. */
struct saved_view {
	char path[PATH_MAX]; /* the state file, "" when there is nowhere to keep it */
	struct ui_view view; /* as read, then as left */
	int loaded;          /* statefile_load's answer */
	char warn[1024];     /* why a saved view was not used, "" when it was */
};

static void view_restore(struct saved_view *sv, struct ui *ui)
{
	if (statefile_path(sv->path, sizeof(sv->path)) != 0) {
		sv->path[0] = '\0';
		return;
	}
	char why[128], shown[256];
	sv->loaded = statefile_load(sv->path, &sv->view, sv->warn, sizeof(sv->warn));
	if (sv->loaded > 0 && ui_view_set(ui, &sv->view, why, sizeof(why)) != 0) {
		sanitize_text(shown, sizeof(shown), sv->path, strlen(sv->path));
		snprintf(sv->warn, sizeof(sv->warn), "ignoring the saved view in %s: %s", shown,
		         why);
	}
	if (sv->warn[0])
		ui_status(ui, "%s", sv->warn);
}

static void view_save(struct saved_view *sv)
{
	char err[PATH_MAX + 128];
	if (sv->warn[0])
		fprintf(stderr, "clobtop: warning: %s\n", sv->warn);
	if (sv->path[0] && statefile_save(sv->path, &sv->view, err, sizeof(err)) != 0)
		fprintf(stderr, "clobtop: warning: %s\n", err);
}

int main(int argc, char **argv)
{
	/* Characters only: numbers are parsed and printed the C way whatever the locale. */
	setlocale(LC_CTYPE, "");
	static struct options o;
	static struct app a;
	static struct saved_view sv;
	char err[1024];
	switch (options_parse(&o, argc, argv, stdout, err, sizeof(err))) {
	case OPTIONS_DONE:
		return EXIT_OK;
	case OPTIONS_ERROR:
		die("%s", err);
	case OPTIONS_RUN:
		break;
	}
	if (!o.headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		die("the dashboard needs a terminal; use --headless for scripts");
	install_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("libcurl failed to initialise");
	if (o.insecure)
		fprintf(stderr,
		        "clobtop: warning: --insecure: TLS certificates are NOT verified\n");
	if (o.demo) {
		struct demo_endpoints ep;
		if (demo_start(o.sim_path, &o.assets, &ep, &app_quit, err, sizeof(err)) != 0)
			die("%s", err);
		snprintf(a.url, sizeof(a.url), "%s", ep.url);
		snprintf(a.gamma_url, sizeof(a.gamma_url), "%s", ep.gamma_url);
	}
	if (app_open(&a, &o, err, sizeof(err)) != 0)
		die("%s", err);
	if (o.headless) {
		headless_init(&a);
	} else {
		struct ui_hooks hooks = {.command = app_command,
		                         .reconnect_conn = app_reconnect_conn,
		                         .export_now = app_export_hook,
		                         .lookup = labels_lookup_hook,
		                         .ctx = &a};
		if (!(a.ui = ui_create(&o.ui, &hooks, err, sizeof(err))))
			die("%s", err);
		view_restore(&sv, a.ui);
	}
	if (app_start_source(&a, err, sizeof(err)) != 0)
		die("%s", err);
	app_run(&a);
	if (a.ui)
		ui_view_get(a.ui, &sv.view);
	bool dashboard = a.ui != NULL;
	int status = app_close(&a);
	if (dashboard)
		view_save(&sv);
	demo_stop();
	options_free(&o);
	curl_global_cleanup();
	return status;
}
