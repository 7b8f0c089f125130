/*
 * clobsim main: command-line options, then net_run().
 *
 * Validates every option with a message naming the option and the accepted form; never
 * starts serving with a half-understood configuration.  The --help text and
 * man/clobsim.1 describe the same options and must be kept in step.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sim.h"

static const char usage[] =
    "Usage: clobsim [OPTION]...\n"
    "A local Polymarket-compatible CLOB market-channel server (WebSocket + REST) with\n"
    "synthetic markets, replay of recordings, and fault injection.\n"
    "\n"
    "Server:\n"
    "  -p, --port N             TCP port on 127.0.0.1 (0 = pick a free one; default 0)\n"
    "      --port-file FILE     also write the chosen port to FILE\n"
    "      --log FILE           log (client frames, faults, closes) to FILE, not stderr\n"
    "      --state-file FILE    write the final books as a clobtop snapshot at exit\n"
    "      --assets-out FILE    write \"TOKEN label\" per token at start (clobtop --assets-file)\n"
    "      --tls-cert FILE      PEM certificate chain: serve wss:// and https://\n"
    "      --tls-key FILE       PEM private key for --tls-cert\n"
    "      --duration S         exit by itself after S seconds (default: run until signalled)\n"
    "      --max-buffer BYTES   unsent bytes before a slow client is dropped (default 64M)\n"
    "      --max-message BYTES  largest client message accepted (default 1M; else 1009)\n"
    "      --max-assets N       asset ids in one client frame before the socket is closed\n"
    "                           (default 2000)\n"
    "\n"
    "Synthetic markets:\n"
    "  -m, --markets N          binary markets at start, two tokens each (default 12)\n"
    "      --new-markets N      hidden markets revealed by new_market frames (default 4)\n"
    "  -s, --seed N             seed for ids, books and flow (default 1)\n"
    "  -r, --rate R|max         frames per second in total (default 500; 0 = no flow;\n"
    "                           max = as fast as the slowest subscribed reader takes them)\n"
    "      --levels MIN-MAX     levels per book side (default 10-40)\n"
    "      --no-book-after-trade  do not send a book snapshot after each trade\n"
    "      --new-market-every S seconds between new_market frames (default 10; 0 = never)\n"
    "      --quiet-markets N    the last N markets never trade or change (they go stale)\n"
    "      --resolve-every S    seconds between market_resolved frames (default 0 = never)\n"
    "\n"
    "Replay:\n"
    "      --replay FILE        serve FILE's frames (JSON Lines: raw frames, or\n"
    "                           {\"t_ns\":N,\"frame\":\"...\"} records) to each subscriber\n"
    "      --speed X|max        replay speed factor (default 1 = recorded pace)\n"
    "\n"
    "Faults (per connection unless said otherwise; N counts data frames):\n"
    "      --fault-client ID    apply the faults below to connection ID only\n"
    "      --close-after N      close the TCP connection abruptly after N data frames\n"
    "      --close-every S      close every connection abruptly every S seconds\n"
    "      --stall-after N      after N data frames send nothing at all (socket kept open)\n"
    "      --freeze-after N     after N data frames send only PONG replies (silent freeze)\n"
    "      --garbage-every N    an invalid-JSON text frame after every N data frames\n"
    "      --truncate-every N   a truncated copy of every N-th data frame\n"
    "      --oversize-every N   an oversize frame of valid JSON after every N data frames\n"
    "      --oversize-bytes B   size of that frame (default 40M)\n"
    "      --fragment           split every frame into three WebSocket fragments\n"
    "      --cross-every N      every N frames in total, cross a book for one frame\n"
    "      --wrong-bbo-every N  every N frames in total, a best_bid_ask that disagrees\n"
    "      --drop-every N       withhold one price_change every N (the truth still moves)\n"
    "      --slow-write B       write at most B bytes/s to each connection\n"
    "\n"
    "  -h, --help               this text\n"
    "  -V, --version            version\n"
    "\n"
    "Endpoints: ws://127.0.0.1:PORT/ws/market (market channel), /ws/user (closed with\n"
    "1008), GET /book?token_id=ID, /markets?clob_token_ids=ID[,ID], /markets/slug/SLUG,\n"
    "/state, /stats, /health, /fault?kind=close|stall|freeze|resume|garbage|truncate|\n"
    "oversize|drop|cross|wrongbbo|newmarket|resolve|pause|play[&client=ID]\n"
    "(pause and play stop and restart the synthetic flow: the truth stands still).\n"
    "BYTES accept a K, M or G suffix (powers of 1024).  See clobsim(1).\n";

enum {
	OPT_PORT_FILE = 1000,
	OPT_LOG,
	OPT_STATE_FILE,
	OPT_ASSETS_OUT,
	OPT_QUIET_MARKETS,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_DURATION,
	OPT_MAX_BUFFER,
	OPT_MAX_MESSAGE,
	OPT_MAX_ASSETS,
	OPT_NEW_MARKETS,
	OPT_LEVELS,
	OPT_NO_BOOK_AFTER_TRADE,
	OPT_NEW_MARKET_EVERY,
	OPT_RESOLVE_EVERY,
	OPT_REPLAY,
	OPT_SPEED,
	OPT_FAULT_CLIENT,
	OPT_CLOSE_AFTER,
	OPT_CLOSE_EVERY,
	OPT_STALL_AFTER,
	OPT_FREEZE_AFTER,
	OPT_GARBAGE_EVERY,
	OPT_TRUNCATE_EVERY,
	OPT_OVERSIZE_EVERY,
	OPT_OVERSIZE_BYTES,
	OPT_FRAGMENT,
	OPT_CROSS_EVERY,
	OPT_WRONG_BBO_EVERY,
	OPT_DROP_EVERY,
	OPT_SLOW_WRITE,
};

static const struct option longopts[] = {
    {"port", required_argument, NULL, 'p'},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"log", required_argument, NULL, OPT_LOG},
    {"state-file", required_argument, NULL, OPT_STATE_FILE},
    {"assets-out", required_argument, NULL, OPT_ASSETS_OUT},
    {"quiet-markets", required_argument, NULL, OPT_QUIET_MARKETS},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"max-buffer", required_argument, NULL, OPT_MAX_BUFFER},
    {"max-message", required_argument, NULL, OPT_MAX_MESSAGE},
    {"max-assets", required_argument, NULL, OPT_MAX_ASSETS},
    {"markets", required_argument, NULL, 'm'},
    {"new-markets", required_argument, NULL, OPT_NEW_MARKETS},
    {"seed", required_argument, NULL, 's'},
    {"rate", required_argument, NULL, 'r'},
    {"levels", required_argument, NULL, OPT_LEVELS},
    {"no-book-after-trade", no_argument, NULL, OPT_NO_BOOK_AFTER_TRADE},
    {"new-market-every", required_argument, NULL, OPT_NEW_MARKET_EVERY},
    {"resolve-every", required_argument, NULL, OPT_RESOLVE_EVERY},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"fault-client", required_argument, NULL, OPT_FAULT_CLIENT},
    {"close-after", required_argument, NULL, OPT_CLOSE_AFTER},
    {"close-every", required_argument, NULL, OPT_CLOSE_EVERY},
    {"stall-after", required_argument, NULL, OPT_STALL_AFTER},
    {"freeze-after", required_argument, NULL, OPT_FREEZE_AFTER},
    {"garbage-every", required_argument, NULL, OPT_GARBAGE_EVERY},
    {"truncate-every", required_argument, NULL, OPT_TRUNCATE_EVERY},
    {"oversize-every", required_argument, NULL, OPT_OVERSIZE_EVERY},
    {"oversize-bytes", required_argument, NULL, OPT_OVERSIZE_BYTES},
    {"fragment", no_argument, NULL, OPT_FRAGMENT},
    {"cross-every", required_argument, NULL, OPT_CROSS_EVERY},
    {"wrong-bbo-every", required_argument, NULL, OPT_WRONG_BBO_EVERY},
    {"drop-every", required_argument, NULL, OPT_DROP_EVERY},
    {"slow-write", required_argument, NULL, OPT_SLOW_WRITE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

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
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-')
		die_opt(arg, "a byte count such as 4096, 64K, 40M");
	if (*end == 'K' || *end == 'k')
		mul = 1024;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ULL * 1024 * 1024;
	else if (*end)
		die_opt(arg, "a byte count such as 4096, 64K, 40M");
	if (*end && end[1])
		die_opt(arg, "a byte count such as 4096, 64K, 40M");
	if (v > UINT64_MAX / mul)
		die_opt(arg, "a byte count that fits in 64 bits");
	return v * mul;
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

static int parse_int(const char *arg, int lo, int hi)
{
	uint64_t v = parse_count(arg);
	char want[64];

	if (v < (uint64_t)lo || v > (uint64_t)hi) {
		snprintf(want, sizeof want, "a whole number from %d to %d", lo, hi);
		die_opt(arg, want);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	struct sim_cfg cfg;
	int ch, rc;

	memset(&cfg, 0, sizeof cfg);
	cfg.rate = 500;
	cfg.speed = 1;
	cfg.new_market_every = 10;
	cfg.max_buffer = 64u << 20;
	cfg.max_msg = 1u << 20;
	cfg.max_assets = 2000;
	cfg.gen.seed = 1;
	cfg.gen.markets = 12;
	cfg.gen.extra_markets = 4;
	cfg.gen.min_levels = 10;
	cfg.gen.max_levels = 40;
	cfg.gen.book_after_trade = true;
	cfg.fault.oversize_bytes = 40u << 20;

	while ((ch = getopt_long(argc, argv, "p:m:s:r:hV", longopts, NULL)) != -1) {
		opt_name = "?";
		for (const struct option *o = longopts; o->name; o++)
			if (o->val == ch)
				opt_name = o->name;
		switch (ch) {
		case 'p':
			cfg.port = parse_int(optarg, 0, 65535);
			break;
		case OPT_PORT_FILE:
			cfg.port_file = optarg;
			break;
		case OPT_LOG:
			cfg.log_file = optarg;
			break;
		case OPT_STATE_FILE:
			cfg.state_file = optarg;
			break;
		case OPT_ASSETS_OUT:
			cfg.assets_out = optarg;
			break;
		case OPT_QUIET_MARKETS:
			cfg.gen.quiet_markets = parse_int(optarg, 0, 1000);
			break;
		case OPT_TLS_CERT:
			cfg.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			cfg.tls_key = optarg;
			break;
		case OPT_DURATION:
			cfg.duration = parse_seconds(optarg);
			break;
		case OPT_MAX_BUFFER:
			cfg.max_buffer = (size_t)parse_bytes(optarg);
			break;
		case OPT_MAX_MESSAGE:
			cfg.max_msg = (size_t)parse_bytes(optarg);
			if (cfg.max_msg < 1024)
				die_opt(optarg, "at least 1K");
			break;
		case OPT_MAX_ASSETS:
			cfg.max_assets = parse_int(optarg, 1, INT_MAX);
			break;
		case 'm':
			cfg.gen.markets = parse_int(optarg, 1, GEN_MAX_MARKETS);
			break;
		case OPT_NEW_MARKETS:
			cfg.gen.extra_markets = parse_int(optarg, 0, GEN_MAX_MARKETS);
			break;
		case 's':
			cfg.gen.seed = parse_count(optarg);
			break;
		case 'r':
			if (!strcmp(optarg, "max")) {
				cfg.rate_max = true;
			} else {
				cfg.rate = parse_number(optarg, "a rate in frames/s >= 0, or max");
				cfg.rate_max = false;
			}
			break;
		case OPT_LEVELS: {
			int lo, hi, n = 0;
			if (sscanf(optarg, "%d-%d%n", &lo, &hi, &n) != 2 || optarg[n] || lo < 1 ||
			    hi < lo || hi > 400)
				die_opt(optarg, "MIN-MAX with 1 <= MIN <= MAX <= 400");
			cfg.gen.min_levels = lo;
			cfg.gen.max_levels = hi;
			break;
		}
		case OPT_NO_BOOK_AFTER_TRADE:
			cfg.gen.book_after_trade = false;
			break;
		case OPT_NEW_MARKET_EVERY:
			cfg.new_market_every = parse_seconds(optarg);
			break;
		case OPT_RESOLVE_EVERY:
			cfg.resolve_every = parse_seconds(optarg);
			break;
		case OPT_REPLAY:
			cfg.replay = optarg;
			break;
		case OPT_SPEED:
			if (!strcmp(optarg, "max")) {
				cfg.speed_max = true;
			} else {
				cfg.speed = parse_number(optarg, "a factor > 0, or max");
				if (cfg.speed <= 0)
					die_opt(optarg, "a factor > 0 or max");
			}
			break;
		case OPT_FAULT_CLIENT:
			cfg.fault.client = parse_count(optarg);
			break;
		case OPT_CLOSE_AFTER:
			cfg.fault.close_after = parse_count(optarg);
			break;
		case OPT_CLOSE_EVERY:
			cfg.fault.close_every = parse_seconds(optarg);
			break;
		case OPT_STALL_AFTER:
			cfg.fault.stall_after = parse_count(optarg);
			break;
		case OPT_FREEZE_AFTER:
			cfg.fault.freeze_after = parse_count(optarg);
			break;
		case OPT_GARBAGE_EVERY:
			cfg.fault.garbage_every = parse_count(optarg);
			break;
		case OPT_TRUNCATE_EVERY:
			cfg.fault.truncate_every = parse_count(optarg);
			break;
		case OPT_OVERSIZE_EVERY:
			cfg.fault.oversize_every = parse_count(optarg);
			break;
		case OPT_OVERSIZE_BYTES:
			cfg.fault.oversize_bytes = (size_t)parse_bytes(optarg);
			if (cfg.fault.oversize_bytes < 64 ||
			    cfg.fault.oversize_bytes > (1ULL << 32))
				die_opt(optarg, "a size from 64 bytes to 4G");
			break;
		case OPT_FRAGMENT:
			cfg.fault.fragment = true;
			break;
		case OPT_CROSS_EVERY:
			cfg.gen.cross_every = parse_count(optarg);
			break;
		case OPT_WRONG_BBO_EVERY:
			cfg.gen.wrong_bbo_every = parse_count(optarg);
			break;
		case OPT_DROP_EVERY:
			cfg.fault.drop_every = parse_count(optarg);
			break;
		case OPT_SLOW_WRITE:
			cfg.fault.slow_write = parse_bytes(optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("clobsim %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fputs("Try 'clobsim --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "clobsim: unexpected argument '%s' (try 'clobsim --help')\n",
		        argv[optind]);
		return 2;
	}
	if (!cfg.tls_cert != !cfg.tls_key) {
		fputs("clobsim: --tls-cert and --tls-key go together\n", stderr);
		return 2;
	}
	if (cfg.gen.markets + cfg.gen.extra_markets > GEN_MAX_MARKETS) {
		fprintf(stderr, "clobsim: --markets plus --new-markets must not exceed %d\n",
		        GEN_MAX_MARKETS);
		return 2;
	}
	if (sim_log_open(cfg.log_file) != 0) {
		fprintf(stderr, "clobsim: cannot open log %s: %s\n", cfg.log_file, strerror(errno));
		return 1;
	}
	rc = net_run(&cfg);
	sim_log_close();
	return rc;
}
