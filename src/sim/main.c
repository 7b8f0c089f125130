/*
 * clobsim main: command-line options, then net_run().
 *
 * One table describes every option (name, argument, default, help): it drives
 * getopt_long, the defaults and --help, so each default is written once.  Every option
 * is validated with a message naming the option and the accepted form; clobsim never
 * starts serving with a half-understood configuration.  man/clobsim.1 must list every
 * option of the table (tests/sim_options.sh checks it).  Runs on clobsim's only thread,
 * before the server starts.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "num.h"
#include "sim.h"

enum otype {
	T_STR,     /* the argument itself (const char *) */
	T_COUNT,   /* a whole number >= 0 (uint64_t) */
	T_SECONDS, /* seconds >= 0 (double) */
	T_INT,     /* a whole number in [lo, hi] (int) */
	T_SIZE,    /* bytes, K/M/G suffix (size_t) */
	T_BYTES,   /* bytes, K/M/G suffix (uint64_t) */
	T_TRUE,    /* no argument: sets a bool that is false until given */
	T_FALSE,   /* no argument: clears a bool that is true until given */
	T_FN,      /* parsed by set() */
	T_HELP,    /* print --help and exit */
	T_VERSION, /* print the version and exit */
};

struct opt {
	const char *section; /* heading printed before it in --help ("" a blank line), or NULL */
	const char *name;    /* long option */
	char key;            /* short option, or 0 */
	const char *arg;     /* its argument in --help, NULL when it takes none */
	const char *dflt;    /* default, as typed on the command line, or NULL */
	enum otype type;     /* how the argument is parsed and stored */
	size_t off;          /* where it is stored: offset in struct sim_cfg */
	long long lo, hi;    /* T_INT: accepted range */
	void (*set)(struct sim_cfg *cfg, const char *arg); /* T_FN: parse and store */
	const char *help;                                  /* one line of --help, wrapped */
};

/* Offset of cfg field f, which must have type T (a mismatch does not compile). */
#define AT(f, T)                                                                                   \
	(offsetof(struct sim_cfg, f) + 0 * sizeof((T *)NULL == &((struct sim_cfg *)NULL)->f))
#define STR(f)         T_STR, AT(f, const char *), 0, 0, NULL
#define COUNT(f)       T_COUNT, AT(f, uint64_t), 0, 0, NULL
#define SECS(f)        T_SECONDS, AT(f, double), 0, 0, NULL
#define INT(f, lo, hi) T_INT, AT(f, int), lo, hi, NULL
#define SIZE(f)        T_SIZE, AT(f, size_t), 0, 0, NULL
#define BYTES(f)       T_BYTES, AT(f, uint64_t), 0, 0, NULL
#define FLAG(t, f)     t, AT(f, bool), 0, 0, NULL
#define FN(fn)         T_FN, 0, 0, 0, fn
#define ACTION(t)      t, 0, 0, 0, NULL

static const char *opt_name;

static void die_opt(const char *arg, const char *want)
{
	fprintf(stderr, "clobsim: --%s: '%s' is not %s (see clobsim --help)\n", opt_name, arg,
	        want);
	exit(2);
}

static uint64_t parse_count(const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-')
		die_opt(arg, "a whole number >= 0");
	return (uint64_t)v;
}

static uint64_t parse_bytes(const char *arg)
{
	uint64_t v;
	if (num_parse_bytes(arg, &v) != 0)
		die_opt(arg, "a byte count such as 4096, 64K, 40M");
	return v;
}

static double parse_number(const char *arg, const char *want)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0) || v > 1e9)
		die_opt(arg, want);
	return v;
}

static double parse_seconds(const char *arg)
{
	return parse_number(arg, "a number of seconds >= 0");
}

static int parse_int(const char *arg, long long lo, long long hi)
{
	uint64_t v = parse_count(arg);
	char want[64];

	if (v < (uint64_t)lo || v > (uint64_t)hi) {
		snprintf(want, sizeof want, "a whole number from %lld to %lld", lo, hi);
		die_opt(arg, want);
	}
	return (int)v;
}

static void set_rate(struct sim_cfg *cfg, const char *arg)
{
	if (!strcmp(arg, "max")) {
		cfg->rate_max = true;
	} else {
		cfg->rate = parse_number(arg, "a rate in frames/s >= 0, or max");
		cfg->rate_max = false;
	}
}

static void set_speed(struct sim_cfg *cfg, const char *arg)
{
	if (!strcmp(arg, "max")) {
		cfg->speed_max = true;
		return;
	}
	cfg->speed = parse_number(arg, "a factor > 0, or max");
	if (cfg->speed <= 0)
		die_opt(arg, "a factor > 0 or max");
}

static void set_levels(struct sim_cfg *cfg, const char *arg)
{
	int lo, hi, n = 0;

	if (sscanf(arg, "%d-%d%n", &lo, &hi, &n) != 2 || arg[n] || lo < 1 || hi < lo || hi > 400)
		die_opt(arg, "MIN-MAX with 1 <= MIN <= MAX <= 400");
	cfg->gen.min_levels = lo;
	cfg->gen.max_levels = hi;
}

static void set_max_message(struct sim_cfg *cfg, const char *arg)
{
	cfg->max_msg = (size_t)parse_bytes(arg);
	if (cfg->max_msg < 1024)
		die_opt(arg, "at least 1K");
}

static void set_oversize_bytes(struct sim_cfg *cfg, const char *arg)
{
	cfg->fault.oversize_bytes = (size_t)parse_bytes(arg);
	if (cfg->fault.oversize_bytes < 64 || cfg->fault.oversize_bytes > (1ULL << 32))
		die_opt(arg, "a size from 64 bytes to 4G");
}

static void set_rest_limit(struct sim_cfg *cfg, const char *arg)
{
	unsigned book, books;
	int n = 0;

	if (sscanf(arg, "%u,%u%n", &book, &books, &n) != 2 || arg[n] || arg[0] == '-' ||
	    book > REST_LIMIT_MAX || books > REST_LIMIT_MAX)
		die_opt(arg,
		        "BOOK,BOOKS: two request counts per 10 s from 0 to 100000 (0 = no limit)");
	cfg->rest.limit_book = book;
	cfg->rest.limit_books = books;
}

static void set_rest_fault(struct sim_cfg *cfg, const char *arg)
{
	char err[160];

	if (restctl_arm_spec(&cfg->rest.faults, arg, err, sizeof err) != 0) {
		fprintf(stderr, "clobsim: --rest-fault: '%s': %s (see clobsim --help)\n", arg, err);
		exit(2);
	}
}

/* clang-format off */
static const struct opt opts[] = {
{"Server", "port", 'p', "N", "0", INT(port, 0, 65535),
 "TCP port on 127.0.0.1 (0 = pick a free one)"},
{NULL, "port-file", 0, "FILE", NULL, STR(port_file), "also write the chosen port to FILE"},
{NULL, "log", 0, "FILE", NULL, STR(log_file),
 "log (client frames, faults, closes) to FILE, not stderr"},
{NULL, "state-file", 0, "FILE", NULL, STR(state_file),
 "write the final books as a clobtop snapshot at exit"},
{NULL, "assets-out", 0, "FILE", NULL, STR(assets_out),
 "write \"TOKEN label\" per token at start (clobtop --assets-file)"},
{NULL, "tls-cert", 0, "FILE", NULL, STR(tls_cert),
 "PEM certificate chain: serve wss:// and https://"},
{NULL, "tls-key", 0, "FILE", NULL, STR(tls_key), "PEM private key for --tls-cert"},
{NULL, "duration", 0, "S", NULL, SECS(duration),
 "exit by itself after S seconds (default: run until signalled)"},
{NULL, "max-buffer", 0, "BYTES", "64M", SIZE(max_buffer),
 "unsent bytes before a slow client is dropped"},
{NULL, "max-message", 0, "BYTES", "1M", FN(set_max_message),
 "largest client message accepted (else close 1009)"},
{NULL, "max-assets", 0, "N", "2000", INT(max_assets, 1, INT_MAX),
 "asset ids in one client frame before the socket is closed"},
{"Synthetic markets", "markets", 'm', "N", "12", INT(gen.markets, 1, GEN_MAX_MARKETS),
 "binary markets at start, two tokens each"},
{NULL, "new-markets", 0, "N", "4", INT(gen.extra_markets, 0, GEN_MAX_MARKETS),
 "hidden markets revealed by new_market frames"},
{NULL, "seed", 's', "N", "1", COUNT(gen.seed), "seed for ids, books and flow"},
{NULL, "rate", 'r', "R|max", "500", FN(set_rate),
 "frames per second in total (0 = no flow; max = as fast as the slowest subscribed "
 "reader takes them)"},
{NULL, "levels", 0, "MIN-MAX", "10-40", FN(set_levels), "levels per book side"},
{NULL, "no-book-after-trade", 0, NULL, NULL, FLAG(T_FALSE, gen.book_after_trade),
 "do not send a book snapshot after each trade"},
{NULL, "new-market-every", 0, "S", "10", SECS(new_market_every),
 "seconds between new_market frames (0 = never)"},
{NULL, "quiet-markets", 0, "N", NULL, INT(gen.quiet_markets, 0, 1000),
 "the last N markets never trade or change (they go stale)"},
{NULL, "resolve-every", 0, "S", "0", SECS(resolve_every),
 "seconds between market_resolved frames (0 = never)"},
{"Replay", "replay", 0, "FILE", NULL, STR(replay),
 "serve FILE's frames (JSON Lines: raw frames, or {\"t_ns\":N,\"frame\":\"...\"} records) "
 "to each subscriber"},
{NULL, "speed", 0, "X|max", "1", FN(set_speed), "replay speed factor (1 = recorded pace)"},
{"Faults (per connection unless said otherwise; N counts data frames)", "fault-client", 0,
 "ID", NULL, COUNT(fault.client), "apply the faults below to connection ID only"},
{NULL, "close-after", 0, "N", NULL, COUNT(fault.close_after),
 "close the TCP connection abruptly after N data frames"},
{NULL, "close-every", 0, "S", NULL, SECS(fault.close_every),
 "close every connection abruptly every S seconds"},
{NULL, "stall-after", 0, "N", NULL, COUNT(fault.stall_after),
 "after N data frames send nothing at all (socket kept open)"},
{NULL, "freeze-after", 0, "N", NULL, COUNT(fault.freeze_after),
 "after N data frames send only PONG replies (silent freeze)"},
{NULL, "garbage-every", 0, "N", NULL, COUNT(fault.garbage_every),
 "an invalid-JSON text frame after every N data frames"},
{NULL, "truncate-every", 0, "N", NULL, COUNT(fault.truncate_every),
 "a truncated copy of every N-th data frame"},
{NULL, "oversize-every", 0, "N", NULL, COUNT(fault.oversize_every),
 "an oversize frame of valid JSON after every N data frames"},
{NULL, "oversize-bytes", 0, "B", "40M", FN(set_oversize_bytes), "size of that frame"},
{NULL, "fragment", 0, NULL, NULL, FLAG(T_TRUE, fault.fragment),
 "split every frame into three WebSocket fragments"},
{NULL, "cross-every", 0, "N", NULL, COUNT(gen.cross_every),
 "every N frames in total, cross a book for one frame"},
{NULL, "wrong-bbo-every", 0, "N", NULL, COUNT(gen.wrong_bbo_every),
 "every N frames in total, a best_bid_ask that disagrees"},
{NULL, "drop-every", 0, "N", NULL, COUNT(fault.drop_every),
 "withhold one price_change every N (the truth still moves)"},
{NULL, "slow-write", 0, "B", NULL, BYTES(fault.slow_write),
 "write at most B bytes/s to each connection"},
{"REST (GET /book, POST /books)", "rest-limit", 0, "BOOK,BOOKS", "1500,500", FN(set_rest_limit),
 "requests per sliding 10 s window, beyond which the answer is 429 with Retry-After "
 "(0 = no limit)"},
{NULL, "rest-fault", 0, "SPEC", NULL, FN(set_rest_fault),
 "arm a REST fault at start, repeatable: rest500[:N], rest429[=S][:N] (Retry-After S, "
 "default 1), restslow=MS[:N] (answer held MS ms), restwrong[=ASSET][:N] (best bid size "
 "+1 share); N answers (default 1)"},
{"", "help", 'h', NULL, NULL, ACTION(T_HELP), "this text"},
{NULL, "version", 'V', NULL, NULL, ACTION(T_VERSION), "version"},
};
/* clang-format on */

#define NOPTS     (sizeof opts / sizeof opts[0])
#define KEY_BASE  256 /* getopt value of option i without a short form: KEY_BASE + i */
#define HELP_COL  27  /* column of the help text */
#define HELP_WRAP 89  /* --help lines are at most this long */

static const char usage_head[] =
    "Usage: clobsim [OPTION]...\n"
    "A local Polymarket-compatible CLOB market-channel server (WebSocket + REST) with\n"
    "synthetic markets, replay of recordings, and fault injection.\n";

static const char usage_tail[] =
    "\n"
    "Endpoints: ws://127.0.0.1:PORT/ws/market (market channel), /ws/user (closed with\n"
    "1008), GET /book?token_id=ID, POST /books [{\"token_id\":ID},...] (at most 250),\n"
    "/markets?clob_token_ids=ID[,ID], /markets/slug/SLUG, /state, /stats, /health,\n"
    "/fault?kind=close|stall|freeze|resume|garbage|truncate|oversize|drop|cross|wrongbbo|\n"
    "newmarket|resolve|pause|play[&client=ID] (pause and play stop and restart the\n"
    "synthetic flow: the truth stands still), /fault?kind=rest500|rest429|restslow|\n"
    "restwrong[&count=N][&retry_after=S][&ms=M][&asset_id=ID] (the next N REST book\n"
    "answers).\n"
    "BYTES accept a K, M or G suffix (powers of 1024).  See clobsim(1).\n";

/* Print text from column col, word-wrapped before HELP_WRAP, continuing at HELP_COL. */
static void print_wrapped(const char *text, int col)
{
	bool first = true;

	for (const char *p = text; *p;) {
		size_t w = strcspn(p, " ");
		if (!first && col + 1 + (int)w > HELP_WRAP) {
			printf("\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (!first) {
			col += printf(" ");
		}
		col += printf("%.*s", (int)w, p);
		first = false;
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

/* An option's help with its default: "(0 = never)" becomes "(0 = never; default 0)",
 * other texts get " (default X)". */
static const char *help_text(const struct opt *o, char *buf, size_t cap)
{
	size_t n = strlen(o->help);

	if (!o->dflt)
		return o->help;
	if (n && o->help[n - 1] == ')')
		snprintf(buf, cap, "%.*s; default %s)", (int)n - 1, o->help, o->dflt);
	else
		snprintf(buf, cap, "%s (default %s)", o->help, o->dflt);
	return buf;
}

static void print_help(void)
{
	char help[512];

	fputs(usage_head, stdout);
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		int col;

		if (o->section)
			printf("\n%s%s", o->section, *o->section ? ":\n" : "");
		col = printf("  %c%c%c --%s%s%s", o->key ? '-' : ' ', o->key ? o->key : ' ',
		             o->key ? ',' : ' ', o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		col += printf("%*s", col < HELP_COL ? HELP_COL - col : 2, "");
		print_wrapped(help_text(o, help, sizeof help), col);
	}
	fputs(usage_tail, stdout);
}

static void apply(const struct opt *o, struct sim_cfg *cfg, const char *arg)
{
	void *at = (char *)cfg + o->off;

	opt_name = o->name;
	switch (o->type) {
	case T_STR:
		*(const char **)at = arg;
		break;
	case T_COUNT:
		*(uint64_t *)at = parse_count(arg);
		break;
	case T_SECONDS:
		*(double *)at = parse_seconds(arg);
		break;
	case T_INT:
		*(int *)at = parse_int(arg, o->lo, o->hi);
		break;
	case T_SIZE:
		*(size_t *)at = (size_t)parse_bytes(arg);
		break;
	case T_BYTES:
		*(uint64_t *)at = parse_bytes(arg);
		break;
	case T_TRUE:
	case T_FALSE:
		*(bool *)at = o->type == T_TRUE;
		break;
	case T_FN:
		o->set(cfg, arg);
		break;
	case T_HELP:
	case T_VERSION:
		break;
	}
}

/* Every default, parsed as if it had been typed; a flag's bool starts opposite to what
 * the flag sets. */
static void set_defaults(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		if (o->dflt)
			apply(o, cfg, o->dflt);
		else if (o->type == T_FALSE)
			*(bool *)((char *)cfg + o->off) = true;
	}
}

/* Parse argv into cfg.  Returns -1 to go on, else the exit code (--help, errors). */
static int parse_args(int argc, char **argv, struct sim_cfg *cfg)
{
	static struct option longopts[NOPTS + 1];
	char shorts[2 * NOPTS + 1];
	size_t ns = 0;
	int ch;

	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		int val = o->key ? o->key : KEY_BASE + (int)i;
		longopts[i] =
		    (struct option){o->name, o->arg ? required_argument : no_argument, NULL, val};
		if (o->key) {
			shorts[ns++] = o->key;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		size_t i = 0;
		while (i < NOPTS && longopts[i].val != ch)
			i++;
		if (i == NOPTS) {
			fputs("Try 'clobsim --help'.\n", stderr);
			return 2;
		}
		if (opts[i].type == T_HELP) {
			print_help();
			return 0;
		}
		if (opts[i].type == T_VERSION) {
			printf("clobsim %s\n", PACKAGE_VERSION);
			return 0;
		}
		apply(&opts[i], cfg, optarg);
	}
	if (optind < argc) {
		fprintf(stderr, "clobsim: unexpected argument '%s' (try 'clobsim --help')\n",
		        argv[optind]);
		return 2;
	}
	return -1;
}

/* Rules between options.  Returns 0, or 2 after saying why. */
static int check_cfg(const struct sim_cfg *cfg)
{
	if (!cfg->tls_cert != !cfg->tls_key) {
		fputs("clobsim: --tls-cert and --tls-key go together\n", stderr);
		return 2;
	}
	if (cfg->gen.markets + cfg->gen.extra_markets > GEN_MAX_MARKETS) {
		fprintf(stderr, "clobsim: --markets plus --new-markets must not exceed %d\n",
		        GEN_MAX_MARKETS);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_cfg cfg;
	int rc;

	set_defaults(&cfg);
	rc = parse_args(argc, argv, &cfg);
	if (rc >= 0)
		return rc;
	if ((rc = check_cfg(&cfg)) != 0)
		return rc;
	if (sim_log_open(cfg.log_file) != 0) {
		fprintf(stderr, "clobsim: cannot open log %s: %s\n", cfg.log_file, strerror(errno));
		return 1;
	}
	rc = net_run(&cfg);
	sim_log_close();
	return rc;
}
