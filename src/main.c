/*
 * clobtop: top for Polymarket's CLOB market-data feed.
 *
 * main wires the pieces together: options, the data source (live feed thread, replay
 * thread, or a clobsim child for --demo), the UI thread's loop (drain the ring into the
 * model, render or summarise once per refresh, act on keys or standard-input commands),
 * exports, signals and a clean shutdown that always restores the terminal.
 *
 * Two threads touch the data path: the feed (or replay) thread produces, this one
 * consumes.  Nothing here holds a lock or shares state with them beyond the rings.
 */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "curlcfg.h"
#include "export.h"
#include "feed.h"
#include "gamma.h"
#include "market.h"
#include "replay.h"
#include "ring.h"
#include "sanitize.h"
#include "ui/ui.h"

#define DEFAULT_URL "wss://ws-subscriptions-clob.polymarket.com/ws/market"

static volatile sig_atomic_t g_quit;  /* SIGINT / SIGTERM / SIGHUP */
static volatile sig_atomic_t g_fatal; /* a crash signal arrived */

struct options {
	const char *url;          /* --url */
	bool demo;                /* --demo */
	const char *sim_path;     /* --sim: clobsim binary for --demo */
	const char *replay;       /* --replay FILE */
	double speed;             /* --speed: 0 = max */
	bool headless;            /* --headless */
	double duration_s;        /* --duration, 0 = until the end */
	const char *export_path;  /* --export FILE: written at the end */
	const char *export_dir;   /* --export-dir: for 'e' and --export-every */
	double export_every_s;    /* --export-every */
	const char *metrics_file; /* --metrics-file */
	int depth;                /* --depth: levels per side in snapshots */
	const char *record;       /* --record FILE */
	const char *ca_file;      /* --ca-file */
	bool insecure;            /* --insecure */
	const char *gamma_url;    /* --gamma */
	bool no_gamma;            /* --no-gamma */
	size_t ring_size;         /* --ring-size */
	bool summary;             /* --summary: one line per second in headless mode */
	struct feed_config feed;  /* feed thread settings */
	struct market_config mcfg;/* health thresholds */
	struct ui_options ui;     /* screen settings */
	char **ids;               /* --asset / --assets-file ids */
	char **labels;            /* their labels, or NULL */
	size_t nids;              /* entries in ids/labels */
};

struct app {
	struct options *o;        /* settings */
	struct market_state m;    /* the model */
	struct ring *data;        /* feed -> UI */
	struct ring *cmd;         /* UI -> feed */
	struct feed *feed;        /* live network thread, or NULL */
	struct replay *replay;    /* replay thread, or NULL */
	struct gamma *gamma;      /* metadata lookups, or NULL */
	struct recorder *rec;     /* --record, or NULL */
	struct ui *ui;            /* the screen, or NULL when headless */
	pid_t sim_pid;            /* clobsim child for --demo, or 0 */
	char url[512];            /* what we connect to */
	char gamma_url[512];      /* metadata base URL */
	bool stdin_open;          /* headless: still reading commands */
	char inbuf[8192];         /* headless: partial command line */
	size_t inlen;             /* bytes in inbuf */
	bool stopped;             /* the source said it is finished */
	int exit_code;            /* what main returns */
};

/* ---- small helpers ---- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	ui_emergency_restore();
	va_list ap;
	va_start(ap, fmt);
	fputs("clobtop: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void on_quit(int sig)
{
	(void)sig;
	g_quit = 1;
}

static void on_fatal(int sig)
{
	g_fatal = 1;
	ui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Seconds with an optional fraction ("30", "0.25"), as ms. */
static int parse_secs_ms(const char *s, const char *opt)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400.0 * 365)
		die("%s wants seconds (for example 30 or 0.5), not '%s'", opt, s);
	return (int)(v * 1000.0 + 0.5);
}

static long parse_long(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s wants a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
	return v;
}

/* Bytes with an optional k/M/G suffix. */
static size_t parse_bytes(const char *s, const char *opt)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		die("%s wants a size in bytes (for example 65536, 64k, 32M), not '%s'", opt, s);
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v == 0)
		die("%s wants a size in bytes (for example 65536, 64k, 32M), not '%s'", opt, s);
	return (size_t)v;
}

static void add_id(struct options *o, const char *id, size_t idlen, const char *label)
{
	char **ids = realloc(o->ids, (o->nids + 1) * sizeof(*ids));
	char **labels = realloc(o->labels, (o->nids + 1) * sizeof(*labels));
	if (!ids || !labels)
		die("out of memory");
	o->ids = ids;
	o->labels = labels;
	o->ids[o->nids] = strndup(id, idlen);
	o->labels[o->nids] = label && *label ? strdup(label) : NULL;
	if (!o->ids[o->nids])
		die("out of memory");
	if (!token_id_valid(id, idlen))
		die("bad asset id '%.*s': a token id is 1 to %d decimal digits", (int)idlen, id,
		    TOKEN_ID_MAX);
	o->nids++;
}

/* --asset ID[=LABEL] */
static void add_asset_arg(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	add_id(o, arg, eq ? (size_t)(eq - arg) : strlen(arg), eq ? eq + 1 : NULL);
}

/* --assets-file: "ID [label...]" per line; '#' starts a comment. */
static void read_assets_file(struct options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot open assets file %s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		char *e = p;
		while (*e && !isspace((unsigned char)*e))
			e++;
		char *label = e;
		while (isspace((unsigned char)*label))
			label++;
		size_t ll = strlen(label);
		while (ll && isspace((unsigned char)label[ll - 1]))
			label[--ll] = '\0';
		add_id(o, p, (size_t)(e - p), label);
	}
	free(line);
	fclose(f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clobtop [OPTIONS]\n"
		"Watch the health of Polymarket's CLOB market-data feed: latency, spreads, books,\n"
		"trades and staleness, live.\n"
		"\n"
		"Source (default: the live market channel):\n"
		"  --url URL              market channel (default " DEFAULT_URL ")\n"
		"  --demo                 start clobsim on a free loopback port and watch it (offline)\n"
		"  --sim PATH             clobsim binary used by --demo (default: next to clobtop)\n"
		"  --replay FILE          frames from a JSON Lines recording instead of the network\n"
		"  --speed X|max          replay speed: 1 = as recorded (default max)\n"
		"Assets:\n"
		"  --asset ID[=LABEL]     subscribe to a token id (repeatable)\n"
		"  --assets-file FILE     token ids, one per line: ID [label]\n"
		"  --gamma URL            Gamma API for labels and slugs (default Polymarket's)\n"
		"  --no-gamma             never look up labels\n"
		"Connection:\n"
		"  --ca-file FILE         trust this PEM CA bundle (private CA)\n"
		"  --insecure             do not verify TLS certificates (warns)\n"
		"  --batch N              ids per subscription frame (default 100)\n"
		"  --ping-interval S      application PING period (default 10)\n"
		"  --dead-after S         no frame for this long = dead, reconnect (default 30)\n"
		"  --freeze-after S       only PONGs for this long = frozen, resubscribe (default 120)\n"
		"  --backoff-min S        first reconnect delay (default 1)\n"
		"  --backoff-max S        reconnect delay cap (default 60)\n"
		"  --max-message BYTES    drop larger messages (default 32M)\n"
		"  --ring-size BYTES      feed-to-UI ring (default 16M)\n"
		"Health:\n"
		"  --stale-warn S         quiet after this long without updates (default 10)\n"
		"  --stale-alert S        stale after this long (default 30)\n"
		"  --drift-grace S        exchange/book disagreement tolerated this long (default 2)\n"
		"  --no-auto-resync       report drift and gaps but do not resync\n"
		"Screen:\n"
		"  --refresh MS           render period (default 1000)\n"
		"  --levels N             book ladder depth (default 10)\n"
		"  --lat-warn MS          feed latency shown yellow from (default 5)\n"
		"  --lat-crit MS          and red above (default 10)\n"
		"  --no-color             monochrome (NO_COLOR is honoured too)\n"
		"  --no-mouse             do not capture the mouse\n"
		"Headless and files:\n"
		"  --headless             no screen; standard input takes commands:\n"
		"                         sub ID..., unsub ID..., resync ID, export PATH, quit\n"
		"  --duration S           stop after S seconds\n"
		"  --summary              headless: print one status line per second\n"
		"  --export FILE          write the snapshot to FILE on exit\n"
		"  --export-dir DIR       where 'e' and --export-every write (default .)\n"
		"  --export-every S       write a snapshot every S seconds\n"
		"  --depth N              levels per side in snapshots (default all)\n"
		"  --metrics-file FILE    Prometheus text format, rewritten every refresh\n"
		"  --record FILE          append every received frame as JSON Lines\n"
		"  -h, --help             this text\n"
		"  -V, --version          version\n"
		"\n"
		"Keys: ? help, a add, d unsubscribe, r resync, s sort, / filter, e export,\n"
		"      p pause, Tab next pane, Enter book, arrows/j/k/PgUp/PgDn/Home/End move, q quit.\n"
		"See clobtop(1).\n");
}

enum {
	OPT_URL = 256,
	OPT_DEMO,
	OPT_SIM,
	OPT_REPLAY,
	OPT_SPEED,
	OPT_HEADLESS,
	OPT_DURATION,
	OPT_EXPORT,
	OPT_EXPORT_DIR,
	OPT_EXPORT_EVERY,
	OPT_METRICS,
	OPT_DEPTH,
	OPT_RECORD,
	OPT_CA,
	OPT_INSECURE,
	OPT_GAMMA,
	OPT_NO_GAMMA,
	OPT_RING,
	OPT_SUMMARY,
	OPT_ASSET,
	OPT_ASSETS_FILE,
	OPT_BATCH,
	OPT_PING,
	OPT_DEAD,
	OPT_FREEZE,
	OPT_BMIN,
	OPT_BMAX,
	OPT_MAXMSG,
	OPT_STALE_WARN,
	OPT_STALE_ALERT,
	OPT_DRIFT,
	OPT_NO_RESYNC,
	OPT_REFRESH,
	OPT_LEVELS,
	OPT_LAT_WARN,
	OPT_LAT_CRIT,
	OPT_NO_COLOR,
	OPT_NO_MOUSE,
};

static const struct option long_opts[] = {
	{"url", required_argument, NULL, OPT_URL},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"sim", required_argument, NULL, OPT_SIM},
	{"replay", required_argument, NULL, OPT_REPLAY},
	{"speed", required_argument, NULL, OPT_SPEED},
	{"headless", no_argument, NULL, OPT_HEADLESS},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"export-dir", required_argument, NULL, OPT_EXPORT_DIR},
	{"export-every", required_argument, NULL, OPT_EXPORT_EVERY},
	{"metrics-file", required_argument, NULL, OPT_METRICS},
	{"depth", required_argument, NULL, OPT_DEPTH},
	{"record", required_argument, NULL, OPT_RECORD},
	{"ca-file", required_argument, NULL, OPT_CA},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"gamma", required_argument, NULL, OPT_GAMMA},
	{"no-gamma", no_argument, NULL, OPT_NO_GAMMA},
	{"ring-size", required_argument, NULL, OPT_RING},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"asset", required_argument, NULL, OPT_ASSET},
	{"assets-file", required_argument, NULL, OPT_ASSETS_FILE},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"ping-interval", required_argument, NULL, OPT_PING},
	{"dead-after", required_argument, NULL, OPT_DEAD},
	{"freeze-after", required_argument, NULL, OPT_FREEZE},
	{"backoff-min", required_argument, NULL, OPT_BMIN},
	{"backoff-max", required_argument, NULL, OPT_BMAX},
	{"max-message", required_argument, NULL, OPT_MAXMSG},
	{"stale-warn", required_argument, NULL, OPT_STALE_WARN},
	{"stale-alert", required_argument, NULL, OPT_STALE_ALERT},
	{"drift-grace", required_argument, NULL, OPT_DRIFT},
	{"no-auto-resync", no_argument, NULL, OPT_NO_RESYNC},
	{"refresh", required_argument, NULL, OPT_REFRESH},
	{"levels", required_argument, NULL, OPT_LEVELS},
	{"lat-warn", required_argument, NULL, OPT_LAT_WARN},
	{"lat-crit", required_argument, NULL, OPT_LAT_CRIT},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void parse_options(struct options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->url = DEFAULT_URL;
	o->ring_size = 16u << 20;
	feed_config_defaults(&o->feed);
	market_config_defaults(&o->mcfg);
	o->ui = (struct ui_options){.refresh_ms = 1000,
				    .book_levels = 10,
				    .lat_warn_ms = 5,
				    .lat_crit_ms = 10,
				    .mouse = true};
	o->gamma_url = GAMMA_BASE_URL;
	int c;
	while ((c = getopt_long(argc, argv, "hV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_URL:
			o->url = optarg;
			break;
		case OPT_DEMO:
			o->demo = true;
			break;
		case OPT_SIM:
			o->sim_path = optarg;
			break;
		case OPT_REPLAY:
			o->replay = optarg;
			break;
		case OPT_SPEED:
			if (strcmp(optarg, "max") == 0) {
				o->speed = 0;
			} else {
				char *end;
				o->speed = strtod(optarg, &end);
				if (*end || end == optarg || !(o->speed > 0))
					die("--speed wants a factor > 0 (1 = as recorded) or 'max'");
			}
			break;
		case OPT_HEADLESS:
			o->headless = true;
			break;
		case OPT_DURATION:
			o->duration_s = parse_secs_ms(optarg, "--duration") / 1000.0;
			break;
		case OPT_EXPORT:
			o->export_path = optarg;
			break;
		case OPT_EXPORT_DIR:
			o->export_dir = optarg;
			break;
		case OPT_EXPORT_EVERY:
			o->export_every_s = parse_secs_ms(optarg, "--export-every") / 1000.0;
			break;
		case OPT_METRICS:
			o->metrics_file = optarg;
			break;
		case OPT_DEPTH:
			o->depth = (int)parse_long(optarg, "--depth", 0, 100000);
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_CA:
			o->ca_file = optarg;
			break;
		case OPT_INSECURE:
			o->insecure = true;
			break;
		case OPT_GAMMA:
			o->gamma_url = optarg;
			break;
		case OPT_NO_GAMMA:
			o->no_gamma = true;
			break;
		case OPT_RING:
			o->ring_size = parse_bytes(optarg, "--ring-size");
			break;
		case OPT_SUMMARY:
			o->summary = true;
			break;
		case OPT_ASSET:
			add_asset_arg(o, optarg);
			break;
		case OPT_ASSETS_FILE:
			read_assets_file(o, optarg);
			break;
		case OPT_BATCH:
			o->feed.batch = (int)parse_long(optarg, "--batch", 1, 10000);
			break;
		case OPT_PING:
			o->feed.ping_ms = parse_secs_ms(optarg, "--ping-interval");
			break;
		case OPT_DEAD:
			o->feed.dead_ms = parse_secs_ms(optarg, "--dead-after");
			break;
		case OPT_FREEZE:
			o->feed.freeze_ms = parse_secs_ms(optarg, "--freeze-after");
			break;
		case OPT_BMIN:
			o->feed.backoff_min_ms = parse_secs_ms(optarg, "--backoff-min");
			break;
		case OPT_BMAX:
			o->feed.backoff_max_ms = parse_secs_ms(optarg, "--backoff-max");
			break;
		case OPT_MAXMSG:
			o->feed.max_message = parse_bytes(optarg, "--max-message");
			break;
		case OPT_STALE_WARN:
			o->mcfg.stale_warn_ms = parse_secs_ms(optarg, "--stale-warn");
			break;
		case OPT_STALE_ALERT:
			o->mcfg.stale_alert_ms = parse_secs_ms(optarg, "--stale-alert");
			break;
		case OPT_DRIFT:
			o->mcfg.drift_grace_ms = parse_secs_ms(optarg, "--drift-grace");
			break;
		case OPT_NO_RESYNC:
			o->mcfg.auto_resync = false;
			break;
		case OPT_REFRESH:
			o->ui.refresh_ms = (int)parse_long(optarg, "--refresh", 50, 60000);
			break;
		case OPT_LEVELS:
			o->ui.book_levels = (int)parse_long(optarg, "--levels", 1, 1000);
			break;
		case OPT_LAT_WARN:
			o->ui.lat_warn_ms = parse_long(optarg, "--lat-warn", 0, 1000000);
			break;
		case OPT_LAT_CRIT:
			o->ui.lat_crit_ms = parse_long(optarg, "--lat-crit", 0, 1000000);
			break;
		case OPT_NO_COLOR:
			o->ui.no_color = true;
			break;
		case OPT_NO_MOUSE:
			o->ui.mouse = false;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("clobtop %s (%s)\n", PACKAGE_VERSION, curl_version());
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (o->demo && o->replay)
		die("--demo and --replay are two different sources: choose one");
	if (o->mcfg.stale_alert_ms < o->mcfg.stale_warn_ms)
		die("--stale-alert (%" PRId64 " ms) must not be below --stale-warn (%" PRId64 " ms)",
		    o->mcfg.stale_alert_ms, o->mcfg.stale_warn_ms);
	if (o->feed.backoff_max_ms < o->feed.backoff_min_ms)
		die("--backoff-max must not be below --backoff-min");
	if (o->ui.lat_crit_ms < o->ui.lat_warn_ms)
		die("--lat-crit must not be below --lat-warn");
	if (!o->headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		die("the dashboard needs a terminal; use --headless for scripts");
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o->ui.no_color = true;
}

/* ---- the data source ---- */

static bool cmd_hook(void *ctx, enum feed_op op, const char *ids)
{
	struct app *a = ctx;
	if (!a->feed)
		return false;
	return feed_command(a->cmd, op, ids);
}

/* Where clobsim lives: --sim, next to this binary, or on PATH. */
static void find_sim(const struct options *o, char *path, size_t cap)
{
	if (o->sim_path) {
		snprintf(path, cap, "%s", o->sim_path);
		return;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, cap, "%s/clobsim", self);
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, cap, "clobsim");
}

/* Starts clobsim on a free loopback port with a dozen lively markets and an occasional
 * fault, and reads back its port and its token list. */
static void start_demo(struct app *a)
{
	char sim[PATH_MAX + 16];
	find_sim(a->o, sim, sizeof(sim));
	char assets[] = "/tmp/clobtop-demo-assets.XXXXXX";
	int afd = mkstemp(assets);
	if (afd < 0)
		die("cannot create a temporary file: %s", strerror(errno));
	close(afd);
	int pfd[2];
	if (pipe(pfd) != 0)
		die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		close(pfd[0]);
		close(pfd[1]);
		/* Lively, with something for every pane now and then: a market that never
		 * trades (stale), a transient cross, a withheld update (drift, then resync),
		 * a garbage frame, and a disconnect every few minutes. */
		execlp(sim, sim, "--port", "0", "--markets", "12", "--rate", "300",
		       "--quiet-markets", "1", "--cross-every", "4000", "--drop-every", "6000",
		       "--garbage-every", "30000", "--close-every", "180", "--assets-out", assets,
		       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	a->sim_pid = pid;
	/* Read "clobsim: listening on 127.0.0.1:PORT" within 10 s. */
	char buf[512];
	size_t len = 0;
	int port = 0;
	int64_t deadline = clock_mono_ns() + 10 * NS_PER_S;
	while (!port && clock_mono_ns() < deadline) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		const char *at = strstr(buf, "listening on 127.0.0.1:");
		if (at && strchr(at, '\n'))
			port = atoi(at + strlen("listening on 127.0.0.1:"));
	}
	close(pfd[0]);
	if (!port) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 127)
			die("--demo could not run %s: is clobsim installed next to clobtop? (--sim PATH)",
			    sim);
		die("--demo: %s did not report its port within 10 s", sim);
	}
	snprintf(a->url, sizeof(a->url), "ws://127.0.0.1:%d/ws/market", port);
	snprintf(a->gamma_url, sizeof(a->gamma_url), "http://127.0.0.1:%d", port);
	if (a->o->nids == 0)
		read_assets_file(a->o, assets);
	unlink(assets);
}

static void stop_demo(struct app *a)
{
	if (a->sim_pid <= 0)
		return;
	kill(a->sim_pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(a->sim_pid, NULL, WNOHANG) == a->sim_pid) {
			a->sim_pid = 0;
			return;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(a->sim_pid, SIGKILL);
	waitpid(a->sim_pid, NULL, 0);
	a->sim_pid = 0;
}

static void start_source(struct app *a)
{
	char err[512];
	const struct options *o = a->o;
	if (o->replay) {
		snprintf(a->url, sizeof(a->url), "file:%s", o->replay);
		market_set_source(&a->m, "replay", a->url, true);
		a->replay = replay_start(o->replay, o->speed, o->feed.max_message, a->data, err, sizeof(err));
		if (!a->replay)
			die("%s", err);
		return;
	}
	if (!curlcfg_has_ws(err, sizeof(err)))
		die("%s", err);
	market_set_source(&a->m, o->demo ? "demo" : "live", a->url, false);
	struct feed_config fc = o->feed;
	fc.url = a->url;
	fc.ca_file = o->ca_file;
	fc.insecure = o->insecure;
	fc.assets = (const char *const *)o->ids;
	fc.nassets = o->nids;
	a->feed = feed_start(&fc, a->data, a->cmd, err, sizeof(err));
	if (!a->feed)
		die("%s", err);
	market_set_cmd(&a->m, cmd_hook, a);
}

/* ---- exports ---- */

static struct export_options export_opts(const struct app *a)
{
	return (struct export_options){.depth = a->o->depth,
				       .url = a->url,
				       .now_mono_ns = clock_mono_ns(),
				       .now_real_ns = clock_real_ns()};
}

/* Hands the model the transport's numbers (it knows neither the feed nor the ring). */
static void refresh_feed_stats(struct app *a)
{
	struct transport_stats t = a->m.transport;
	if (a->feed) {
		struct feed_stats fs;
		feed_stats(a->feed, &fs);
		t.oversize = fs.oversize;
	}
	t.ring_drops = ring_dropped(a->data);
	t.ring_used = ring_used(a->data);
	t.ring_capacity = ring_capacity(a->data);
	market_set_transport_stats(&a->m, &t);
}

static bool export_hook(void *ctx, char *msg, size_t cap)
{
	struct app *a = ctx;
	char path[PATH_MAX], err[512];
	refresh_feed_stats(a);
	struct export_options eo = export_opts(a);
	if (export_snapshot_dir(&a->m, &eo, a->o->export_dir, path, sizeof(path), err,
				sizeof(err)) != 0) {
		snprintf(msg, cap, "export failed: %s", err);
		market_alert(&a->m, ALERT_EXPORT, NULL, "export failed: %s", err);
		return false;
	}
	snprintf(msg, cap, "snapshot written to %s", path);
	return true;
}

static bool export_to(struct app *a, const char *path, char *msg, size_t cap)
{
	char err[512];
	refresh_feed_stats(a);
	struct export_options eo = export_opts(a);
	if (export_snapshot(&a->m, &eo, path, err, sizeof(err)) != 0) {
		snprintf(msg, cap, "export failed: %s", err);
		market_alert(&a->m, ALERT_EXPORT, NULL, "export failed: %s", err);
		return false;
	}
	snprintf(msg, cap, "snapshot written to %s", path);
	return true;
}

/* ---- Gamma metadata ---- */

static bool lookup_hook(void *ctx, const char *text)
{
	struct app *a = ctx;
	return a->gamma && gamma_lookup_slug(a->gamma, text);
}

/* Queues Gamma lookups for assets without a label, GAMMA_MAX_IDS per request.  Each asset
 * is asked about once: a token Gamma does not know stays unknown, and asking again every
 * few seconds would hammer a public API.  A batch the queue refused is tried next time. */
static void request_labels(struct app *a)
{
	if (!a->gamma)
		return;
	char ids[GAMMA_MAX_IDS * ASSET_ID_MAX];
	size_t batch[GAMMA_MAX_IDS];
	size_t len = 0, n = 0;
	for (size_t i = 0; i <= a->m.nassets; i++) {
		struct asset *as = i < a->m.nassets ? &a->m.assets[i] : NULL;
		if (as && (as->label_from_user || as->question[0] || as->label_requested))
			continue;
		if (as) {
			size_t l = strlen(as->id);
			if (len)
				ids[len++] = ' ';
			memcpy(ids + len, as->id, l);
			len += l;
			ids[len] = '\0';
			batch[n++] = i;
		}
		if (n && (n == GAMMA_MAX_IDS || !as)) {
			if (!gamma_lookup_tokens(a->gamma, ids))
				return;
			for (size_t k = 0; k < n; k++)
				market_label_requested(&a->m, batch[k]);
			len = n = 0;
		}
	}
}

static void apply_gamma(struct app *a)
{
	struct gamma_result *r = malloc(sizeof(*r));
	if (!r)
		return;
	while (gamma_poll(a->gamma, r)) {
		if (!r->ok && r->nmarkets == 0) {
			market_alert(&a->m, ALERT_INFO, NULL, "lookup of %s failed: %s", r->query,
				     r->error);
			if (a->ui && r->kind == GAMMA_SLUG)
				ui_status(a->ui, "slug %s: %s", r->query, r->error);
			continue;
		}
		size_t added = 0;
		for (size_t i = 0; i < r->nmarkets; i++) {
			const struct gamma_market *g = &r->markets[i];
			for (size_t k = 0; k < g->ntokens; k++) {
				if (r->kind == GAMMA_SLUG && !g->closed &&
				    !market_find(&a->m, g->token[k], strlen(g->token[k]))) {
					if (market_add(&a->m, g->token[k], NULL) &&
					    cmd_hook(a, FEED_SUB, g->token[k]))
						added++;
				}
				market_set_info(&a->m, g->token[k], g->question, g->outcome[k],
						g->condition_id, g->tick);
			}
		}
		if (r->kind == GAMMA_SLUG) {
			market_alert(&a->m, ALERT_INFO, NULL, "slug %s: %zu markets, %zu new assets",
				     r->query, r->nmarkets, added);
			if (a->ui)
				ui_status(a->ui, "slug %s: %zu markets, %zu assets subscribed",
					  r->query, r->nmarkets, added);
		}
	}
	free(r);
}

/* ---- headless commands on standard input ---- */

static void headless_command(struct app *a, char *line)
{
	char *save = NULL;
	char *verb = strtok_r(line, " \t\r", &save);
	if (!verb || *verb == '#')
		return;
	char rest[sizeof(a->inbuf)] = "";
	size_t len = 0;
	for (char *w; (w = strtok_r(NULL, " \t\r", &save));) {
		int n = snprintf(rest + len, sizeof(rest) - len, "%s%s", len ? " " : "", w);
		if (n > 0 && (size_t)n < sizeof(rest) - len)
			len += (size_t)n;
	}
	char msg[PATH_MAX + 64];
	if (strcmp(verb, "quit") == 0 || strcmp(verb, "q") == 0) {
		g_quit = 1;
	} else if (strcmp(verb, "sub") == 0 || strcmp(verb, "unsub") == 0 ||
		   strcmp(verb, "resync") == 0) {
		if (!len) {
			fprintf(stderr, "clobtop: %s needs token ids\n", verb);
			return;
		}
		char ids[sizeof(rest)];
		memcpy(ids, rest, len + 1);
		char *s2 = NULL;
		for (char *id = strtok_r(ids, " ", &s2); id; id = strtok_r(NULL, " ", &s2)) {
			if (verb[0] == 's')
				market_add(&a->m, id, NULL);
			else if (verb[0] == 'u')
				market_remove(&a->m, id);
			else
				market_resync(&a->m, id, "operator");
		}
		if (verb[0] != 'r' && !cmd_hook(a, verb[0] == 's' ? FEED_SUB : FEED_UNSUB, rest))
			fprintf(stderr, "clobtop: %s: no live feed or command queue full\n", verb);
		if (verb[0] == 's')
			request_labels(a);
	} else if (strcmp(verb, "export") == 0) {
		bool ok = len ? export_to(a, rest, msg, sizeof(msg))
			      : export_hook(a, msg, sizeof(msg));
		fprintf(ok ? stdout : stderr, "clobtop: %s\n", msg);
		fflush(stdout);
	} else {
		fprintf(stderr,
			"clobtop: unknown command '%s' (sub ID..., unsub ID..., resync ID, export "
			"[PATH], quit)\n",
			verb);
	}
}

static void read_stdin_commands(struct app *a)
{
	ssize_t n = read(STDIN_FILENO, a->inbuf + a->inlen, sizeof(a->inbuf) - 1 - a->inlen);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			a->stdin_open = false;
		return;
	}
	a->inlen += (size_t)n;
	a->inbuf[a->inlen] = '\0';
	char *start = a->inbuf, *nl;
	while ((nl = memchr(start, '\n', a->inlen - (size_t)(start - a->inbuf)))) {
		*nl = '\0';
		headless_command(a, start);
		start = nl + 1;
	}
	size_t left = a->inlen - (size_t)(start - a->inbuf);
	if (left == sizeof(a->inbuf) - 1) {
		fprintf(stderr, "clobtop: command line too long, ignored\n");
		left = 0;
	}
	memmove(a->inbuf, start, left);
	a->inlen = left;
}

static void print_summary(struct app *a, int64_t now_mono)
{
	struct market_state *m = &a->m;
	int64_t now_s = market_now_s(m, now_mono);
	struct lat_summary f, p;
	lat_window_summary(m->feed_ms, now_s, 1, &f);
	lat_window_summary(m->pipeline_us, now_s, 1, &p);
	size_t n[ASSET_STATE_COUNT] = {0}, total = 0;
	for (size_t i = 0; i < m->nassets; i++)
		if (m->assets[i].subscribed) {
			n[m->assets[i].state]++;
			total++;
		}
	printf("t=%" PRId64 "s conn=%s frames=%" PRIu64 " msgs/s=%.0f assets=%zu fresh=%zu "
	       "await=%zu stale=%zu crossed=%zu drift=%zu feed_ms p50=%" PRId64 " p99=%" PRId64
	       " pipeline_us p50=%" PRId64 " p99=%" PRId64 " malformed=%" PRIu64 " dropped=%" PRIu64
	       " reconnects=%" PRIu64 "\n",
	       now_s, a->replay ? "replay" : conn_kind_name(m->conn.event), m->cnt.frames,
	       rate_per_sec(&m->msg_rate, now_s, 1), total, n[ASSET_FRESH] + n[ASSET_QUIET],
	       n[ASSET_AWAITING], n[ASSET_STALE], n[ASSET_CROSSED], n[ASSET_DRIFT], f.p50, f.p99,
	       p.p50, p.p99, m->cnt.malformed, m->transport.ring_drops,
	       m->conn.reconnects);
	fflush(stdout);
}

/* ---- the loop ---- */

/* Applies records until the ring is empty (returns false) or, under a flood, until
 * until_mono has passed so the screen and keys get their turn (returns true: more wait). */
static bool drain(struct app *a, int64_t until_mono)
{
	struct ring_rec rec;
	unsigned n = 0;
	/* The model reads the clock itself for the pipeline latency; this one only feeds the
	 * one-second rate windows, so it is refreshed every 64 records, not per record. */
	int64_t now = clock_mono_ns();
	while (ring_peek(a->data, &rec)) {
		if (a->rec && rec.kind == REC_FRAME &&
		    recorder_write(a->rec, rec.t_real_ns, rec.data, rec.len) != 0 &&
		    recorder_error(a->rec)[0]) {
			market_alert(&a->m, ALERT_INFO, NULL, "%s; recording stopped",
				     recorder_error(a->rec));
			recorder_close(a->rec);
			a->rec = NULL;
		}
		if (rec.kind == REC_CONN && a->replay) {
			const struct conn_event *ce = rec.data;
			if (rec.len >= sizeof(*ce) && ce->kind == CONN_STOPPED)
				a->stopped = true;
		}
		market_apply_record(&a->m, &rec, now);
		ring_release(a->data);
		if ((++n & 63) == 0) {
			now = clock_mono_ns();
			/* Keep the screen and keys alive under a flood. */
			if (now >= until_mono)
				return true;
		}
	}
	return false;
}

static void run(struct app *a)
{
	const struct options *o = a->o;
	const int64_t start = clock_mono_ns();
	const int64_t refresh = (int64_t)o->ui.refresh_ms * NS_PER_MS;
	const int64_t end = o->duration_s > 0 ? start + (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	const int64_t export_every = (int64_t)(o->export_every_s * 1e9);
	int64_t next_render = start, next_export = export_every ? start + export_every : INT64_MAX;
	int64_t next_summary = start + NS_PER_S;
	int64_t next_labels = start + 5 * NS_PER_S;
	bool backlog = false; /* records left in the ring by the last drain */

	while (!g_quit) {
		int64_t now = clock_mono_ns();
		if (now >= end)
			break;
		int64_t wake = next_render < end ? next_render : end;
		if (o->summary && next_summary < wake)
			wake = next_summary;
		struct pollfd p[3];
		int np = 0;
		p[np++] = (struct pollfd){.fd = ring_wake_fd(a->data), .events = POLLIN};
		int in_idx = -1, g_idx = -1;
		if (a->ui || a->stdin_open) {
			in_idx = np;
			p[np++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		}
		if (a->gamma) {
			g_idx = np;
			p[np++] = (struct pollfd){.fd = gamma_wake_fd(a->gamma), .events = POLLIN};
		}
		int timeout = wake > now ? (int)((wake - now + NS_PER_MS - 1) / NS_PER_MS) : 0;
		/* The ring wakes us only on empty -> non-empty: with a backlog, never sleep. */
		if (backlog)
			timeout = 0;
		int rc = poll(p, (nfds_t)np, timeout);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (rc > 0 && (p[0].revents & POLLIN))
			ring_wake_drain(a->data);
		backlog = drain(a, next_render);

		/* The UI reads keys without blocking; calling it on every wake-up (a signal
		 * such as SIGWINCH included) makes resizes immediate. */
		if (a->ui) {
			if (!ui_handle_input(a->ui, &a->m))
				break;
		} else if (in_idx >= 0 && rc > 0 && p[in_idx].revents) {
			read_stdin_commands(a);
		}
		if (g_idx >= 0 && rc > 0 && (p[g_idx].revents & POLLIN))
			apply_gamma(a);

		now = clock_mono_ns();
		if (now >= next_render) {
			refresh_feed_stats(a);
			market_tick(&a->m, now);
			if (a->ui)
				ui_render(a->ui, &a->m, now, clock_real_ns());
			if (o->metrics_file) {
				char err[512];
				struct export_options eo = export_opts(a);
				if (export_metrics(&a->m, &eo, o->metrics_file, err, sizeof(err)) != 0)
					market_alert(&a->m, ALERT_EXPORT, NULL, "metrics: %s", err);
			}
			next_render += refresh;
			if (next_render <= now)
				next_render = now + refresh;
		}
		if (o->summary && now >= next_summary) {
			print_summary(a, now);
			next_summary += NS_PER_S;
		}
		if (now >= next_export) {
			char msg[PATH_MAX + 64];
			export_hook(a, msg, sizeof(msg));
			if (a->ui)
				ui_status(a->ui, "%s", msg);
			next_export += export_every;
		}
		if (now >= next_labels) {
			/* Assets seen since start (new books, slugs) get their labels too. */
			request_labels(a);
			next_labels = now + 30 * NS_PER_S;
		}
		if (a->stopped && o->headless)
			break; /* the replay is over and everything in it is applied */
	}
}

int main(int argc, char **argv)
{
	/* Characters only: numbers are parsed and printed the C way whatever the locale. */
	setlocale(LC_CTYPE, "");
	struct options o;
	parse_options(&o, argc, argv);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("libcurl failed to initialise");

	struct app a = {.o = &o, .stdin_open = true};
	snprintf(a.url, sizeof(a.url), "%s", o.url);
	snprintf(a.gamma_url, sizeof(a.gamma_url), "%s", o.gamma_url);

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

	if (o.insecure)
		fprintf(stderr, "clobtop: warning: --insecure: TLS certificates are NOT verified\n");
	if (o.demo)
		start_demo(&a);

	/* A recording holds whatever it holds; live, only what we subscribed to counts. */
	o.mcfg.auto_add = o.replay != NULL;
	if (market_init(&a.m, &o.mcfg) != 0)
		die("out of memory");
	a.data = ring_create(o.ring_size);
	a.cmd = ring_create(1 << 20);
	if (!a.data || !a.cmd)
		die("cannot create the rings (%zu bytes): %s", o.ring_size, strerror(errno));
	if (o.insecure)
		market_alert(&a.m, ALERT_CONNECTION, NULL,
			     "--insecure: TLS certificates are NOT verified");
	for (size_t i = 0; i < o.nids; i++)
		if (!market_add(&a.m, o.ids[i], o.labels[i]))
			die("cannot add asset %s", o.ids[i]);
	if (o.record) {
		char err[512];
		a.rec = recorder_open(o.record, err, sizeof(err));
		if (!a.rec)
			die("%s", err);
	}
	if (!o.no_gamma && !o.replay) {
		char err[512];
		a.gamma = gamma_start(a.gamma_url, o.ca_file, o.insecure, err, sizeof(err));
		if (!a.gamma)
			fprintf(stderr, "clobtop: labels unavailable: %s\n", err);
		request_labels(&a);
	}
	if (o.headless) {
		int fl = fcntl(STDIN_FILENO, F_GETFL);
		if (fl < 0 || fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) < 0)
			a.stdin_open = false;
	} else {
		char err[512];
		struct ui_hooks hooks = {.command = cmd_hook,
					 .export_now = export_hook,
					 .lookup = lookup_hook,
					 .ctx = &a};
		a.ui = ui_create(&o.ui, &hooks, err, sizeof(err));
		if (!a.ui) {
			stop_demo(&a);
			die("%s", err);
		}
	}

	start_source(&a);
	run(&a);

	/* Shut down in reverse: sources first, so the last records are applied. */
	refresh_feed_stats(&a);
	if (a.feed) {
		feed_stop(a.feed);
		a.feed = NULL; /* the model keeps the numbers of the last refresh */
	}
	if (a.replay) {
		replay_stop(a.replay);
		a.replay = NULL;
	}
	drain(&a, INT64_MAX);
	market_tick(&a.m, clock_mono_ns());
	if (a.ui) {
		ui_destroy(a.ui);
		a.ui = NULL;
	}
	if (o.export_path) {
		char msg[PATH_MAX + 64];
		if (!export_to(&a, o.export_path, msg, sizeof(msg))) {
			fprintf(stderr, "clobtop: %s\n", msg);
			a.exit_code = 1;
		}
	}
	if (a.rec && recorder_close(a.rec) != 0) {
		fprintf(stderr, "clobtop: recording to %s failed\n", o.record);
		a.exit_code = 1;
	}
	gamma_stop(a.gamma);
	stop_demo(&a);
	market_free(&a.m);
	ring_destroy(a.data);
	ring_destroy(a.cmd);
	for (size_t i = 0; i < o.nids; i++) {
		free(o.ids[i]);
		free(o.labels[i]);
	}
	free(o.ids);
	free(o.labels);
	curl_global_cleanup();
	return a.exit_code;
}
