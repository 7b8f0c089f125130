/*
 * options: the command-line table and its handlers (see options.h).  Main thread only.
 */
#include "config.h"

#include "options.h"
#include "options_int.h"

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

#include "conffile.h"
#include "gamma.h"
#include "num.h"
#include "ring.h"
#include "sanitize.h"

#define DEFAULT_URL "wss://ws-subscriptions-clob.polymarket.com/ws/market"
#define HELP_COL    24 /* where help text starts in --help */

struct opt_def;
typedef int opt_set_fn(struct options *o, const struct opt_def *d, const char *arg, char *err,
                       size_t errlen);

/* ACT_FILE options choose the config file: applied before it is read, never set in it. */
enum opt_action { ACT_SET, ACT_HELP, ACT_VERSION, ACT_FILE };

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

void options_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* An operator's argument quoted back in a message: printable only. */
const char *options_shown(const char *s, char *buf, size_t cap)
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

/* A flag alone sets it; "=no" (or false, off, 0) undoes it, "=yes" (true, on, 1) sets it,
 * so the command line can undo what the config file set. */
static int set_flag(struct options *o, const struct opt_def *d, const char *arg, char *err,
                    size_t errlen)
{
	static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
	                                                                            "off", "0"};
	bool v = d->lo != 0, known = !arg;
	for (size_t i = 0; arg && i < 4; i++) {
		known = known || strcasecmp(arg, yes[i]) == 0 || strcasecmp(arg, no[i]) == 0;
		if (strcasecmp(arg, no[i]) == 0)
			v = !v;
	}
	if (!known) {
		char b[64];
		options_err(err, errlen, "--%s is a flag: it takes yes or no, not '%s'", d->name,
		            options_shown(arg, b, sizeof(b)));
		return -1;
	}
	memcpy(field(o, d), &v, sizeof(v));
	return 0;
}

void options_fmt_secs(char *buf, size_t cap, int64_t ms)
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
		options_fmt_secs(lo, sizeof(lo), d->lo);
		options_fmt_secs(hi, sizeof(hi), d->hi);
		options_err(err, errlen,
		            "--%s wants seconds from %s to %s (for example 30 or 0.5), not '%s'",
		            d->name, lo, hi, options_shown(arg, b, sizeof(b)));
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
		options_err(err, errlen,
		            "--%s wants a whole number from %" PRId64 " to %" PRId64 ", not '%s'",
		            d->name, d->lo, d->hi, options_shown(arg, b, sizeof(b)));
		return -1;
	}
	store_int(o, d, v);
	return 0;
}

static int set_bytes(struct options *o, const struct opt_def *d, const char *arg, char *err,
                     size_t errlen)
{
	uint64_t v;
	char b[64];
	if (num_parse_bytes(arg, &v) != 0 || v < (uint64_t)d->lo || v > (uint64_t)d->hi) {
		options_err(err, errlen,
		            "--%s wants a size from %" PRId64 "k to %" PRId64
		            "M bytes (for example "
		            "65536, 64k, 32M), not '%s'",
		            d->name, d->lo >> 10, d->hi >> 20, options_shown(arg, b, sizeof(b)));
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
		options_err(err, errlen,
		            "--speed wants a factor > 0 (1 = as recorded) or 'max', not '%s'",
		            options_shown(arg, b, sizeof(b)));
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

static int set_watchlist(struct options *o, const struct opt_def *d, const char *arg, char *err,
                         size_t errlen)
{
	(void)d;
	const char **w = realloc(o->watchlists, (o->nwatchlists + 1) * sizeof(*w));
	if (!w) {
		options_err(err, errlen, "out of memory");
		return -1;
	}
	o->watchlists = w;
	w[o->nwatchlists++] = arg;
	return 0;
}

/* --event and --tag (d->lo 1): repeatable slugs, kept in order. */
static int set_slug(struct options *o, const struct opt_def *d, const char *arg, char *err,
                    size_t errlen)
{
	const char **v = d->lo ? o->disc.tags : o->disc.events;
	size_t *n = d->lo ? &o->disc.ntags : &o->disc.nevents;
	if (!arg[0] || strlen(arg) > 200 || strpbrk(arg, " /?&#%")) {
		options_err(err, errlen, "--%s wants a slug (letters, digits, dashes), not '%.60s'",
		            d->name, arg);
		return -1;
	}
	if (*n == DISCOVER_MAX_SLUGS) {
		options_err(err, errlen, "--%s given more than %d times", d->name,
		            DISCOVER_MAX_SLUGS);
		return -1;
	}
	v[(*n)++] = arg;
	return 0;
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
    {"watchlist", 0, "NAME", NULL, "subscribe to a config file's [watchlist NAME]\n(repeatable)",
     NULL, .set = set_watchlist},
    {"all-markets", 0, NULL, NULL, "subscribe every active market's tokens (Gamma)", NULL,
     FLAG(disc.all, 1)},
    {"event", 0, "SLUG", NULL, "subscribe an event's markets (repeatable)", NULL,
     .set = set_slug, .lo = 0},
    {"tag", 0, "SLUG", NULL, "subscribe the active markets under a tag\n(repeatable)", NULL,
     .set = set_slug, .lo = 1},
    {"follow-new", 0, NULL, NULL, "subscribe the tokens new_market announces", NULL,
     FLAG(disc.follow_new, 1)},
    {"resolved-grace", 0, "S", "60",
     "with the four above: drop a resolved market's\ntokens after S seconds", NULL,
     SECS(disc.resolved_grace_ms, 0, YEAR_MS)},
    {"gamma-rate", 0, "N", "300", "Gamma requests per 10 s at most (0 = unpaced)", NULL,
     NUM(disc.gamma_rate, 0, 100000)},
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
     "a larger message ends the connection (counted;\nit reconnects), at least 1k (default: the "
     "most\na connection's ring holds, half of it)",
     NULL, BYTES(feed.max_message, 1 << 10, INT64_C(1) << 40)},
    {"ring-size", 0, "BYTES", "16M",
     "feed-to-UI rings of all connections together\n(each a share, at least 1M), at least 4k",
     NULL, BYTES(ring_size, 4 << 10, INT64_C(1) << 40)},
    {"per-connection", 0, "N", "200",
     "assets per WebSocket connection, at most 500;\nmore assets open more connections", NULL,
     NUM(per_conn, 1, 500)},
    {"user", 0, NULL, NULL,
     "also open the user channel (your orders and\ntrades); credentials from CLOB_API_KEY,\n"
     "CLOB_SECRET, CLOB_PASS_PHRASE or --user-creds",
     "User channel:", FLAG(user, 1)},
    {"user-url", 0, "URL", NULL,
     "user channel (default: --url with /ws/market\nreplaced by /ws/user)", NULL, STR(user_url)},
    {"user-creds", 0, "FILE", NULL,
     "credentials file of NAME=value lines (yours,\nmode 600; never on the command line)", NULL,
     STR(user_creds)},
    {"trade-stuck-after", 0, "S", "120", "alert for your trade MATCHED or MINED this long", NULL,
     SECS(trade_stuck_ms, 1000, DAY_MS)},
    {"stale-warn", 0, "S", "10", "quiet after this long without updates",
     "Health:", SECS(mcfg.stale_warn_ms, 0, YEAR_MS)},
    {"stale-alert", 0, "S", "30", "stale after this long", NULL,
     SECS(mcfg.stale_alert_ms, 0, YEAR_MS)},
    {"drift-grace", 0, "S", "2", "exchange/book disagreement tolerated this long", NULL,
     SECS(mcfg.drift_grace_ms, 0, YEAR_MS)},
    {"no-auto-resync", 0, NULL, NULL, "report drift and gaps but do not resync", NULL,
     FLAG(mcfg.auto_resync, 0)},
    {"rest-url", 0, "URL", NULL,
     "CLOB REST API for resyncs, audits and fallback\n(default: https://clob.polymarket.com "
     "with the\ndefault --url, clobsim's with --demo; off with\nanother --url unless given)",
     "REST truth:", STR(rest.url)},
    {"no-rest", 0, NULL, NULL, "never use REST: resync on the socket only", NULL,
     FLAG(rest.off, 1)},
    {"audit-every", 0, "S", "60", "compare every book with REST once per S\nseconds (0 = off)",
     NULL, SECS(rest.audit_every_ms, 0, YEAR_MS)},
    {"rest-fallback-after", 0, "S", "15", "poll REST for an asset whose feed is down\nthis long",
     NULL, SECS(rest.fallback_after_ms, 0, YEAR_MS)},
    {"rest-poll", 0, "S", "2", "fallback poll period, at least 0.1", NULL,
     SECS(rest.poll_ms, 100, DAY_MS)},
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
     "sub ID..., unsub ID..., resync ID,\nexport [PATH], vwap ID BUY|SELL SIZE, quit",
     "Headless and files:", FLAG(headless, 1)},
    {"duration", 0, "S", NULL, "stop after S seconds (default: run until stopped)", NULL,
     SECS(duration_ms, 1, YEAR_MS)},
    {"summary", 0, NULL, NULL, "headless: print one status line per second", NULL,
     FLAG(summary, 1)},
    {"export", 0, "FILE", NULL, "write the snapshot to FILE on exit (- for standard output)", NULL,
     STR(export_path)},
    {"export-dir", 0, "DIR", ".", "where 'e', export and --export-every write", NULL,
     STR(export_dir)},
    {"export-every", 0, "S", NULL, "write a snapshot every S seconds, at least 1", NULL,
     SECS(export_every_ms, 1000, YEAR_MS)},
    {"depth", 0, "N", "0", "levels per side in snapshots, 0 = all", NULL, NUM(depth, 0, 100000)},
    {"metrics-file", 0, "FILE", NULL, "Prometheus text format, rewritten every refresh", NULL,
     STR(metrics_file)},
    {"record", 0, "FILE", NULL, "append every received frame as JSON Lines", NULL, STR(record)},
    {"listen", 0, "ADDR:PORT", NULL,
     "serve the HTTP query API (/metrics, /snapshot,\n/book/ID, /vwap, /healthz); loopback "
     "only\nunless --listen-remote",
     NULL, STR(listen)},
    {"listen-remote", 0, NULL, NULL, "allow a non-loopback --listen (no authentication)", NULL,
     FLAG(listen_remote, 1)},
    {"redis", 0, "URL", NULL,
     "publish books and trades to Redis:\nredis://[user:pass@]host[:port][/db] or\n"
     "unix:///path (password also from REDISCLI_AUTH;\nnever printed)",
     "Handing on:", STR(rcfg.url)},
    {"redis-interval", 0, "MS", "100",
     "at most one book publish per asset per MS;\n0 = every change", NULL,
     NUM(rcfg.interval_ms, 0, 3600000)},
    {"redis-stream", 0, "KEY", NULL, "also XADD every book and trade to stream KEY", NULL,
     STR(rcfg.stream)},
    {"redis-stream-maxlen", 0, "N", "10000", "the stream is trimmed to about N entries", NULL,
     NUM(rcfg.stream_maxlen, 1, 1000000000)},
    {"depth-sizes", 0, "LIST", NULL,
     "fill cost for these sizes: shares, or $ for\nnotional (100,1000,$5000; at most 8)", NULL,
     STR(rcfg.depth_sizes)},
    {"on-alert", 0, "CMD", NULL, "run CMD (sh -c) for each alert, JSON on stdin", NULL,
     STR(rcfg.on_alert)},
    {"on-alert-kinds", 0, "LIST", "all", "alert kinds that run it (stale,gap,...)", NULL,
     STR(rcfg.on_alert_kinds)},
    {"on-alert-severity", 0, "LEVEL", "warn", "least severity that runs it: info|warn|crit", NULL,
     STR(rcfg.on_alert_severity)},
    {"on-alert-rate", 0, "N", "30", "at most N hooks started per minute (all kinds)", NULL,
     NUM(rcfg.on_alert_rate, 1, 100000)},
    {"on-alert-timeout", 0, "S", "10", "a hook still running after S seconds is killed", NULL,
     SECS(rcfg.on_alert_timeout_ms, 100, DAY_MS)},
    {"config", 0, "FILE", NULL,
     "settings and watchlists from FILE (default:\n$XDG_CONFIG_HOME/clobtop/config)",
     "Configuration:", STR(config_path), .act = ACT_FILE},
    {"no-config", 0, NULL, NULL, "read no config file", NULL, FLAG(no_config, 1), .act = ACT_FILE},
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
	      "      c connections, q quit.\n"
	      "Every option but --config and --no-config can be set in the config file as\n"
	      "'name = value'; the command line wins, and a flag takes =no to undo the file's.\n"
	      "Exit status: 0 done; 1 an export, the recording, the connection failed or a\n"
	      "             replay skipped lines;\n"
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
			options_err(err, errlen, "internal error: default of --%s: %s",
			            opts[i].name, why);
			return -1;
		}
	}
	o->feed.max_message = 0; /* none given: the most each connection's ring holds */
	return 0;
}

static const struct opt_def *find_opt(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

/* " (did you mean --NAME?)" when word is close to an option's name, else "". */
static const char *did_you_mean(const char *word, const char *dashes, char *buf, size_t cap)
{
	const char *names[NOPTS];
	char w[CONF_NAME_MAX];
	snprintf(w, sizeof(w), "%.*s", (int)strcspn(word, "="), word);
	for (size_t i = 0; i < NOPTS; i++)
		names[i] = opts[i].name;
	const char *s = conffile_suggest(w, names, NOPTS);
	if (s)
		snprintf(buf, cap, " (did you mean %s%s?)", dashes, s);
	return s ? buf : "";
}

int options_set(struct options *o, const char *name, const char *value, char *err, size_t errlen)
{
	const struct opt_def *d = find_opt(name);
	char b[CONF_NAME_MAX + 32];
	if (!d) {
		options_err(err, errlen, "unknown setting '%s'%s", name,
		            did_you_mean(name, "", b, sizeof(b)));
		return -1;
	}
	if (d->act != ACT_SET) {
		options_err(err, errlen, "'%s' is for the command line, not the config file", name);
		return -1;
	}
	if (d->arg && !value) {
		options_err(err, errlen, "'%s' needs a value: %s = %s", name, name, d->arg);
		return -1;
	}
	return d->set(o, d, value, err, errlen);
}

const char *options_name(size_t i, const char **arg)
{
	if (i >= NOPTS || opts[i].act != ACT_SET)
		return NULL;
	*arg = opts[i].arg;
	return opts[i].name;
}

size_t options_count(void)
{
	return NOPTS;
}

enum pass { PASS_FILE, PASS_ARGS }; /* the options that choose the config file, then the rest */

static int parse_loop(struct options *o, int argc, char **argv, FILE *out, enum pass pass,
                      char *err, size_t errlen)
{
	struct option lo[NOPTS + 1];
	char shorts[2 * NOPTS + 2], *sp = shorts, b[128], dym[CONF_NAME_MAX + 32];
	*sp++ = ':'; /* a missing argument returns ':', not '?' */
	for (size_t i = 0; i < NOPTS; i++) {
		lo[i] = (struct option){opts[i].name,
		                        opts[i].arg               ? required_argument
		                        : opts[i].set == set_flag ? optional_argument
		                                                  : no_argument,
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
		const char *bad = options_shown(argv[optind - 1], b, sizeof(b));
		if (c == ':' || !d) {
			options_err(err, errlen, "%s '%s'%s; try 'clobtop --help'",
			            c == ':' ? "missing argument to" : "unknown option", bad,
			            c != ':' && strncmp(bad, "--", 2) == 0
			                ? did_you_mean(bad + 2, "--", dym, sizeof(dym))
			                : "");
			return -1;
		}
		if (pass == PASS_FILE && d->act == ACT_HELP) {
			options_usage(out);
			return 1;
		}
		if (pass == PASS_FILE && d->act == ACT_VERSION) {
			fprintf(out, "clobtop %s (%s)\n", PACKAGE_VERSION, curl_version());
			return 1;
		}
		if ((pass == PASS_FILE) == (d->act == ACT_FILE) && d->set &&
		    d->set(o, d, optarg, err, errlen) != 0)
			return -1;
	}
	if (optind < argc) {
		options_err(err, errlen, "unexpected argument '%s'; try 'clobtop --help'",
		            options_shown(argv[optind], b, sizeof(b)));
		return -1;
	}
	return 0;
}

/* Defaults, then the config file, then the command line; the file's assets (asset,
 * assets-file, watchlist) stand only when the command line names none. */
static int parse_all(struct options *o, int argc, char **argv, FILE *out, char *err, size_t errlen)
{
	int rc = parse_loop(o, argc, argv, out, PASS_FILE, err, errlen);
	if (rc != 0 || optconf_read(o, err, errlen) != 0)
		return rc ? rc : -1;
	struct asset_list file_assets = o->assets;
	const char **file_wl = o->watchlists;
	size_t file_nwl = o->nwatchlists;
	o->assets = (struct asset_list){0};
	o->watchlists = NULL;
	o->nwatchlists = 0;
	rc = parse_loop(o, argc, argv, out, PASS_ARGS, err, errlen);
	if (rc == 0 && o->assets.n == 0 && o->nwatchlists == 0) {
		assetlist_free(&o->assets);
		free(o->watchlists);
		o->assets = file_assets;
		o->watchlists = file_wl;
		o->nwatchlists = file_nwl;
	} else {
		assetlist_free(&file_assets);
		free(file_wl);
	}
	return rc == 0 ? optconf_watchlists(o, err, errlen) : rc;
}

enum options_status options_parse(struct options *o, int argc, char **argv, FILE *out, char *err,
                                  size_t errlen)
{
	if (apply_defaults(o, err, errlen) != 0)
		return OPTIONS_ERROR;
	int rc = parse_all(o, argc, argv, out, err, errlen);
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
	free(o->watchlists);
	o->watchlists = NULL;
	o->nwatchlists = 0;
	o->disc.nevents = o->disc.ntags = 0;
	conffile_free(&o->conf);
}
