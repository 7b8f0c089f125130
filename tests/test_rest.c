/*
 * test_rest: the REST book worker against tests/rest_peer.py, a CLOB-like HTTP server on
 * 127.0.0.1 that serves GET /book and POST /books from tests/rest_books.json (and books
 * made up from any other id), can answer 500, 429 with Retry-After, 400 for one id, or
 * slowly, and logs every request with its arrival time.  The log is how the tests see
 * batching, de-duplication, the budget and the pauses from the outside.
 *
 * Every test starts its own peer (which exits by itself after 40 s) and kills it by PID;
 * every wait has a deadline in seconds.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pypeer.h"
#include "rest.h"
#include "restq.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
#ifndef PYTHON3
#define PYTHON3 "/usr/bin/python3"
#endif

#define WAIT_MS 15000 /* upper bound for any answer; no test relies on it for timing */
#define MAX_GOT 1024
#define MAX_LOG 4096

struct got {
	char id[TOKEN_ID_SIZE]; /* asset_id */
	bool ok, retry;         /* ok, will_retry */
	int status;             /* http_status */
	char error[160];        /* error */
	char hash[72];          /* hash */
	int64_t ts, tick, ltp;  /* ts_ms, tick, last_trade */
	uint32_t nb, na;        /* nbids, nasks */
	struct ev_level lv[8];  /* the first levels */
};

struct req {
	double t;       /* arrival, peer's monotonic seconds */
	char method[8]; /* GET or POST */
	char path[16];  /* /book or /books */
	int status;     /* what the peer answered */
	int nids;       /* ids in the request */
	char *ids;      /* comma-separated, owned */
};

static pid_t peer_pid = -1;
static char peer_log[64];
static char base_url[64];
static struct rest *R;
static struct got got[MAX_GOT];
static size_t ngot;
static struct req reqs[MAX_LOG];
static size_t nreqs;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts rest_peer.py with up to 5 extra arguments (the first NULL ends them). */
static void peer_start(const char *a1, const char *a2, const char *a3, const char *a4,
                       const char *a5)
{
	const char *argv[16] = {PYTHON3,      TOP_SRCDIR "/tests/rest_peer.py",
	                        "--log",      peer_log,
	                        "--fixture",  TOP_SRCDIR "/tests/rest_books.json",
	                        "--duration", "40",
	                        a1,           a2,
	                        a3,           a4,
	                        a5,           NULL};
	snprintf(peer_log, sizeof(peer_log), "/tmp/rest_peer_XXXXXX");
	int lfd = mkstemp(peer_log);
	ck_assert_msg(lfd >= 0, "mkstemp failed: %s", strerror(errno));
	close(lfd);
	int port = pypeer_start((char *const *)argv, &peer_pid, WAIT_MS);
	ck_assert_msg(port > 0, "rest_peer.py did not start or print its port");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
}

static void worker_start(struct rest_config *c)
{
	char err[256];
	c->base_url = base_url;
	R = rest_start(c, err, sizeof(err));
	ck_assert_msg(R != NULL, "rest_start failed: %s", err);
}

static void fast_config(struct rest_config *c)
{
	rest_config_defaults(c);
	c->timeout_ms = 5000;
	c->backoff_min_ms = 200;
	c->backoff_max_ms = 1000;
}

static void clear_log(void)
{
	for (size_t i = 0; i < nreqs; i++)
		free(reqs[i].ids);
	nreqs = 0;
}

static void teardown(void)
{
	rest_stop(R);
	R = NULL;
	pypeer_stop(&peer_pid);
	unlink(peer_log);
	clear_log();
	ngot = 0;
}

static void read_log(void)
{
	clear_log();
	FILE *f = fopen(peer_log, "r");
	ck_assert_ptr_nonnull(f);
	static char line[MAX_GOT * 80];
	while (nreqs < MAX_LOG && fgets(line, sizeof(line), f)) {
		struct req *q = &reqs[nreqs];
		char *ids = malloc(strlen(line) + 1);
		ck_assert_ptr_nonnull(ids);
		if (sscanf(line, "%lf %7s %15s %d %d %s", &q->t, q->method, q->path, &q->status,
		           &q->nids, ids) != 6) {
			free(ids);
			continue;
		}
		q->ids = ids;
		nreqs++;
	}
	fclose(f);
}

static void take(const struct rest_book *b)
{
	ck_assert_msg(ngot < MAX_GOT, "more answers than expected");
	struct got *g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	snprintf(g->id, sizeof(g->id), "%s", b->asset_id);
	g->ok = b->ok;
	g->retry = b->will_retry;
	g->status = b->http_status;
	snprintf(g->error, sizeof(g->error), "%s", b->error);
	snprintf(g->hash, sizeof(g->hash), "%s", b->hash);
	g->ts = b->ts_ms;
	g->tick = b->tick;
	g->ltp = b->last_trade;
	g->nb = b->nbids;
	g->na = b->nasks;
	for (size_t i = 0; i < 8 && i < (size_t)b->nbids + b->nasks; i++)
		g->lv[i] = b->levels[i];
}

/* Collects answers until `final` answers that are not will_retry have come. */
static void wait_final(size_t final)
{
	int64_t deadline = now_ms() + WAIT_MS;
	size_t have = 0;
	for (size_t i = 0; i < ngot; i++)
		have += !got[i].retry;
	while (have < final) {
		const struct rest_book *b;
		while ((b = rest_peek(R))) {
			take(b);
			have += !b->will_retry;
			rest_release(R);
		}
		int64_t left = deadline - now_ms();
		ck_assert_msg(left > 0 || have >= final, "got %zu final answers of %zu in %d ms",
		              have, final, WAIT_MS);
		struct pollfd pfd = {.fd = rest_wake_fd(R), .events = POLLIN};
		poll(&pfd, 1, left > 100 ? 100 : (int)left);
	}
}

static const struct got *answer_for(const char *id)
{
	const struct got *last = NULL;
	for (size_t i = 0; i < ngot; i++)
		if (!strcmp(got[i].id, id))
			last = &got[i];
	ck_assert_msg(last != NULL, "no answer for %s", id);
	return last;
}

/* Bounded wait until a request is in flight. */
static void wait_in_flight(struct rest_counters *k)
{
	int64_t deadline = now_ms() + WAIT_MS;
	do {
		rest_counters(R, k);
		usleep(10000);
	} while (k->in_flight == 0 && now_ms() < deadline);
	ck_assert_uint_eq(k->in_flight, 1);
}

static void fetch(const char *const *ids, size_t n)
{
	ck_assert_uint_eq(rest_fetch(R, ids, n, false), n);
}

START_TEST(single_id_uses_get_book_and_returns_exact_levels)
{
	struct rest_config c;
	peer_start(NULL, NULL, NULL, NULL, NULL);
	fast_config(&c);
	worker_start(&c);
	const char *ids[] = {"1111"};
	fetch(ids, 1);
	wait_final(1);
	const struct got *g = answer_for("1111");
	ck_assert_msg(g->ok, "error: %s", g->error);
	ck_assert_int_eq(g->status, 200);
	ck_assert_str_eq(g->hash, "0x8c7e4a6c4d0f3b2a");
	ck_assert_int_eq(g->ts, 1757908892351);
	ck_assert_int_eq(g->tick, 10000);
	ck_assert_int_eq(g->ltp, 470000);
	ck_assert_uint_eq(g->nb, 3);
	ck_assert_uint_eq(g->na, 2);
	ck_assert_int_eq(g->lv[0].price, 10000);
	ck_assert_int_eq(g->lv[0].size, 1000000000);
	ck_assert_int_eq(g->lv[1].size, 20500000);
	ck_assert_int_eq(g->lv[2].price, 460000); /* best bid last */
	ck_assert_int_eq(g->lv[3].price, 990000);
	ck_assert_int_eq(g->lv[4].price, 480000); /* best ask last */
	read_log();
	ck_assert_uint_eq(nreqs, 1);
	ck_assert_str_eq(reqs[0].method, "GET");
	ck_assert_str_eq(reqs[0].path, "/book");
	struct rest_counters k;
	rest_counters(R, &k);
	ck_assert_uint_eq(k.requests, 1);
	ck_assert_uint_eq(k.req_book, 1);
	ck_assert_uint_eq(k.books, 1);
	ck_assert_uint_eq(k.errors, 0);
	ck_assert_uint_gt(k.bytes, 100);
}
END_TEST

START_TEST(many_ids_go_in_batches_of_at_most_250_each_asked_once)
{
	struct rest_config c;
	static char idbuf[600][16];
	const char *ids[600];
	peer_start(NULL, NULL, NULL, NULL, NULL);
	fast_config(&c);
	worker_start(&c);
	for (int i = 0; i < 600; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "%d", 100000 + i);
		ids[i] = idbuf[i];
	}
	fetch(ids, 600);
	wait_final(600);
	for (int i = 0; i < 600; i++)
		ck_assert_msg(answer_for(ids[i])->ok, "%s: %s", ids[i], answer_for(ids[i])->error);
	read_log();
	int total = 0;
	for (size_t i = 0; i < nreqs; i++) {
		ck_assert_msg(reqs[i].nids <= 250, "request %zu held %d ids", i, reqs[i].nids);
		if (reqs[i].nids > 1)
			ck_assert_str_eq(reqs[i].path, "/books");
		total += reqs[i].nids;
	}
	ck_assert_int_eq(total, 600);
	ck_assert_uint_le(nreqs, 4);
}
END_TEST

START_TEST(ids_queued_or_in_flight_are_not_asked_twice)
{
	struct rest_config c;
	peer_start("--slow", "1", NULL, NULL, NULL);
	fast_config(&c);
	c.max_inflight = 1;
	worker_start(&c);
	const char *a[] = {"1111", "5001"};
	const char *b[] = {"5001", "1111", "5002", "5002", "5002"};
	fetch(a, 2);
	struct rest_counters k;
	wait_in_flight(&k);
	fetch(b, 5);
	wait_final(3);
	usleep(300000);
	read_log();
	size_t asked_5002 = 0, asked_1111 = 0;
	for (size_t i = 0; i < nreqs; i++) {
		asked_1111 += strstr(reqs[i].ids, "1111") != NULL;
		asked_5002 += strstr(reqs[i].ids, "5002") != NULL;
	}
	ck_assert_uint_eq(asked_1111, 1);
	ck_assert_uint_eq(asked_5002, 1);
	ck_assert_uint_eq(nreqs, 2);
	rest_counters(R, &k);
	ck_assert_uint_eq(k.deduped, 4);
	ck_assert_uint_eq(ngot, 3);
}
END_TEST

/* No window may hold more requests than the bucket's capacity plus its refill. */
START_TEST(requests_stay_inside_a_low_budget)
{
	struct rest_config c;
	static char idbuf[10][16];
	const char *ids[10];
	peer_start(NULL, NULL, NULL, NULL, NULL);
	fast_config(&c);
	c.book_per_10s = 20; /* capacity 2, then 1.8 per second */
	c.max_batch = 1;
	worker_start(&c);
	for (int i = 0; i < 10; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "%d", 7000 + i);
		ids[i] = idbuf[i];
	}
	int64_t t0 = now_ms();
	fetch(ids, 10);
	wait_final(10);
	int64_t took = now_ms() - t0;
	read_log();
	ck_assert_uint_eq(nreqs, 10);
	for (size_t i = 0; i < nreqs; i++)
		for (size_t j = i + 1; j < nreqs; j++) {
			double allowed = 2.0 + 1.8 * (reqs[j].t - reqs[i].t + 0.05);
			ck_assert_msg((double)(j - i + 1) <= allowed,
			              "%zu requests in %.3f s: the budget allows %.2f", j - i + 1,
			              reqs[j].t - reqs[i].t, allowed);
		}
	ck_assert_msg(took >= 4000, "10 requests at 1.8/s after 2 took only %lld ms",
	              (long long)took);
}
END_TEST

static void check_429_pause(const char *retry_after, bool date, double at_least)
{
	struct rest_config c;
	peer_start("--r429", "1", "--retry-after", retry_after, date ? "--date" : NULL);
	fast_config(&c);
	worker_start(&c);
	const char *ids[] = {"1111", "5005"};
	fetch(ids, 2);
	wait_final(2);
	ck_assert(answer_for("1111")->ok);
	ck_assert(answer_for("5005")->ok);
	read_log();
	ck_assert_uint_eq(nreqs, 2);
	ck_assert_int_eq(reqs[0].status, 429);
	ck_assert_int_eq(reqs[1].status, 200);
	double gap = reqs[1].t - reqs[0].t;
	ck_assert_msg(gap >= at_least, "asked again %.3f s after a 429 (Retry-After %s)", gap,
	              retry_after);
	struct rest_counters k;
	rest_counters(R, &k);
	ck_assert_uint_eq(k.http_429, 1);
}

START_TEST(a_429_pauses_for_retry_after_seconds)
{
	check_429_pause("2", false, 1.95);
}
END_TEST

START_TEST(a_429_pauses_until_a_retry_after_date)
{
	/* an HTTP date has 1 s resolution: the pause is between 1 and 2 s */
	check_429_pause("2", true, 0.95);
}
END_TEST

START_TEST(a_500_is_retried_with_back_off_until_answered)
{
	struct rest_config c;
	peer_start("--fail500", "2", NULL, NULL, NULL);
	fast_config(&c);
	worker_start(&c);
	const char *ids[] = {"1111", "5006", "5007"};
	fetch(ids, 3);
	wait_final(3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(answer_for(ids[i])->ok, "%s not answered", ids[i]);
	size_t retries = 0;
	for (size_t i = 0; i < ngot; i++)
		if (got[i].retry) {
			retries++;
			ck_assert_int_eq(got[i].status, 500);
			ck_assert_str_eq(got[i].error, "HTTP 500");
		}
	ck_assert_uint_eq(retries, 6);
	read_log();
	ck_assert_uint_eq(nreqs, 3);
	ck_assert_int_eq(reqs[2].status, 200);
	/* back-off: at least half of 200 ms, then of 400 ms */
	ck_assert_msg(reqs[1].t - reqs[0].t >= 0.09, "retried after %.3f s", reqs[1].t - reqs[0].t);
	ck_assert_msg(reqs[2].t - reqs[1].t >= 0.19, "retried after %.3f s", reqs[2].t - reqs[1].t);
	struct rest_counters k;
	rest_counters(R, &k);
	ck_assert_uint_eq(k.errors, 2);
	ck_assert_uint_eq(k.books, 3);
}
END_TEST

START_TEST(stop_is_prompt_with_a_slow_request_in_flight)
{
	struct rest_config c;
	peer_start("--slow", "20", NULL, NULL, NULL);
	fast_config(&c);
	c.timeout_ms = 30000;
	worker_start(&c);
	const char *ids[] = {"1111"};
	fetch(ids, 1);
	struct rest_counters k;
	wait_in_flight(&k);
	usleep(200000);
	int64_t t0 = now_ms();
	rest_stop(R);
	R = NULL;
	int64_t took = now_ms() - t0;
	ck_assert_msg(took < 1000, "rest_stop took %lld ms", (long long)took);
}
END_TEST

START_TEST(unknown_malformed_and_hostile_books_are_answered_per_asset)
{
	struct rest_config c;
	peer_start(NULL, NULL, NULL, NULL, NULL);
	fast_config(&c);
	worker_start(&c);
	const char *one[] = {"9001"};
	fetch(one, 1);
	wait_final(1);
	const struct got *g = answer_for("9001");
	ck_assert(!g->ok && !g->retry);
	ck_assert_int_eq(g->status, 404);
	ck_assert_str_eq(g->error, "no order book for this token (HTTP 404)");

	const char *batch[] = {"2222", "3333", "9002"};
	fetch(batch, 3);
	wait_final(4);
	g = answer_for("2222");
	ck_assert(g->ok);
	ck_assert_msg(!strchr(g->hash, '\x1b') && !strchr(g->hash, '\a'), "raw hash: %s", g->hash);
	ck_assert_uint_eq(g->nb + g->na, 0);
	ck_assert_int_eq(g->ltp, PRICE_NONE);
	g = answer_for("3333");
	ck_assert(!g->ok && !g->retry);
	ck_assert_str_eq(g->error, "malformed book: price out of range");
	g = answer_for("9002");
	ck_assert(!g->ok && !g->retry);
	ck_assert_str_eq(g->error, "no book for this token in the answer");

	/* a batch of unknown ids is answered "[]": an answer, not a failure to retry */
	const char *unknown[] = {"9003", "9004"};
	fetch(unknown, 2);
	wait_final(6);
	ck_assert_str_eq(answer_for("9003")->error, "no book for this token in the answer");
	ck_assert_str_eq(answer_for("9004")->error, "no book for this token in the answer");
	for (size_t i = 0; i < ngot; i++)
		ck_assert_msg(!got[i].retry, "%s was retried: %s", got[i].id, got[i].error);
}
END_TEST

START_TEST(a_refused_batch_is_asked_again_one_id_at_a_time)
{
	struct rest_config c;
	peer_start("--bad-id", "5555", NULL, NULL, NULL);
	fast_config(&c);
	worker_start(&c);
	const char *ids[] = {"5554", "5555", "5556"};
	fetch(ids, 3);
	wait_final(3);
	ck_assert(answer_for("5554")->ok);
	ck_assert(answer_for("5556")->ok);
	ck_assert(!answer_for("5555")->ok);
	ck_assert_int_eq(answer_for("5555")->status, 400);
	read_log();
	ck_assert_uint_eq(nreqs, 4);
	ck_assert_str_eq(reqs[0].path, "/books");
	for (size_t i = 1; i < 4; i++)
		ck_assert_str_eq(reqs[i].path, "/book");
}
END_TEST

START_TEST(a_book_too_large_for_a_record_is_an_error_not_a_cut)
{
	struct rest_config c;
	peer_start(NULL, NULL, NULL, NULL, NULL);
	fast_config(&c);
	c.answer_ring = 64 * 1024; /* 2 x 5000 levels need 160 KiB */
	worker_start(&c);
	const char *ids[] = {"8001", "1111"};
	fetch(ids, 2);
	wait_final(2);
	const struct got *g = answer_for("8001");
	ck_assert(!g->ok && !g->retry);
	ck_assert_str_eq(g->error, "book of 10000 levels too large for a record");
	ck_assert(answer_for("1111")->ok);
}
END_TEST

START_TEST(bad_configurations_are_refused_with_a_reason)
{
	struct rest_config c;
	char err[200];
	rest_config_defaults(&c);
	c.base_url = "ftp://x";
	ck_assert_ptr_null(rest_start(&c, err, sizeof(err)));
	ck_assert_str_eq(err, "REST URL must start with http:// or https://");
	rest_config_defaults(&c);
	c.max_batch = 251;
	ck_assert_ptr_null(rest_start(&c, err, sizeof(err)));
	ck_assert_str_eq(err, "REST batch must hold 1 to 250 ids");
	rest_config_defaults(&c);
	c.books_per_10s = 1;
	ck_assert_ptr_null(rest_start(&c, err, sizeof(err)));
	rest_config_defaults(&c);
	ck_assert_double_eq_tol(c.book_per_10s, 1200, 1e-9);
	ck_assert_double_eq_tol(c.books_per_10s, 400, 1e-9);
}
END_TEST

/* ---- restq, without a network ---- */

START_TEST(queue_dedups_puts_urgent_first_and_keeps_solo_ids_alone)
{
	struct restq *q = restq_create();
	struct restq_id out[8];
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(restq_add(q, "1", false), RESTQ_ADDED);
	ck_assert_int_eq(restq_add(q, "2", false), RESTQ_ADDED);
	ck_assert_int_eq(restq_add(q, "1", true), RESTQ_DUP);
	ck_assert_int_eq(restq_add(q, "3", true), RESTQ_ADDED);
	ck_assert_int_eq(restq_add(q, "x3", false), RESTQ_FULL); /* not a token id */
	ck_assert_uint_eq(restq_take(q, out, 8), 3);
	ck_assert_str_eq(out[0].id, "3");
	ck_assert_str_eq(out[1].id, "1");
	ck_assert_str_eq(out[2].id, "2");
	ck_assert_int_eq(restq_add(q, "2", false), RESTQ_DUP); /* in flight */
	/* the batch failed: back at the front, last first keeps the order */
	restq_requeue(q, "2", true);
	restq_requeue(q, "1", true);
	restq_requeue(q, "3", false);
	ck_assert_uint_eq(restq_take(q, out, 8), 1);
	ck_assert_str_eq(out[0].id, "3");
	ck_assert(restq_front_solo(q));
	ck_assert_uint_eq(restq_take(q, out, 8), 1);
	ck_assert_str_eq(out[0].id, "1");
	restq_done(q, "1");
	ck_assert_int_eq(restq_add(q, "1", false), RESTQ_ADDED);
	ck_assert_uint_eq(restq_known(q), 3);
	ck_assert_uint_eq(restq_waiting(q), 2);
	restq_destroy(q);
}
END_TEST

START_TEST(queue_survives_many_ids_coming_and_going)
{
	struct restq *q = restq_create();
	struct restq_id out[250];
	char id[16];
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 5000; i++) {
			snprintf(id, sizeof(id), "%d", 10000 + i);
			ck_assert_int_eq(restq_add(q, id, i % 2), RESTQ_ADDED);
		}
		ck_assert_uint_eq(restq_waiting(q), 5000);
		size_t n, total = 0;
		while ((n = restq_take(q, out, 250)) > 0) {
			for (size_t i = 0; i < n; i++)
				restq_done(q, out[i].id);
			total += n;
		}
		ck_assert_uint_eq(total, 5000);
		ck_assert_uint_eq(restq_known(q), 0);
	}
	restq_destroy(q);
}
END_TEST

START_TEST(bucket_allows_a_tenth_at_once_then_the_rest_spread_over_10_s)
{
	struct bucket b;
	int64_t t = 1000;
	bucket_init(&b, 400, t);
	int n = 0;
	while (bucket_take(&b, t))
		n++;
	ck_assert_int_eq(n, 40);
	/* 360 more over the next 10 s, never more */
	int later = 0;
	for (int64_t step = 0; step <= 10000; step++)
		while (bucket_take(&b, t + step * 1000000))
			later++;
	ck_assert_int_ge(later, 359);
	ck_assert_int_le(later, 360);
	ck_assert_int_gt(bucket_wait_ns(&b, t + 10000000000), 0);
}
END_TEST

static Suite *rest_suite(void)
{
	Suite *s = suite_create("rest");
	TCase *t = tcase_create("worker");
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, single_id_uses_get_book_and_returns_exact_levels);
	tcase_add_test(t, many_ids_go_in_batches_of_at_most_250_each_asked_once);
	tcase_add_test(t, ids_queued_or_in_flight_are_not_asked_twice);
	tcase_add_test(t, requests_stay_inside_a_low_budget);
	tcase_add_test(t, a_429_pauses_for_retry_after_seconds);
	tcase_add_test(t, a_429_pauses_until_a_retry_after_date);
	tcase_add_test(t, a_500_is_retried_with_back_off_until_answered);
	tcase_add_test(t, stop_is_prompt_with_a_slow_request_in_flight);
	tcase_add_test(t, unknown_malformed_and_hostile_books_are_answered_per_asset);
	tcase_add_test(t, a_refused_batch_is_asked_again_one_id_at_a_time);
	tcase_add_test(t, a_book_too_large_for_a_record_is_an_error_not_a_cut);
	tcase_add_test(t, bad_configurations_are_refused_with_a_reason);
	suite_add_tcase(s, t);
	t = tcase_create("queue");
	tcase_add_test(t, queue_dedups_puts_urgent_first_and_keeps_solo_ids_alone);
	tcase_add_test(t, queue_survives_many_ids_coming_and_going);
	tcase_add_test(t, bucket_allows_a_tenth_at_once_then_the_rest_spread_over_10_s);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rest_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
