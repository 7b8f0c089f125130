/*
 * redis_record_bench: what the Redis hand-on costs the UI thread per record with
 * --redis-interval 0, at many assets (issue 11: the whole exchange, 10,000 assets).
 *
 * Builds a model of N assets (default 10000), each with a book, opens the Redis side as
 * the run loop does (app_redis_open with --redis URL --redis-interval 0), then applies
 * price_change records, each on one asset (spread over all of them), and times:
 *   apply only      ns per record: market_apply_record alone
 *   apply + redis   ns per record: market_apply_record then app_redis_record
 *   redis share     the difference: what handing changed books on costs per record
 * The loop's ticks (cache refresh, stats) are not run, so only the per-record path is
 * measured.  With no Redis listening at URL the publisher thread drops what it is handed;
 * the UI thread's work is the same.
 *
 * Usage: redis_record_bench [--assets N] [--seconds S] [--redis URL]
 * Figures, not pass/fail.  Uses only interfaces that predate market_dirty.h, so the same
 * file measures a tree from before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app_redis.h"
#include "market.h"
#include "options.h"
#include "ring.h"

#define NFRAMES 4096 /* distinct prebuilt price_change frames, cycled */

struct bench {
	struct app a;              /* the model and its Redis side */
	struct options o;          /* only rcfg is read */
	char frames[NFRAMES][320]; /* price_change frames, each on one asset */
	size_t nassets;            /* assets in the model */
	double seconds;            /* per measurement */
};

static void apply(struct market_state *m, const char *frame)
{
	struct ring_rec r = {.len = (uint32_t)strlen(frame),
	                     .kind = REC_FRAME,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = clock_mono_ns(),
	                     .data = frame};
	market_apply_record(m, &r, r.t_mono_ns);
}

static void build(struct bench *b)
{
	struct market_state *m = &b->a.m;
	if (market_init(m, NULL) != 0)
		exit(2);
	struct conn_event ce = {.kind = CONN_CONNECTED};
	struct ring_rec cr = {
	    .len = sizeof(ce), .kind = REC_CONN, .t_mono_ns = clock_mono_ns(), .data = &ce};
	char id[32], f[512];
	for (size_t i = 0; i < b->nassets; i++) {
		snprintf(id, sizeof(id), "%zu", 1000000 + i);
		if (!market_add(m, id, NULL))
			exit(2);
	}
	market_apply_record(m, &cr, clock_mono_ns());
	for (size_t i = 0; i < b->nassets; i++) {
		snprintf(f, sizeof(f),
		         "{\"event_type\":\"book\",\"asset_id\":\"%zu\",\"market\":\"0xab\","
		         "\"timestamp\":\"1000\",\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"}],"
		         "\"asks\":[{\"price\":\"0.60\",\"size\":\"7\"}]}",
		         1000000 + i);
		apply(m, f);
	}
	for (size_t k = 0; k < NFRAMES; k++)
		snprintf(b->frames[k], sizeof(b->frames[k]),
		         "{\"market\":\"0xab\",\"price_changes\":[{\"asset_id\":\"%zu\",\"price\":"
		         "\"0.4%zu\",\"size\":\"%zu\",\"side\":\"BUY\",\"hash\":\"x\"}],"
		         "\"timestamp\":\"2000\",\"event_type\":\"price_change\"}",
		         1000000 + (k * 7919) % b->nassets, k % 9 + 1, k % 50 + 1);
}

/* ns per record over b->seconds, with app_redis_record after each when redis. */
static double run(struct bench *b, int redis)
{
	int64_t start = clock_mono_ns(), end = start + (int64_t)(b->seconds * 1e9), now;
	size_t n = 0;
	do {
		for (int j = 0; j < 256; j++, n++) {
			apply(&b->a.m, b->frames[n % NFRAMES]);
			if (redis)
				app_redis_record(&b->a);
		}
		now = clock_mono_ns();
	} while (now < end);
	return (double)(now - start) / (double)n;
}

int main(int argc, char **argv)
{
	static struct bench b;
	b.nassets = 10000;
	b.seconds = 3;
	b.o.rcfg.url = "redis://127.0.0.1:1/0";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--assets") == 0)
			b.nassets = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0)
			b.seconds = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--redis") == 0)
			b.o.rcfg.url = argv[i + 1];
	}
	if (!b.nassets || b.seconds <= 0) {
		fprintf(stderr,
		        "usage: redis_record_bench [--assets N] [--seconds S] [--redis URL]\n");
		return 2;
	}
	b.a.o = &b.o;
	build(&b);
	char err[300];
	if (app_redis_open(&b.a, err, sizeof(err)) != 0) {
		fprintf(stderr, "redis_record_bench: %s\n", err);
		return 1;
	}
	app_redis_record(&b.a); /* hands on the initial books */
	double plain = run(&b, 0);
	app_redis_record(&b.a);
	double with = run(&b, 1);
	printf("redis record bench: %zu assets, --redis-interval 0, %g s each\n", b.nassets,
	       b.seconds);
	printf("  apply only      %10.0f ns/record\n", plain);
	printf("  apply + redis   %10.0f ns/record\n", with);
	printf("  redis share     %10.0f ns/record\n", with - plain);
	app_redis_close(&b.a);
	market_free(&b.a.m);
	return 0;
}
