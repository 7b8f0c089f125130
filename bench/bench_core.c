/*
 * bench_core: what the core data path costs, measured on the same frames in one run.
 *
 *   parse-only   frames/s through json_loadb + json_decref (jansson alone, malloc)
 *   whole path   frames/s from a producer thread through the ring into proto, books and
 *                the market model (the replay path, minus file reading)
 *   ratio        whole / parse-only (target >= 70%)
 *   split        where parsing happens since issue 11: frames/s a receive thread packs
 *                (proto + evpack), and frames/s the UI thread applies when it gets raw
 *                frames (parse + apply) or packed events (apply only), no ring
 *   book update  ns per book_apply_level near the top of a 100-level book
 *   memory       bytes per book and per asset
 *
 * Usage: bench_core [--json FILE] [--seconds S] RECORDING.jsonl...
 * A recording holds raw frames or {"t_ns":..,"frame":".."} records (as --record writes).
 * Figures, not pass/fail: targets are checked by the reader (bench/run.sh prints them).
 */
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "evpack.h"
#include "market.h"
#include "ring.h"

struct frames {
	char **buf;   /* frame bytes */
	size_t *len;  /* their lengths */
	size_t n;     /* frames */
	size_t bytes; /* total bytes */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_frame(struct frames *f, const char *s, size_t len)
{
	f->buf = realloc(f->buf, (f->n + 1) * sizeof(*f->buf));
	f->len = realloc(f->len, (f->n + 1) * sizeof(*f->len));
	f->buf[f->n] = malloc(len + 1);
	memcpy(f->buf[f->n], s, len);
	f->buf[f->n][len] = '\0';
	f->len[f->n] = len;
	f->bytes += len;
	f->n++;
}

static void load(struct frames *f, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		perror(path);
		exit(2);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, in)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		if (strncmp(line, "{\"t_ns\":", 8) == 0) {
			json_t *r = json_loadb(line, (size_t)n, 0, NULL);
			json_t *fr = json_object_get(r, "frame");
			if (json_is_string(fr))
				add_frame(f, json_string_value(fr), json_string_length(fr));
			json_decref(r);
		} else {
			add_frame(f, line, (size_t)n);
		}
	}
	free(line);
	fclose(in);
}

/* Runs fn over all frames repeatedly for at least `secs`; returns frames/s. */
static double parse_only(const struct frames *f, double secs)
{
	size_t done = 0;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < f->n; i++) {
			json_t *j = json_loadb(f->buf[i], f->len[i], 0, NULL);
			json_decref(j);
		}
		done += f->n;
	} while ((t = now_s()) - t0 < secs);
	return (double)done / (t - t0);
}

struct producer {
	const struct frames *f; /* what to push */
	struct ring *ring;      /* where */
	size_t total;           /* frames to push */
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct timespec ts;
	for (size_t k = 0; k < p->total;) {
		size_t i = k % p->f->n;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		struct ring_rec r = {.len = (uint32_t)p->f->len[i],
				     .kind = REC_FRAME,
				     .t_mono_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
				     .data = p->f->buf[i]};
		/* Wait for room rather than drop: this measures throughput, not overload.
		 * Sleeping, not spinning, leaves the consumer its core, as the feed does. */
		if (ring_capacity(p->ring) - ring_used(p->ring) < p->f->len[i] * 2 + 256) {
			nanosleep(&(struct timespec){0, 20000}, NULL);
			continue;
		}
		if (ring_push(p->ring, &r))
			k++;
	}
	return NULL;
}

static double whole_path(const struct frames *f, double secs, double parse_rate,
			 struct market_state *m, struct lat_summary *pipe)
{
	size_t total = (size_t)(parse_rate * secs);
	if (total < f->n)
		total = f->n;
	struct ring *ring = ring_create(64u << 20);
	struct producer p = {.f = f, .ring = ring, .total = total};
	pthread_t t;
	double t0 = now_s();
	pthread_create(&t, NULL, produce, &p);
	size_t done = 0;
	struct ring_rec rec;
	struct pollfd pfd = {.fd = ring_wake_fd(ring), .events = POLLIN};
	while (done < total) {
		if (!ring_peek(ring, &rec)) {
			/* Empty: sleep on the eventfd as clobtop's UI thread does. */
			poll(&pfd, 1, 10);
			ring_wake_drain(ring);
			continue;
		}
		market_apply_record(m, &rec, clock_mono_ns());
		ring_release(ring);
		done++;
	}
	double dt = now_s() - t0;
	pthread_join(t, NULL);
	lat_window_summary(m->pipeline_us, market_now_s(m, clock_mono_ns()), 60, pipe);
	ring_destroy(ring);
	return (double)done / dt;
}

struct split {
	double pack_fps;   /* receive thread: proto_parse + evpack */
	double raw_fps;    /* UI thread given raw frames: parse + apply */
	double events_fps; /* UI thread given packed events: apply only */
};

/* Frames/s the model applies recs at (rounds of all of them until secs have passed). */
static double rate_of(const struct frames *f, double secs, struct market_state *m,
		      const struct ring_rec *recs)
{
	size_t done = 0;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < f->n; i++)
			market_apply_record(m, &recs[i], clock_mono_ns());
		done += f->n;
	} while ((t = now_s()) - t0 < secs);
	return (double)done / (t - t0);
}

static struct split split_path(const struct frames *f, double secs, struct market_state *m)
{
	struct split r = {0};
	struct evpack *w = evpack_create();
	struct ring_rec *raw = calloc(f->n, sizeof(*raw)), *ev = calloc(f->n, sizeof(*ev));
	size_t done = 0;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < f->n; i++) {
			size_t len;
			(void)evpack_frame(w, f->buf[i], f->len[i], false, &len);
		}
		done += f->n;
	} while ((t = now_s()) - t0 < secs);
	r.pack_fps = (double)done / (t - t0);
	for (size_t i = 0; i < f->n; i++) {
		size_t len;
		const void *p = evpack_frame(w, f->buf[i], f->len[i], false, &len);
		void *copy = malloc(len); /* malloc'd: 8-byte aligned, as ring records are */
		memcpy(copy, p, len);
		raw[i] = (struct ring_rec){.len = (uint32_t)f->len[i], .kind = REC_FRAME,
					   .data = f->buf[i]};
		ev[i] = (struct ring_rec){.len = (uint32_t)len, .kind = REC_EVENTS, .data = copy};
	}
	r.raw_fps = rate_of(f, secs, m, raw);
	r.events_fps = rate_of(f, secs, m, ev);
	for (size_t i = 0; i < f->n; i++)
		free((void *)ev[i].data);
	free(raw);
	free(ev);
	evpack_destroy(w);
	return r;
}

static double book_update_ns(void)
{
	struct book b;
	book_init(&b);
	struct ev_level bids[100], asks[100];
	for (int i = 0; i < 100; i++) {
		bids[i] = (struct ev_level){.price = 300000 + i * 1000, .size = 1000000 + i};
		asks[i] = (struct ev_level){.price = 800000 - i * 1000, .size = 2000000 + i};
	}
	book_apply_snapshot(&b, bids, 100, asks, 100);
	uint64_t x = 88172645463325252ULL;
	const int n = 20000000;
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		enum side s = (enum side)(x & 1);
		int off = (int)((x >> 8) % 8);
		int64_t price = s == SIDE_BID ? 399000 - off * 1000 : 701000 + off * 1000;
		int64_t size = (x >> 16) % 4 ? (int64_t)((x >> 20) % 5000000) + 1 : 0;
		book_apply_level(&b, s, price, size);
	}
	double dt = now_s() - t0;
	book_free(&b);
	return dt * 1e9 / n;
}

int main(int argc, char **argv)
{
	const char *json_out = NULL;
	double secs = 2.0;
	struct frames f = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json_out = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			secs = atof(argv[++i]);
		else
			load(&f, argv[i]);
	}
	if (!f.n) {
		fprintf(stderr, "usage: bench_core [--json FILE] [--seconds S] RECORDING.jsonl...\n");
		return 2;
	}

	/* jansson alone first, before proto installs its arena allocator. */
	double parse = parse_only(&f, secs);

	struct market_state m;
	market_init(&m, NULL);
	m.cfg.auto_resync = false;
	/* Warm up: assets and books exist, so the measured run allocates nothing. */
	for (size_t i = 0; i < f.n; i++) {
		struct ring_rec r = {.len = (uint32_t)f.len[i], .kind = REC_FRAME, .data = f.buf[i]};
		market_apply_record(&m, &r, clock_mono_ns());
	}
	struct lat_summary pipe;
	double whole = whole_path(&f, secs, parse, &m, &pipe);
	struct split sp = split_path(&f, secs, &m);
	double ns = book_update_ns();

	size_t books = 0, book_bytes = 0, levels = 0;
	for (size_t i = 0; i < m.nassets; i++) {
		if (!m.assets[i].have_snapshot)
			continue;
		books++;
		book_bytes += book_memory(&m.assets[i].book);
		levels += book_levels(&m.assets[i].book, SIDE_BID) +
			  book_levels(&m.assets[i].book, SIDE_ASK);
	}
	double per_book = books ? (double)book_bytes / (double)books : 0;

	printf("frames: %zu (%.0f bytes avg), assets: %zu\n", f.n, (double)f.bytes / (double)f.n,
	       m.nassets);
	printf("%-34s %14.0f frames/s\n", "parse only (jansson)", parse);
	printf("%-34s %14.0f frames/s\n", "whole path (ring+proto+book+model)", whole);
	printf("%-34s %13.1f %%   (target >= 70%%)\n", "ratio", 100.0 * whole / parse);
	printf("%-34s %14.0f frames/s\n", "receive thread: parse + pack", sp.pack_fps);
	printf("%-34s %14.0f frames/s\n", "UI thread given raw frames", sp.raw_fps);
	printf("%-34s %14.0f frames/s   (%.1fx: the UI thread's ceiling now)\n",
	       "UI thread given packed events", sp.events_fps, sp.events_fps / sp.raw_fps);
	printf("%-34s %14.1f ns\n", "book_apply_level, 100-level book", ns);
	printf("%-34s %14.0f bytes (%zu books, %.1f levels avg)\n", "heap per book", per_book, books,
	       books ? (double)levels / (double)books : 0);
	printf("%-34s %14zu bytes\n", "struct asset", sizeof(struct asset));
	printf("%-34s p50 %lld us, p99 %lld us, max %lld us (saturated: mostly queueing)\n", "pipeline latency",
	       (long long)pipe.p50, (long long)pipe.p99, (long long)pipe.max);
	if (json_out) {
		FILE *o = fopen(json_out, "w");
		if (o) {
			fprintf(o,
				"{\"frames\":%zu,\"parse_only_fps\":%.0f,\"whole_path_fps\":%.0f,"
				"\"ratio\":%.4f,\"book_update_ns\":%.2f,\"bytes_per_book\":%.0f,"
				"\"asset_struct_bytes\":%zu,\"pipeline_us\":{\"p50\":%lld,\"p99\":%lld,"
				"\"max\":%lld},\"pack_fps\":%.0f,\"ui_raw_fps\":%.0f,"
				"\"ui_events_fps\":%.0f}\n",
				f.n, parse, whole, whole / parse, ns, per_book, sizeof(struct asset),
				(long long)pipe.p50, (long long)pipe.p99, (long long)pipe.max,
				sp.pack_fps, sp.raw_fps, sp.events_fps);
			fclose(o);
		}
	}
	market_free(&m);
	for (size_t i = 0; i < f.n; i++)
		free(f.buf[i]);
	free(f.buf);
	free(f.len);
	return 0;
}
