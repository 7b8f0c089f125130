/*
 * app: the UI thread's loop and the source's life cycle (see app.h).
 * Main (UI) thread only.
 */
#include "app.h"
#include "app_user.h"
#include "discover.h"

#include "httpd.h"
#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app_redis.h"
#include "app_rest.h"
#include "curlcfg.h"
#include "evpack.h"
#include "market_conn.h"
#include <stdlib.h>
#include "labels.h"

volatile sig_atomic_t app_quit;

bool app_command(void *ctx, enum feed_op op, const char *ids)
{
	struct app *a = ctx;
	if (op == FEED_RECONNECT)
		app_user_retry(a);
	if (!a->pool)
		return false;
	if (op == FEED_SUB)
		a->labels_due = true; /* looked up after this wake-up, not at the next 30 s tick */
	return pool_command(a->pool, op, ids);
}

bool app_reconnect_conn(void *ctx, size_t conn)
{
	struct app *a = ctx;
	return a->pool && pool_reconnect(a->pool, conn);
}

/* Hands the model the transport's numbers (it knows neither the feed nor the ring). */
static void refresh_feed_stats(struct app *a)
{
	struct transport_stats t = a->m.transport;
	if (a->pool) {
		pool_totals(a->pool, &t.ring_drops, &t.ring_used, &t.ring_capacity, &t.oversize);
		market_set_transport_stats(&a->m, &t);
		return;
	}
	t.ring_drops = ring_dropped(a->data);
	t.ring_used = ring_used(a->data);
	t.ring_capacity = ring_capacity(a->data);
	market_set_transport_stats(&a->m, &t);
}

static struct export_options export_opts(const struct app *a)
{
	return (struct export_options){.depth = a->o->depth,
	                               .url = a->url,
	                               .now_mono_ns = clock_mono_ns(),
	                               .now_real_ns = clock_real_ns(),
	                               .handon = app_redis_export((struct app *)a)};
}

bool app_export(struct app *a, const char *path, char *msg, size_t cap)
{
	char written[PATH_MAX], err[512];
	refresh_feed_stats(a);
	struct export_options eo = export_opts(a);
	int rc = path ? export_snapshot(&a->m, &eo, path, err, sizeof(err))
	              : export_snapshot_dir(&a->m, &eo, a->o->export_dir, written, sizeof(written),
	                                    err, sizeof(err));
	if (rc != 0) {
		snprintf(msg, cap, "export failed: %s", err);
		market_alert(&a->m, ALERT_EXPORT, NULL, "export failed: %s", err);
		return false;
	}
	snprintf(msg, cap, "snapshot written to %s", path ? path : written);
	return true;
}

bool app_export_hook(void *ctx, char *msg, size_t cap)
{
	return app_export(ctx, NULL, msg, cap);
}

/* The HTTP query API: its own threads; it only ever sees what publish() hands it. */
static int app_listen(struct app *a, char *err, size_t errlen)
{
	struct httpd_config hc = {.listen = a->o->listen,
	                          .listen_remote = a->o->listen_remote,
	                          .max_publish_age_ns = 10 * NS_PER_S};
	char why[256];
	a->httpd = httpd_start(&hc, why, sizeof(why));
	if (!a->httpd) {
		snprintf(err, errlen, "--listen %s: %s", a->o->listen, why);
		return -1;
	}
	const char *colon = strrchr(a->o->listen, ':');
	fprintf(stderr, "clobtop: HTTP API on http://%.*s:%u/\n",
	        colon ? (int)(colon - a->o->listen) : 9, colon ? a->o->listen : "127.0.0.1",
	        (unsigned)httpd_port(a->httpd));
	return 0;
}

/* Hands the HTTP API this refresh's documents (a copy; it never reads the model). */
static void publish(struct app *a)
{
	if (!a->httpd)
		return;
	char err[256];
	struct export_options eo = export_opts(a);
	if (serve_publish(a->httpd, &a->m, &eo, err, sizeof(err)) != 0)
		market_alert(&a->m, ALERT_EXPORT, NULL, "HTTP API: %s", err);
}

int app_open(struct app *a, struct options *o, char *err, size_t errlen)
{
	a->o = o;
	if (!a->url[0])
		snprintf(a->url, sizeof(a->url), "%s", o->url);
	if (!a->gamma_url[0])
		snprintf(a->gamma_url, sizeof(a->gamma_url), "%s", o->gamma_url);
	/* A recording holds whatever it holds; live, only what we subscribed to counts. */
	o->mcfg.auto_add = o->replay != NULL;
	if (market_init(&a->m, &o->mcfg) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->data = ring_create(o->ring_size);
	a->cmd = ring_create(1 << 20);
	if (!a->data || !a->cmd) {
		snprintf(err, errlen, "cannot create the rings (%zu bytes): %s", o->ring_size,
		         strerror(errno));
		return -1;
	}
	if (o->insecure)
		market_alert(&a->m, ALERT_CONNECTION, NULL,
		             "--insecure: TLS certificates are NOT verified");
	if (o->listen && app_listen(a, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < o->assets.n; i++)
		if (!market_add(&a->m, o->assets.ids[i], o->assets.labels[i])) {
			snprintf(err, errlen, "cannot add asset %s", o->assets.ids[i]);
			return -1;
		}
	if (app_redis_open(a, err, errlen) != 0)
		return -1;
	if (o->record && !(a->rec = recorder_open(o->record, err, errlen)))
		return -1;
	if (app_user_open(a, err, errlen) != 0)
		return -1;
	if (!o->no_gamma && !o->replay) {
		char why[512];
		struct gamma_config gc;
		gamma_config_defaults(&gc);
		gc.base_url = a->gamma_url;
		gc.ca_file = o->ca_file;
		gc.insecure = o->insecure;
		gc.rate = (unsigned)o->disc.gamma_rate;
		a->gamma = gamma_start_config(&gc, why, sizeof(why));
		if (!a->gamma)
			fprintf(stderr, "clobtop: labels unavailable: %s\n", why);
		else if (discover_start(a) != 0)
			return snprintf(err, errlen, "out of memory"), -1;
		labels_request(a);
	}
	return 0;
}

int app_start_source(struct app *a, char *err, size_t errlen)
{
	const struct options *o = a->o;
	if (o->replay) {
		snprintf(a->url, sizeof(a->url), "file:%s", o->replay);
		market_set_source(&a->m, "replay", a->url, true);
		a->replay =
		    replay_start(o->replay, o->speed, o->feed.max_message, a->data, err, errlen);
		return a->replay ? 0 : -1;
	}
	if (!curlcfg_has_ws(err, errlen))
		return -1;
	market_set_source(&a->m, o->demo ? "demo" : "live", a->url, false);
	struct feed_config fc = o->feed;
	fc.url = a->url;
	fc.ca_file = o->ca_file;
	fc.insecure = o->insecure;
	fc.parse = true; /* each connection's thread parses its own frames */
	fc.keep_raw = a->rec != NULL;
	if (!(a->pool = calloc(1, sizeof(*a->pool)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pool_start(a->pool, &fc, (size_t)o->per_conn, o->ring_size, &a->m, err, errlen) != 0) {
		pool_stop(a->pool, app_apply, a);
		free(a->pool);
		a->pool = NULL;
		return -1;
	}
	market_set_cmd(&a->m, app_command, a); /* the model's own resyncs */
	return app_rest_start(a, err, errlen);
}

/* --record: a write failure stops the recording, raises an alert and fails the run.
 * The exact frame as it arrived: a raw one, or the copy a parsed one carries. */
static void record_frame(struct app *a, const struct ring_rec *rec)
{
	const void *frame = rec->data;
	size_t len = rec->len;
	struct evpack_info info;
	if (rec->kind == REC_EVENTS) {
		if (!evpack_read_info(rec->data, rec->len, &info) || !info.raw)
			return;
		frame = info.raw;
		len = info.raw_len;
	}
	if (recorder_write(a->rec, rec->t_real_ns, frame, len) == 0 || !recorder_error(a->rec)[0])
		return;
	snprintf(a->rec_error, sizeof(a->rec_error), "%s", recorder_error(a->rec));
	market_alert(&a->m, ALERT_INFO, NULL, "%s; recording stopped", a->rec_error);
	recorder_close(a->rec);
	a->rec = NULL;
}

/* Connection events the app itself needs: the end of a replay, a first connection. */
static void note_conn(struct app *a, const struct ring_rec *rec)
{
	const struct conn_event *ce = rec->data;
	if (rec->len < sizeof(*ce))
		return;
	if (ce->kind == CONN_STOPPED && a->replay)
		a->stopped = true;
	if (ce->kind == CONN_CONNECTED)
		a->connected_once = true;
}

void app_apply(void *ctx, size_t conn, const struct ring_rec *rec, int64_t now)
{
	struct app *a = ctx;
	if (a->rec && (rec->kind == REC_FRAME || rec->kind == REC_EVENTS))
		record_frame(a, rec);
	if (rec->kind == REC_CONN)
		note_conn(a, rec);
	market_apply_record_on(&a->m, rec, now, conn);
}

/* Applies records until the rings are empty (returns false) or, under a flood, until
 * until_mono has passed so the screen and keys get their turn (returns true: more wait).
 * The pool takes its rings in turn, a bounded number of records each. */
static bool drain(struct app *a, int64_t until_mono)
{
	if (a->pool)
		return pool_drain(a->pool, app_apply, a, until_mono);
	struct ring_rec rec;
	unsigned n = 0;
	/* The model reads the clock itself for the pipeline latency; this one only feeds the
	 * one-second rate windows, so it is refreshed every 64 records, not per record. */
	int64_t now = clock_mono_ns();
	while (ring_peek(a->data, &rec)) {
		app_apply(a, 0, &rec, now);
		ring_release(a->data);
		app_redis_record(a);
		if ((++n & 63) == 0) {
			now = clock_mono_ns();
			/* Keep the screen and keys alive under a flood. */
			if (now >= until_mono)
				return true;
		}
	}
	return false;
}

struct schedule {
	int64_t end;          /* --duration, or INT64_MAX */
	int64_t refresh;      /* render period, ns */
	int64_t export_every; /* ns, 0 = never */
	int64_t next_render, next_export, next_summary, next_labels;
};

static void write_metrics(struct app *a)
{
	if (a->o->metrics_file) {
		char err[512];
		struct export_options eo = export_opts(a);
		if (export_metrics(&a->m, &eo, a->o->metrics_file, err, sizeof(err)) != 0)
			market_alert(&a->m, ALERT_EXPORT, NULL, "metrics: %s", err);
	}
}

static void render(struct app *a, int64_t now)
{
	if (a->pool)
		pool_tick(a->pool, app_apply, a, now);
	refresh_feed_stats(a);
	app_user_tick(a, now);
	market_tick(&a->m, now);
	if (a->ui)
		ui_render(a->ui, &a->m, now, clock_real_ns());
	publish(a);
	write_metrics(a);
}

/* Whatever is due at now: render, summary line, periodic export, label lookups. */
static void timers(struct app *a, struct schedule *s, int64_t now)
{
	app_redis_tick(a, now);
	if (now >= s->next_render) {
		render(a, now);
		s->next_render += s->refresh;
		if (s->next_render <= now)
			s->next_render = now + s->refresh;
	}
	if (a->o->summary && now >= s->next_summary) {
		headless_summary(a, now);
		s->next_summary += NS_PER_S;
	}
	if (now >= s->next_export) {
		char msg[PATH_MAX + 64];
		app_export(a, NULL, msg, sizeof(msg));
		if (a->ui)
			ui_status(a->ui, "%s", msg);
		s->next_export += s->export_every;
	}
	discover_tick(a, now);
	if (now >= s->next_labels || a->labels_due) {
		/* Assets seen since start (new books, slugs, the 'a' prompt) get labels too. */
		labels_request(a);
		a->labels_due = false;
		if (now >= s->next_labels)
			s->next_labels = now + 30 * NS_PER_S;
	}
}

/* Sleeps until a source, key, command or Gamma answer arrives or wake passes; returns
 * false when the UI says quit. */
static bool wait_and_handle(struct app *a, int64_t wake, bool *backlog, int64_t render_at)
{
	struct pollfd p[4 + MARKET_CONN_MAX];
	int np = 0, in_idx = -1, g_idx = -1, nring = 1;
	p[np++] = (struct pollfd){.fd = ring_wake_fd(a->data), .events = POLLIN};
	if (a->pool) {
		int fds[MARKET_CONN_MAX];
		size_t n = pool_wake_fds(a->pool, fds, MARKET_CONN_MAX);
		for (size_t i = 0; i < n; i++)
			p[np++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		nring = np;
	}
	if (a->ui || a->in.open) {
		in_idx = np;
		p[np++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	}
	if (a->gamma) {
		g_idx = np;
		p[np++] = (struct pollfd){.fd = gamma_wake_fd(a->gamma), .events = POLLIN};
	}
	if (a->rest)
		p[np++] = (struct pollfd){.fd = app_rest_fd(a), .events = POLLIN};
	int64_t now = clock_mono_ns();
	int timeout = wake > now ? (int)((wake - now + NS_PER_MS - 1) / NS_PER_MS) : 0;
	/* The ring wakes us only on empty -> non-empty: with a backlog, never sleep. */
	int rc = poll(p, (nfds_t)np, *backlog ? 0 : timeout);
	if (rc < 0 && errno != EINTR) {
		market_alert(&a->m, ALERT_INFO, NULL, "poll: %s", strerror(errno));
		a->exit_code = EXIT_RUNTIME;
		return false;
	}
	if (rc > 0 && (p[0].revents & POLLIN))
		ring_wake_drain(a->data);
	for (int i = 1; rc > 0 && i < nring; i++)
		if (p[i].revents & POLLIN) {
			pool_wake_drain(a->pool);
			break;
		}
	*backlog = drain(a, render_at);
	app_rest_drain(a);
	/* The UI reads keys without blocking; calling it on every wake-up (a signal such as
	 * SIGWINCH included) makes resizes immediate. */
	if (a->ui) {
		if (!ui_handle_input(a->ui, &a->m))
			return false;
	} else if (in_idx >= 0 && rc > 0 && p[in_idx].revents) {
		headless_read(a);
	}
	if (g_idx >= 0 && rc > 0 && (p[g_idx].revents & POLLIN))
		labels_apply(a);
	return true;
}

void app_run(struct app *a)
{
	const struct options *o = a->o;
	const int64_t start = clock_mono_ns();
	struct schedule s = {
	    .end = o->duration_ms ? start + o->duration_ms * NS_PER_MS : INT64_MAX,
	    .refresh = (int64_t)o->ui.refresh_ms * NS_PER_MS,
	    .export_every = o->export_every_ms * NS_PER_MS,
	    .next_render = start,
	    .next_export = o->export_every_ms ? start + o->export_every_ms * NS_PER_MS : INT64_MAX,
	    .next_summary = start + NS_PER_S,
	    .next_labels = start + 5 * NS_PER_S,
	};
	bool backlog = false; /* records left in the ring by the last drain */
	while (!app_quit) {
		if (clock_mono_ns() >= s.end)
			break;
		int64_t wake = s.next_render < s.end ? s.next_render : s.end;
		if (o->summary && s.next_summary < wake)
			wake = s.next_summary;
		wake = app_redis_wake(a, wake);
		if (!wait_and_handle(a, wake, &backlog, s.next_render))
			break;
		timers(a, &s, clock_mono_ns());
		if (a->stopped && o->headless)
			break; /* the replay is over and everything in it is applied */
	}
}

/* Exit status and messages for what went wrong while running. */
static void report(struct app *a)
{
	const struct options *o = a->o;
	if (a->rec_error[0]) {
		fprintf(stderr, "clobtop: --record %s: %s\n", o->record, a->rec_error);
		a->exit_code = EXIT_RUNTIME;
	}
	if (a->rec && recorder_close(a->rec) != 0) {
		fprintf(stderr, "clobtop: --record %s: writing failed: %s\n", o->record,
		        strerror(errno));
		a->exit_code = EXIT_RUNTIME;
	}
	a->rec = NULL;
	/* Headless, a feed that never connected did nothing the caller asked for. */
	if (o->headless && !o->replay && !a->connected_once) {
		fprintf(stderr, "clobtop: never connected to %s%s%s\n", a->url,
		        a->m.conn.last_error[0] ? ": " : "", a->m.conn.last_error);
		a->exit_code = EXIT_RUNTIME;
	}
}

int app_close(struct app *a)
{
	/* Shut down in reverse: sources first, so the last records are applied. */
	refresh_feed_stats(a);
	if (a->pool) {
		/* Applies what each ring still holds, CONN_STOPPED included. */
		pool_stop(a->pool, app_apply, a);
		free(a->pool);
		a->pool = NULL; /* the model keeps the numbers of the last refresh */
	}
	app_user_stop(a);
	uint64_t skipped = 0, first_skipped = 0;
	if (a->replay) {
		skipped = replay_bad_lines(a->replay);
		first_skipped = replay_first_bad_line(a->replay);
		replay_stop(a->replay);
		a->replay = NULL;
	}
	if (skipped) {
		/* The books were rebuilt without those lines: say so, and in the exit status. */
		fprintf(stderr,
		        "clobtop: replay skipped %" PRIu64 " line(s), the first at line %" PRIu64
		        "\n",
		        skipped, first_skipped);
		a->exit_code = EXIT_RUNTIME;
	}
	if (a->data) {
		drain(a, INT64_MAX);
		market_tick(&a->m, clock_mono_ns());
		app_redis_tick(a, clock_mono_ns());
		publish(a);
		/* The sources applied CONN_STOPPED: the file must not say connected after exit. */
		write_metrics(a);
	}
	httpd_stop(a->httpd);
	a->httpd = NULL;
	app_rest_stop(a);
	if (a->ui) {
		ui_destroy(a->ui);
		a->ui = NULL;
	}
	if (a->data && a->o->export_path) {
		char msg[PATH_MAX + 64];
		if (!app_export(a, a->o->export_path, msg, sizeof(msg))) {
			fprintf(stderr, "clobtop: %s\n", msg);
			a->exit_code = EXIT_RUNTIME;
		}
	}
	if (a->data)
		report(a);
	gamma_stop(a->gamma);
	app_redis_close(a);
	app_user_free(a);
	discover_close(a);
	market_free(&a->m);
	ring_destroy(a->data);
	ring_destroy(a->cmd);
	return a->exit_code;
}
