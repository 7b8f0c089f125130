/*
 * options: the command-line table and its handlers (see options.h).  Main thread only.
 */
#include "config.h"

#include "options.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gamma.h"
#include "ring.h"
#include "sanitize.h"

#define DEFAULT_URL "wss://ws-subscriptions-clob.polymarket.com/ws/market"
#define HELP_COL    24 /* where help text starts in --help */

struct opt_def;
typedef int opt_set_fn(struct options *o, const struct opt_def *d, const char *arg, char *err,
                       size_t errlen);

enum opt_action { ACT_SET, ACT_HELP, ACT_VERSION };

struct opt_def {
	const char *name;    /* long name, without "--" */
	char short_name;     /* -x, or 0 */
	const char *arg;     /* argument name in --help, NULL for a flag */
	const char *def;     /* default as text (parsed by set at start), NULL when none */
	const char *help;    /* --help text; '\n' continues on the next line */
	const char *section; /* heading printed before this option, or NULL */
	opt_set_fn *set;     /* parses arg into the field */
	enum opt_action act; /* ACT_SET, or --help / --version */
	size_t off, size;    /* the field in struct options (generic handlers) */
	int64_t lo, hi;      /* accepted range: ms for seconds, bytes for sizes */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* An operator's argument quoted back in a message: printable only. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	sanitize_text(buf, cap, s, strlen(s));
	return buf;
}

static void *field(struct options *o, const struct opt_def *d)
{
	return (char *)o + d->off;
}

static void store_int(struct options *o, const struct opt_def *d, int64_t v)
{
	if (d->size == sizeof(int)) {
		int i = (int)v;
		memcpy(field(o, d), &i, sizeof(i));
	} else {
		memcpy(field(o, d), &v, sizeof(v));
	}
}

static int set_str(struct options *o, const struct opt_def *d, const char *arg, char *err,
                   size_t errlen)
{
	(void)err, (void)errlen;
	memcpy(field(o, d), &arg, sizeof(arg));
	return 0;
}

static int set_flag(struct options *o, const struct opt_def *d, const char *arg, char *err,
                    size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	bool v = d->lo != 0;
	memcpy(field(o, d), &v, sizeof(v));
	return 0;
}

static void fmt_secs(char *buf, size_t cap, int64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, cap, "%" PRId64, ms / 1000);
	else
		snprintf(buf, cap, "%g", (double)ms / 1000.0);
}

/* Seconds with an optional fraction ("30", "0.25") into a millisecond field. */
static int set_secs(struct options *o, const struct opt_def *d, const char *arg, char *err,
                    size_t errlen)
{
	char *end, lo[32], hi[32], b[64];
	errno = 0;
	double v = strtod(arg, &end);
	int64_t ms = (errno || end == arg || *end || !(v >= 0) || v > 1e9)
	                 ? -1
	                 : (int64_t)(v * 1000.0 + 0.5);
	if (ms < d->lo || ms > d->hi) {
		fmt_secs(lo, sizeof(lo), d->lo);
		fmt_secs(hi, sizeof(hi), d->hi);
		set_err(err, errlen,
		        "--%s wants seconds from %s to %s (for example 30 or 0.5), not '%s'",
		        d->name, lo, hi, shown(arg, b, sizeof(b)));
		return -1;
	}
	store_int(o, d, ms);
	return 0;
}

static int set_num(struct options *o, const struct opt_def *d, const char *arg, char *err,
                   size_t errlen)
{
	char *end, b[64];
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < d->lo || v > d->hi) {
		set_err(err, errlen,
		        "--%s wants a whole number from %" PRId64 " to %" PRId64 ", not '%s'",
		        d->name, d->lo, d->hi, shown(arg, b, sizeof(b)));
		return -1;
	}
	store_int(o, d, v);
	return 0;
}

/* Bytes with an optional k/M/G suffix (and an optional "iB" or "B"). */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1; /* strtoull would take "-1" as 2^64 - 1 */
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	end += shift ? 1 : 0;
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int set_bytes(struct options *o, const struct opt_def *d, const char *arg, char *err,
                     size_t errlen)
{
	uint64_t v;
	char b[64];
	if (parse_bytes(arg, &v) != 0 || v < (uint64_t)d->lo || v > (uint64_t)d->hi) {
		set_err(err, errlen,
		        "--%s wants a size from %" PRId64 "k to %" PRId64 "M bytes (for example "
		        "65536, 64k, 32M), not '%s'",
		        d->name, d->lo >> 10, d->hi >> 20, shown(arg, b, sizeof(b)));
		return -1;
	}
	size_t s = (size_t)v;
	memcpy(field(o, d), &s, sizeof(s));
	return 0;
}

static int set_speed(struct options *o, const struct opt_def *d, const char *arg, char *err,
                     size_t errlen)
{
	(void)d;
	if (strcmp(arg, "max") == 0) {
		o->speed = 0;
		return 0;
	}
	char *end, b[64];
	double v = strtod(arg, &end);
	if (*end || end == arg || !(v > 0) || v > 1e6) {
		set_err(err, errlen,
		        "--speed wants a factor > 0 (1 = as recorded) or 'max', not '%s'",
		        shown(arg, b, sizeof(b)));
		return -1;
	}
	o->speed = v;
	return 0;
}

static int set_asset(struct options *o, const struct opt_def *d, const char *arg, char *err,
                     size_t errlen)
{
	(void)d;
	return assetlist_add_arg(&o->assets, arg, err, errlen);
}

static int set_assets_file(struct options *o, const struct opt_def *d, const char *arg, char *err,
                           size_t errlen)
{
	(void)d;
	return assetlist_read_file(&o->assets, arg, err, errlen);
}

#define AT(f)          .off = offsetof(struct options, f), .size = sizeof(((struct options *)0)->f)
#define STR(f)         .set = set_str, AT(f)
#define FLAG(f, v)     .set = set_flag, AT(f), .lo = (v)
#define SECS(f, l, h)  .set = set_secs, AT(f), .lo = (l), .hi = (h)
#define NUM(f, l, h)   .set = set_num, AT(f), .lo = (l), .hi = (h)
#define BYTES(f, l, h) .set = set_bytes, AT(f), .lo = (l), .hi = (h)
#define DAY_MS         INT64_C(86400000)
#define YEAR_MS        (365 * DAY_MS)

static const struct opt_def opts[] = {
    {"url", 0, "URL", DEFAULT_URL, "market channel (ws:// or wss://)",
     "Source (default: the live market channel):", STR(url)},
    {"demo", 0, NULL, NULL, "run clobsim on a free loopback port and watch it\n(offline)", NULL,
     FLAG(demo, 1)},
    {"sim", 0, "PATH", NULL, "clobsim binary used by --demo\n(default: next to clobtop, then PATH)",
     NULL, STR(sim_path)},
    {"replay", 0, "FILE", NULL,
     "frames from a JSON Lines recording instead of\n"
     "the network (- = standard input: needs\n"
     "--headless, whose commands are then off)",
     NULL, STR(replay)},
    {"speed", 0, "X|max", "max", "replay speed: 1 = as recorded, max = at once", NULL,
     .set = set_speed},
    {"asset", 0, "ID[=LABEL]", NULL, "subscribe to a token id (repeatable)",
     "Assets:", .set = set_asset},
    {"assets-file", 0, "FILE", NULL, "token ids, one per line: ID [label] [# comment]", NULL,
     .set = set_assets_file},
    {"gamma", 0, "URL", GAMMA_BASE_URL, "Gamma API for labels and slugs", NULL, STR(gamma_url)},
    {"no-gamma", 0, NULL, NULL, "never look up labels", NULL, FLAG(no_gamma, 1)},
    {"ca-file", 0, "FILE", NULL, "trust this PEM CA bundle (private CA)",
     "Connection:", STR(ca_file)},
    {"insecure", 0, NULL, NULL, "do not verify TLS certificates (warns)", NULL, FLAG(insecure, 1)},
    {"batch", 0, "N", "100", "ids per subscription frame", NULL, NUM(feed.batch, 1, 10000)},
    {"ping-interval", 0, "S", "10", "application PING period, at least 0.1", NULL,
     SECS(feed.ping_ms, 100, DAY_MS)},
    {"dead-after", 0, "S", "30",
     "no frame for this long = dead, reconnect;\nmore than --ping-interval", NULL,
     SECS(feed.dead_ms, 200, DAY_MS)},
    {"freeze-after", 0, "S", "120",
     "only PONGs this long = frozen, resubscribe;\nmore than --ping-interval", NULL,
     SECS(feed.freeze_ms, 200, DAY_MS)},
    {"backoff-min", 0, "S", "1", "first reconnect delay, at least 0.1", NULL,
     SECS(feed.backoff_min_ms, 100, DAY_MS)},
    {"backoff-max", 0, "S", "60", "reconnect delay cap", NULL,
     SECS(feed.backoff_max_ms, 100, DAY_MS)},
    {"max-message", 0, "BYTES", NULL,
     "drop larger messages, at least 1k (default:\nthe most the ring holds, half of --ring-size)",
     NULL, BYTES(feed.max_message, 1 << 10, INT64_C(1) << 40)},
    {"ring-size", 0, "BYTES", "16M", "feed-to-UI ring, at least 4k (a power of two)", NULL,
     BYTES(ring_size, 4 << 10, INT64_C(1) << 40)},
    {"stale-warn", 0, "S", "10", "quiet after this long without updates",
     "Health:", SECS(mcfg.stale_warn_ms, 0, YEAR_MS)},
    {"stale-alert", 0, "S", "30", "stale after this long", NULL,
     SECS(mcfg.stale_alert_ms, 0, YEAR_MS)},
    {"drift-grace", 0, "S", "2", "exchange/book disagreement tolerated this long", NULL,
     SECS(mcfg.drift_grace_ms, 0, YEAR_MS)},
    {"no-auto-resync", 0, NULL, NULL, "report drift and gaps but do not resync", NULL,
     FLAG(mcfg.auto_resync, 0)},
    {"refresh", 0, "MS", "1000", "render period", "Screen:", NUM(ui.refresh_ms, 50, 60000)},
    {"levels", 0, "N", "10", "book ladder depth", NULL, NUM(ui.book_levels, 1, 1000)},
    {"lat-warn", 0, "MS", "5", "feed latency shown yellow from", NULL,
     NUM(ui.lat_warn_ms, 0, 1000000)},
    {"lat-crit", 0, "MS", "10", "and red above", NULL, NUM(ui.lat_crit_ms, 0, 1000000)},
    {"no-color", 0, NULL, NULL, "monochrome (NO_COLOR is honoured too)", NULL,
     FLAG(ui.no_color, 1)},
    {"no-mouse", 0, NULL, NULL, "do not capture the mouse", NULL, FLAG(ui.mouse, 0)},
    {"headless", 0, NULL, NULL,
     "no screen; standard input takes commands:\n"
     "sub ID..., unsub ID..., resync ID,\nexport [PATH], quit",
     "Headless and files:", FLAG(headless, 1)},
    {"duration", 0, "S", NULL, "stop after S seconds (default: run until stopped)", NULL,
     SECS(duration_ms, 1, YEAR_MS)},
    {"summary", 0, NULL, NULL, "headless: print one status line per second", NULL,
     FLAG(summary, 1)},
    {"export", 0, "FILE", NULL, "write the snapshot to FILE on exit", NULL, STR(export_path)},
    {"export-dir", 0, "DIR", ".", "where 'e', export and --export-every write", NULL,
     STR(export_dir)},
    {"export-every", 0, "S", NULL, "write a snapshot every S seconds, at least 1", NULL,
     SECS(export_every_ms, 1000, YEAR_MS)},
    {"depth", 0, "N", "0", "levels per side in snapshots, 0 = all", NULL, NUM(depth, 0, 100000)},
    {"metrics-file", 0, "FILE", NULL, "Prometheus text format, rewritten every refresh", NULL,
     STR(metrics_file)},
    {"record", 0, "FILE", NULL, "append every received frame as JSON Lines", NULL, STR(record)},
    {"help", 'h', NULL, NULL, "this text", NULL, .act = ACT_HELP},
    {"version", 'V', NULL, NULL, "version", NULL, .act = ACT_VERSION},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void print_option(FILE *out, const struct opt_def *d)
{
	char head[64];
	int n = d->short_name ? snprintf(head, sizeof(head), "  -%c, --%s", d->short_name, d->name)
	                      : snprintf(head, sizeof(head), "  --%s", d->name);
	if (d->arg && n > 0 && (size_t)n < sizeof(head))
		snprintf(head + n, sizeof(head) - (size_t)n, " %s", d->arg);
	int col = fprintf(out, "%-*s ", HELP_COL - 1, head);
	if (col > HELP_COL)
		col = fprintf(out, "\n%*s", HELP_COL, "") - 1;
	for (const char *p = d->help; *p; p++, col++) {
		if (*p == '\n')
			col = fprintf(out, "\n%*s", HELP_COL, "") - 2;
		else
			fputc(*p, out);
	}
	if (d->def && col + (int)strlen(d->def) + 11 > 80)
		fprintf(out, "\n%*s(default %s)", HELP_COL, "", d->def);
	else if (d->def)
		fprintf(out, " (default %s)", d->def);
	fputc('\n', out);
}

void options_usage(FILE *out)
{
	fputs("Usage: clobtop [OPTIONS]\n"
	      "Watch the health of Polymarket's CLOB market-data feed: latency, spreads, books,\n"
	      "trades and staleness, live.\n",
	      out);
	for (size_t i = 0; i < NOPTS; i++) {
		if (opts[i].section)
			fprintf(out, "\n%s\n", opts[i].section);
		print_option(out, &opts[i]);
	}
	fputs("\n"
	      "Keys: ? help (all keys), a add, d unsubscribe, r resync, R reconnect now,\n"
	      "      / filter assets, s < > sort column, S reverse, f filter alerts,\n"
	      "      A acknowledge alerts, C clear alerts, e export, p pause, Tab/S-Tab pane,\n"
	      "      Enter detail view, Esc close, Up/Down/j/k/PgUp/PgDn/Home/End/g/G move,\n"
	      "      q quit.\n"
	      "Exit status: 0 done; 1 an export, the recording or the connection failed;\n"
	      "             2 bad options or could not start.\n"
	      "See clobtop(1).\n",
	      out);
}

static int apply_defaults(struct options *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	feed_config_defaults(&o->feed);
	market_config_defaults(&o->mcfg);
	o->ui.mouse = true;
	for (size_t i = 0; i < NOPTS; i++) {
		char why[256];
		if (opts[i].def && opts[i].set(o, &opts[i], opts[i].def, why, sizeof(why)) != 0) {
			set_err(err, errlen, "internal error: default of --%s: %s", opts[i].name,
			        why);
			return -1;
		}
	}
	o->feed.max_message = 0; /* none given: the most the ring holds (options_check) */
	return 0;
}

/* ---- consistency checks, run once after parsing ---- */

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
	set_err(err, errlen,
	        "--url '%s': expected ws://HOST[:PORT]/PATH or wss://HOST[:PORT]/PATH "
	        "(a host name or address, a port from 1 to 65535)",
	        shown(url, b, sizeof(b)));
	return -1;
}

/* An existing file that can be read: a directory is refused, and anything but a regular
 * file too when regular is set. */
static int check_input(const char *opt, const char *path, bool regular, char *err, size_t errlen)
{
	char b[256];
	struct stat st;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		set_err(err, errlen, "%s %s: %s", opt, shown(path, b, sizeof(b)), strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) || (regular && !S_ISREG(st.st_mode))) {
		set_err(err, errlen, "%s %s: not a regular file%s", opt, shown(path, b, sizeof(b)),
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
		set_err(err, errlen, "%s: directory %s: %s", opt, shown(dir, b, sizeof(b)), why);
	return why ? -1 : 0;
}

/* The directory path will be written into (atomically, beside it) is usable. */
static int check_output(const char *opt, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], b[256];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s %s: a directory, not a file", opt,
		        shown(path, b, sizeof(b)));
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
		set_err(err, errlen, "--demo and --replay are two different sources: choose one");
		return -1;
	}
	if (options_stdin_is_replay(o) && !o->headless) {
		set_err(err, errlen,
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
	return 0;
}

static int check_timers(const struct options *o, char *err, size_t errlen)
{
	const struct feed_config *f = &o->feed;
	char a[32], b[32];
	fmt_secs(a, sizeof(a), f->ping_ms);
	if (f->dead_ms <= f->ping_ms || f->freeze_ms <= f->ping_ms) {
		fmt_secs(b, sizeof(b), f->dead_ms <= f->ping_ms ? f->dead_ms : f->freeze_ms);
		set_err(err, errlen,
		        "--%s (%s s) must be longer than --ping-interval (%s s): the server's PONG "
		        "needs a ping first",
		        f->dead_ms <= f->ping_ms ? "dead-after" : "freeze-after", b, a);
		return -1;
	}
	if (f->backoff_max_ms < f->backoff_min_ms) {
		set_err(err, errlen, "--backoff-max must not be below --backoff-min");
		return -1;
	}
	if (o->mcfg.stale_alert_ms < o->mcfg.stale_warn_ms) {
		set_err(err, errlen, "--stale-alert must not be below --stale-warn");
		return -1;
	}
	if (o->ui.lat_crit_ms < o->ui.lat_warn_ms) {
		set_err(err, errlen, "--lat-crit must not be below --lat-warn");
		return -1;
	}
	return 0;
}

static int check_outputs(const struct options *o, char *err, size_t errlen)
{
	size_t most = ring_max_record_for(o->ring_size);
	if (o->feed.max_message > most) {
		set_err(
		    err, errlen,
		    "--max-message %zu is more than a --ring-size of %zu bytes can carry (%zu): "
		    "raise --ring-size or lower --max-message",
		    o->feed.max_message, o->ring_size, most);
		return -1;
	}
	if (o->metrics_file && check_output("--metrics-file", o->metrics_file, err, errlen) != 0)
		return -1;
	if (o->export_path && check_output("--export", o->export_path, err, errlen) != 0)
		return -1;
	/* --record appends in place (recorder_open at start reports its own errors); the
	 * default export directory is only checked when something will write there. */
	if (o->export_every_ms || strcmp(o->export_dir, ".") != 0)
		return check_dir("--export-dir", o->export_dir, err, errlen);
	return 0;
}

static int options_check(struct options *o, char *err, size_t errlen)
{
	if (check_source(o, err, errlen) != 0 || check_timers(o, err, errlen) != 0 ||
	    check_outputs(o, err, errlen) != 0)
		return -1;
	if (o->feed.max_message == 0)
		o->feed.max_message = ring_max_record_for(o->ring_size);
	return 0;
}

static int parse_loop(struct options *o, int argc, char **argv, FILE *out, char *err, size_t errlen)
{
	struct option lo[NOPTS + 1];
	char shorts[2 * NOPTS + 2], *sp = shorts, b[128];
	*sp++ = ':'; /* a missing argument returns ':', not '?' */
	for (size_t i = 0; i < NOPTS; i++) {
		lo[i] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument,
		                        NULL, (int)(256 + i)};
		if (opts[i].short_name)
			*sp++ = opts[i].short_name;
	}
	*sp = '\0';
	lo[NOPTS] = (struct option){0};
	optind = 0; /* glibc: start afresh (tests parse more than once) */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct opt_def *d = NULL;
		for (size_t i = 0; i < NOPTS && !d; i++)
			if (c == (int)(256 + i) || (opts[i].short_name && c == opts[i].short_name))
				d = &opts[i];
		const char *bad = shown(argv[optind - 1], b, sizeof(b));
		if (c == ':' || !d) {
			set_err(err, errlen, "%s '%s'; try 'clobtop --help'",
			        c == ':' ? "missing argument to" : "unknown option", bad);
			return -1;
		}
		if (d->act == ACT_HELP) {
			options_usage(out);
			return 1;
		}
		if (d->act == ACT_VERSION) {
			fprintf(out, "clobtop %s (%s)\n", PACKAGE_VERSION, curl_version());
			return 1;
		}
		if (d->set(o, d, optarg, err, errlen) != 0)
			return -1;
	}
	if (optind < argc) {
		set_err(err, errlen, "unexpected argument '%s'; try 'clobtop --help'",
		        shown(argv[optind], b, sizeof(b)));
		return -1;
	}
	return 0;
}

enum options_status options_parse(struct options *o, int argc, char **argv, FILE *out, char *err,
                                  size_t errlen)
{
	if (apply_defaults(o, err, errlen) != 0)
		return OPTIONS_ERROR;
	int rc = parse_loop(o, argc, argv, out, err, errlen);
	if (rc == 0 && options_check(o, err, errlen) != 0)
		rc = -1;
	if (rc != 0) {
		options_free(o);
		return rc > 0 ? OPTIONS_DONE : OPTIONS_ERROR;
	}
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o->ui.no_color = true;
	return OPTIONS_RUN;
}

bool options_stdin_is_replay(const struct options *o)
{
	return o->replay && strcmp(o->replay, "-") == 0;
}

void options_free(struct options *o)
{
	assetlist_free(&o->assets);
}
