/*
 * optcheck: the consistency checks options_parse runs once the command line and the
 * config file are read: the URL, the timers against each other, the files clobtop reads
 * and the places it will write, the ring against --max-message, who owns standard input.
 * Each says what to change.  Main thread only.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd.h"
#include "options.h"
#include "options_int.h"
#include "ring.h"

/* ws:// or wss://, a host name or address (IPv6 in brackets), an optional port 1-65535. */
static int check_url(const char *url, char *err, size_t errlen)
{
	char b[128];
	const char *p = url;
	if (strncasecmp(p, "ws://", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "wss://", 6) == 0)
		p += 6;
	else
		goto bad;
	size_t alen = strcspn(p, "/?#");
	const char *at = memchr(p, '@', alen);
	if (at) {
		alen -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	const char *host = p, *hend;
	if (*p == '[') {
		hend = memchr(p, ']', alen);
		if (!hend || hend == p + 1 ||
		    strspn(p + 1, "0123456789abcdefABCDEF:.") != (size_t)(hend - p - 1))
			goto bad;
		hend++;
	} else {
		hend =
		    p +
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
		if (hend == host || *host == '-' || *host == '.')
			goto bad;
	}
	const char *aend = p + alen;
	if (hend == aend)
		return 0;
	if (*hend != ':' || hend + 1 == aend || aend - hend > 6)
		goto bad;
	long port = 0;
	for (const char *q = hend + 1; q < aend; q++) {
		if (!isdigit((unsigned char)*q))
			goto bad;
		port = port * 10 + (*q - '0');
	}
	if (port >= 1 && port <= 65535)
		return 0;
bad:
	options_err(err, errlen,
	            "--url '%s': expected ws://HOST[:PORT]/PATH or wss://HOST[:PORT]/PATH "
	            "(a host name or address, a port from 1 to 65535)",
	            options_shown(url, b, sizeof(b)));
	return -1;
}

/* An existing file that can be read: a directory is refused, and anything but a regular
 * file too when regular is set. */
static int check_input(const char *opt, const char *path, bool regular, char *err, size_t errlen)
{
	char b[256];
	struct stat st;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		options_err(err, errlen, "%s %s: %s", opt, options_shown(path, b, sizeof(b)),
		            strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) || (regular && !S_ISREG(st.st_mode))) {
		options_err(err, errlen, "%s %s: not a regular file%s", opt,
		            options_shown(path, b, sizeof(b)),
		            S_ISDIR(st.st_mode) ? " (a directory)" : "");
		return -1;
	}
	return 0;
}

/* dir exists, is a directory, and this process can create files in it. */
static int check_dir(const char *opt, const char *dir, char *err, size_t errlen)
{
	char b[256];
	struct stat st;
	const char *why = NULL;
	if (stat(dir, &st) != 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (access(dir, W_OK | X_OK) != 0)
		why = "cannot write there";
	if (why)
		options_err(err, errlen, "%s: directory %s: %s", opt,
		            options_shown(dir, b, sizeof(b)), why);
	return why ? -1 : 0;
}

/* The directory path will be written into (atomically, beside it) is usable. */
static int check_output(const char *opt, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], b[256];
	struct stat st;
	if (strcmp(path, "-") == 0) {
		if (strcmp(opt, "--export") == 0)
			return 0; /* standard output */
		options_err(err, errlen, "%s -: standard output is not supported here", opt);
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		options_err(err, errlen, "%s %s: a directory, not a file", opt,
		            options_shown(path, b, sizeof(b)));
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		options_err(err, errlen,
		            "%s %s: not a regular file (a device or FIFO would be replaced)", opt,
		            options_shown(path, b, sizeof(b)));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return check_dir(opt, dir, err, errlen);
}

static int check_source(const struct options *o, char *err, size_t errlen)
{
	if (o->demo && o->replay) {
		options_err(err, errlen,
		            "--demo and --replay are two different sources: choose one");
		return -1;
	}
	if (options_stdin_is_replay(o) && !o->headless) {
		options_err(err, errlen,
		            "--replay - reads standard input, which the dashboard needs for "
		            "its keys: add --headless, or replay a file");
		return -1;
	}
	if (o->replay && !options_stdin_is_replay(o) &&
	    check_input("--replay", o->replay, true, err, errlen) != 0)
		return -1;
	if (!o->demo && !o->replay && check_url(o->url, err, errlen) != 0)
		return -1;
	if (o->ca_file && check_input("--ca-file", o->ca_file, false, err, errlen) != 0)
		return -1;
	if (discover_wanted(&o->disc) && (o->replay || o->no_gamma)) {
		options_err(err, errlen,
		            "--all-markets, --event, --tag and --follow-new subscribe live markets "
		            "found through Gamma: they need a live source and no --no-gamma");
		return -1;
	}
	if (o->rest.url && strncasecmp(o->rest.url, "http://", 7) != 0 &&
	    strncasecmp(o->rest.url, "https://", 8) != 0) {
		options_err(err, errlen, "--rest-url %s: expected http:// or https://",
		            o->rest.url);
		return -1;
	}
	return 0;
}

static int check_timers(const struct options *o, char *err, size_t errlen)
{
	const struct feed_config *f = &o->feed;
	char a[32], b[32];
	options_fmt_secs(a, sizeof(a), f->ping_ms);
	if (f->dead_ms <= f->ping_ms || f->freeze_ms <= f->ping_ms) {
		options_fmt_secs(b, sizeof(b),
		                 f->dead_ms <= f->ping_ms ? f->dead_ms : f->freeze_ms);
		options_err(
		    err, errlen,
		    "--%s (%s s) must be longer than --ping-interval (%s s): the server's PONG "
		    "needs a ping first",
		    f->dead_ms <= f->ping_ms ? "dead-after" : "freeze-after", b, a);
		return -1;
	}
	if (f->backoff_max_ms < f->backoff_min_ms) {
		options_err(err, errlen, "--backoff-max must not be below --backoff-min");
		return -1;
	}
	if (o->mcfg.stale_alert_ms < o->mcfg.stale_warn_ms) {
		options_err(err, errlen, "--stale-alert must not be below --stale-warn");
		return -1;
	}
	if (o->ui.lat_crit_ms < o->ui.lat_warn_ms) {
		options_err(err, errlen, "--lat-crit must not be below --lat-warn");
		return -1;
	}
	return 0;
}

static int check_outputs(const struct options *o, char *err, size_t errlen)
{
	size_t most = ring_max_record_for(o->ring_size);
	if (o->feed.max_message > most) {
		options_err(
		    err, errlen,
		    "--max-message %zu is more than a --ring-size of %zu bytes can carry (%zu): "
		    "raise --ring-size or lower --max-message",
		    o->feed.max_message, o->ring_size, most);
		return -1;
	}
	if (o->metrics_file && check_output("--metrics-file", o->metrics_file, err, errlen) != 0)
		return -1;
	if (o->listen) {
		struct httpd_config hc = {.listen = o->listen, .listen_remote = o->listen_remote};
		char why[256];
		if (httpd_check_listen(&hc, why, sizeof(why)) != 0) {
			options_err(err, errlen, "--listen: %s", why);
			return -1;
		}
	}
	if (o->export_path && check_output("--export", o->export_path, err, errlen) != 0)
		return -1;
	/* --record appends in place (recorder_open at start reports its own errors); the
	 * default export directory is only checked when something will write there. */
	if (o->export_every_ms || strcmp(o->export_dir, ".") != 0)
		return check_dir("--export-dir", o->export_dir, err, errlen);
	return 0;
}

int options_check(struct options *o, char *err, size_t errlen)
{
	if (check_source(o, err, errlen) != 0 || check_timers(o, err, errlen) != 0 ||
	    check_outputs(o, err, errlen) != 0 || optredis_check(&o->rcfg, err, errlen) != 0)
		return -1;
	/* --max-message not given stays 0: each connection's ring decides (pool_ring_bytes). */
	return 0;
}
