/*
 * bench_render: what one dashboard refresh costs with 50, 500, 2,000 and 10,000 assets.
 *
 * The model is filled the way the feed fills it: market_add, then a `book` frame per asset
 * and a stream of price_change and last_trade_price frames through market_apply_record.
 * The screen is a ui_create_offscreen terminal (200x60, xterm-256color) writing to
 * /dev/null, so ncurses computes and emits every update as it would on a terminal.
 * Between refreshes frames keep arriving (untimed), so each refresh has real changes
 * to draw; only market_tick + ui_render are timed, on the clock and in the thread's CPU
 * time (the CPU figure is what a loaded machine does not inflate).  After each refresh a
 * PgDn key is answered (ui_handle_input: a key's frame, which pages through the rows the
 * refresh sorted) and its CPU time taken as "page".  One asset in 100 is stale (no update since its
 * book, state stale), so the default worst-first order has rows to put on top.
 *
 * Usage: bench_render [--json FILE] [--seconds S] [--cols C] [--rows R] [--dump] [N...]
 * (default N: 50 500 2000 10000).  Figures, not pass/fail; bench/run.sh prints the target.
 * Must never: touch the network or the real terminal.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "market.h"
#include "ui/keymap.h"
#include "ui/ui.h"

#define LEVELS      20  /* levels per side in each asset's book */
#define MAX_RENDERS 400 /* timed refreshes per size at most */
#define FRAME_CAP   4096

struct render_result {
	int assets;       /* model size */
	int renders;      /* timed refreshes */
	double mean_us;   /* ui_render mean, us */
	double p50_us;    /* median, us */
	double p99_us;    /* 99th percentile, us */
	double max_us;    /* slowest, us */
	double tick_us;   /* market_tick mean, us */
	double frames_ps; /* frames applied between refreshes per refresh */
	double cpu_p50;   /* ui_render thread CPU time, median, us */
	double cpu_p99;   /* ditto, 99th percentile, us */
	double page_p50;  /* a PgDn key answered (ui_handle_input), CPU time, median, us */
	double page_p99;  /* ditto, 99th percentile, us */
};

static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void asset_id(int i, char *buf, size_t cap)
{
	/* 77 digits like real token ids, distinct per i. */
	snprintf(buf, cap, "%010d%067d", 1000000000 + i, i * 7919);
}

static void apply(struct market_state *m, const char *frame, size_t len)
{
	int64_t now = clock_mono_ns();
	struct ring_rec r = {.len = (uint32_t)len,
	                     .kind = REC_FRAME,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = now,
	                     .data = frame};
	market_apply_record(m, &r, now);
}

/* Exchange timestamps are now, so the feed-latency pane shows small honest numbers. */
static long long now_ms(void)
{
	return (long long)(clock_real_ns() / 1000000);
}

/* Prices in thousandths so they format as "0.xyz". */
static void book_frame(int i, int mid, char *buf, size_t cap)
{
	char id[ASSET_ID_MAX];
	asset_id(i, id, sizeof id);
	size_t n =
	    (size_t)snprintf(buf, cap,
	                     "{\"event_type\":\"book\",\"asset_id\":\"%s\",\"market\":\"0x%064d\","
	                     "\"timestamp\":\"%lld\",\"hash\":\"ab\",\"bids\":[",
	                     id, i, now_ms());
	for (int k = LEVELS; k >= 1; k--)
		n += (size_t)snprintf(
		    buf + n, cap - n, "%s{\"price\":\"0.%03d\",\"size\":\"%d.%02d\"}",
		    k == LEVELS ? "" : ",", mid - k, (int)(rng() % 5000) + 1, (int)(rng() % 100));
	n += (size_t)snprintf(buf + n, cap - n, "],\"asks\":[");
	for (int k = LEVELS; k >= 1; k--)
		n += (size_t)snprintf(
		    buf + n, cap - n, "%s{\"price\":\"0.%03d\",\"size\":\"%d.%02d\"}",
		    k == LEVELS ? "" : ",", mid + k, (int)(rng() % 5000) + 1, (int)(rng() % 100));
	snprintf(buf + n, cap - n, "],\"tick_size\":\"0.001\"}");
}

static void change_frame(int i, int mid, char *buf, size_t cap)
{
	char id[ASSET_ID_MAX];
	asset_id(i, id, sizeof id);
	int k = (int)(rng() % 5) + 1;
	bool buy = rng() & 1;
	int price = buy ? mid - k : mid + k;
	snprintf(buf, cap,
	         "{\"event_type\":\"price_change\",\"market\":\"0x%064d\",\"timestamp\":"
	         "\"%lld\",\"price_changes\":[{\"asset_id\":\"%s\",\"price\":\"0.%03d\","
	         "\"size\":\"%d\",\"side\":\"%s\",\"hash\":\"ab\",\"best_bid\":\"0.%03d\","
	         "\"best_ask\":\"0.%03d\"}]}",
	         i, now_ms(), id, price, (int)(rng() % 9000) + 1, buy ? "BUY" : "SELL", mid - 1,
	         mid + 1);
}

static void trade_frame(int i, int mid, char *buf, size_t cap)
{
	char id[ASSET_ID_MAX];
	asset_id(i, id, sizeof id);
	snprintf(buf, cap,
	         "{\"event_type\":\"last_trade_price\",\"asset_id\":\"%s\",\"market\":\"0x%064d\","
	         "\"price\":\"0.%03d\",\"size\":\"%d\",\"side\":\"%s\",\"fee_rate_bps\":\"0\","
	         "\"timestamp\":\"%lld\"}",
	         id, i, mid + 1, (int)(rng() % 500) + 1, rng() & 1 ? "BUY" : "SELL", now_ms());
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static bool dump; /* --dump: print the last screen */

static int bench_one(int n, double secs, int cols, int rows, FILE *devnull,
                     struct render_result *res)
{
	struct market_state m;
	if (market_init(&m, NULL) != 0)
		return -1;
	m.cfg.auto_resync = false;
	snprintf(m.mode, sizeof m.mode, "live");
	m.conn.event = CONN_SUBSCRIBED;
	m.conn.alive = true;
	m.conn.started_mono_ns = m.conn.connected_since_ns = clock_mono_ns();
	snprintf(m.conn.url, sizeof m.conn.url, "ws://127.0.0.1:1/ws/market");

	int *mid = malloc((size_t)n * sizeof(*mid));
	char *frame = malloc(FRAME_CAP);
	for (int i = 0; i < n; i++) {
		char id[ASSET_ID_MAX], label[64];
		asset_id(i, id, sizeof id);
		snprintf(label, sizeof label, "Market %d will resolve yes? · Yes", i);
		if (!market_add(&m, id, label))
			return -1;
		mid[i] = 100 + (int)(rng() % 800);
		book_frame(i, mid[i], frame, FRAME_CAP);
		apply(&m, frame, strlen(frame));
	}
	for (int i = 0; i < n; i += 100) /* an hour old, and never updated below */
		m.assets[i].last_update_mono_ns -= INT64_C(3600000000000);

	struct ui_options o = {.refresh_ms = 1000,
	                       .book_levels = 10,
	                       .lat_warn_ms = 5,
	                       .lat_crit_ms = 10,
	                       .mouse = false};
	struct ui_hooks h = {0};
	char err[256] = "";
	struct ui *u = ui_create_offscreen(&o, &h, "xterm-256color", cols, rows, devnull, NULL, err,
	                                   sizeof err);
	if (!u) {
		fprintf(stderr, "bench_render: offscreen ui: %s\n", err);
		return -1;
	}

	/* Between refreshes: a tenth of the assets change, a few trade. */
	int per_refresh = n / 10 + 10;
	double *t = malloc(MAX_RENDERS * sizeof(*t));
	double *cpu = malloc(MAX_RENDERS * sizeof(*cpu));
	double *page = malloc(MAX_RENDERS * sizeof(*page));
	double tick_total = 0;
	int done = 0;
	int64_t t_start = clock_mono_ns();
	for (int r = -5; r < MAX_RENDERS; r++) {
		for (int k = 0; k < per_refresh; k++) {
			int i = (int)(rng() % (uint64_t)n);
			if (i % 100 == 0)
				i = (i + 1) % n;
			if (k % 8 == 7)
				trade_frame(i, mid[i], frame, FRAME_CAP);
			else
				change_frame(i, mid[i], frame, FRAME_CAP);
			apply(&m, frame, strlen(frame));
		}
		int64_t a = clock_mono_ns();
		market_tick(&m, a);
		int64_t b = clock_mono_ns(), cb = cpu_ns();
		ui_render(u, &m, b, clock_real_ns());
		int64_t c = clock_mono_ns(), cc = cpu_ns();
		ui_push_key(u, KEY_NPAGE, true);
		ui_handle_input(u, &m);
		int64_t d = cpu_ns();
		if (r < 0)
			continue; /* warm-up: first draws paint the whole screen */
		tick_total += (double)(b - a) / 1e3;
		cpu[done] = (double)(cc - cb) / 1e3;
		page[done] = (double)(d - cc) / 1e3;
		t[done++] = (double)(c - b) / 1e3;
		if (done >= 20 && (double)(c - t_start) / 1e9 > secs)
			break;
	}
	double sum = 0;
	for (int i = 0; i < done; i++)
		sum += t[i];
	qsort(t, (size_t)done, sizeof(*t), cmp_double);
	qsort(cpu, (size_t)done, sizeof(*cpu), cmp_double);
	qsort(page, (size_t)done, sizeof(*page), cmp_double);
	size_t p99 = (size_t)((done * 99) / 100 < done ? (done * 99) / 100 : done - 1);
	*res = (struct render_result){
	    .assets = n,
	    .renders = done,
	    .mean_us = sum / done,
	    .p50_us = t[done / 2],
	    .p99_us = t[(done * 99) / 100 < done ? (done * 99) / 100 : done - 1],
	    .max_us = t[done - 1],
	    .tick_us = tick_total / done,
	    .frames_ps = per_refresh,
	    .cpu_p50 = cpu[done / 2],
	    .cpu_p99 = cpu[p99],
	    .page_p50 = page[done / 2],
	    .page_p99 = page[p99]};
	if (dump) {
		/* Proof that the refresh drew the model: the screen as last rendered. */
		char row[1024];
		for (int y = 0; y < rows; y++) {
			ui_screen_row(u, y, row, sizeof row);
			printf("|%s\n", row);
		}
	}
	ui_destroy(u);
	market_free(&m);
	free(t);
	free(cpu);
	free(page);
	free(mid);
	free(frame);
	return 0;
}

int main(int argc, char **argv)
{
	const char *json_out = NULL;
	double secs = 2.0;
	int cols = 200, rows = 60;
	int sizes[16], nsizes = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json_out = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--dump"))
			dump = true;
		else if (!strcmp(argv[i], "--cols") && i + 1 < argc)
			cols = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			rows = atoi(argv[++i]);
		else if (nsizes < 16 && atoi(argv[i]) > 0)
			sizes[nsizes++] = atoi(argv[i]);
		else {
			fprintf(stderr,
			        "usage: bench_render [--json FILE] [--seconds S] [--cols C] "
			        "[--rows R] [--dump] [N...]\n");
			return 2;
		}
	}
	if (!nsizes) {
		sizes[nsizes++] = 50;
		sizes[nsizes++] = 500;
		sizes[nsizes++] = 2000;
		sizes[nsizes++] = 10000;
	}
	setlocale(LC_CTYPE, "C.UTF-8");
	FILE *devnull = fopen("/dev/null", "w");
	if (!devnull)
		return 1;
	struct render_result res[16];
	for (int s = 0; s < nsizes; s++) {
		if (bench_one(sizes[s], secs, cols, rows, devnull, &res[s]) != 0)
			return 1;
		printf("render %5d assets (%dx%d): mean %7.0f us, p50 %7.0f us, p99 %7.0f us, "
		       "max %7.0f us; market_tick %5.0f us  (%d refreshes)\n"
		       "       cpu p50 %7.0f us, p99 %7.0f us; PgDn key cpu p50 %5.0f us, p99 "
		       "%5.0f us\n",
		       res[s].assets, cols, rows, res[s].mean_us, res[s].p50_us, res[s].p99_us,
		       res[s].max_us, res[s].tick_us, res[s].renders, res[s].cpu_p50,
		       res[s].cpu_p99, res[s].page_p50, res[s].page_p99);
	}
	fclose(devnull);
	if (json_out) {
		FILE *o = fopen(json_out, "w");
		if (!o)
			return 1;
		fprintf(o, "{\"cols\":%d,\"rows\":%d,\"sizes\":[", cols, rows);
		for (int s = 0; s < nsizes; s++)
			fprintf(o,
			        "%s{\"assets\":%d,\"renders\":%d,\"mean_us\":%.1f,\"p50_us\":%.1f,"
			        "\"p99_us\":%.1f,\"max_us\":%.1f,\"tick_us\":%.1f,"
			        "\"frames_between\":%.0f,\"cpu_p50_us\":%.1f,\"cpu_p99_us\":%.1f,"
			        "\"page_p50_us\":%.1f,\"page_p99_us\":%.1f}",
			        s ? "," : "", res[s].assets, res[s].renders, res[s].mean_us,
			        res[s].p50_us, res[s].p99_us, res[s].max_us, res[s].tick_us,
			        res[s].frames_ps, res[s].cpu_p50, res[s].cpu_p99, res[s].page_p50,
			        res[s].page_p99);
		fprintf(o, "]}\n");
		fclose(o);
	}
	return 0;
}
