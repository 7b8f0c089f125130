/*
 * Tests for publish against a real redis-server on a free 127.0.0.1 port (started here,
 * under `timeout`, killed by PID): books and trades arrive on their channels, the cache
 * key holds the book with a TTL of at most 5 s, the stream is in gap-free order, and
 * when Redis is killed mid-run the publisher counts drops, then reconnects and publishes
 * again once Redis is back.  Also the conflation helper (no server needed).
 */
#include <check.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bookmsg.h"
#include "clock.h"
#include "publish.h"

#ifndef REDIS_SERVER
#define REDIS_SERVER "redis-server"
#endif

static pid_t redis_pid;
static int redis_port;

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	ck_assert(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	ck_assert(getsockname(s, (struct sockaddr *)&a, &l) == 0);
	close(s);
	return ntohs(a.sin_port);
}

static redisContext *client(int secs)
{
	int64_t deadline = clock_mono_ns() + secs * NS_PER_S;
	for (;;) {
		redisContext *c = redisConnect("127.0.0.1", redis_port);
		if (c && !c->err)
			return c;
		if (c)
			redisFree(c);
		ck_assert_msg(clock_mono_ns() < deadline, "redis-server not up within %d s", secs);
		clock_sleep_ns(50 * NS_PER_MS);
	}
}

static void redis_start(void)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", redis_port);
	redis_pid = fork();
	ck_assert(redis_pid >= 0);
	if (redis_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		/* the deadline: redis-server never outlives the test by more than 120 s */
		execlp("timeout", "timeout", "120", REDIS_SERVER, "--port", port, "--bind",
		       "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", NULL);
		_exit(127);
	}
	redisFree(client(15));
}

static void redis_kill(void)
{
	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM); /* timeout(1) passes it on to redis-server */
		waitpid(redis_pid, NULL, 0);
		redis_pid = 0;
		/* make sure the port is free before a restart */
		int64_t deadline = clock_mono_ns() + 10 * NS_PER_S;
		for (;;) {
			redisContext *c = redisConnect("127.0.0.1", redis_port);
			bool up = c && !c->err;
			if (up) {
				redisReply *r = redisCommand(c, "SHUTDOWN NOSAVE");
				if (r)
					freeReplyObject(r);
			}
			if (c)
				redisFree(c);
			if (!up)
				break;
			ck_assert_msg(clock_mono_ns() < deadline, "redis-server would not stop");
			clock_sleep_ns(50 * NS_PER_MS);
		}
	}
}

static void kill_at_exit(void)
{
	if (redis_pid > 0)
		kill(redis_pid, SIGTERM);
}

static void setup(void)
{
	/* a failed check exits the test process without running teardown */
	atexit(kill_at_exit);
	redis_port = free_port();
	redis_start();
}

static void teardown(void)
{
	redis_kill();
}

static struct publisher *start(const char *stream)
{
	struct publish_config c = {.stream_key = stream, .io_timeout_ms = 1000};
	char url[64], err[200];
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis_port);
	ck_assert_int_eq(redisurl_parse(url, NULL, &c.url, err, sizeof(err)), 0);
	struct publisher *p = publish_start(&c, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	return p;
}

static void wait_state(struct publisher *p, enum pub_state want, int secs)
{
	int64_t deadline = clock_mono_ns() + secs * NS_PER_S;
	struct publish_stats st;
	for (publish_stats(p, &st); st.link != want; publish_stats(p, &st)) {
		ck_assert_msg(clock_mono_ns() < deadline, "state %s, wanted %s within %d s (%s)",
		              pub_state_name(st.link), pub_state_name(want), secs, st.last_error);
		clock_sleep_ns(20 * NS_PER_MS);
	}
}

static void wait_published(struct publisher *p, uint64_t n, int secs)
{
	int64_t deadline = clock_mono_ns() + secs * NS_PER_S;
	struct publish_stats st;
	for (publish_stats(p, &st); st.published < n; publish_stats(p, &st))
		ck_assert_msg(clock_mono_ns() < deadline,
		              "published %llu of %llu within %d s (dropped %llu, %s)",
		              (unsigned long long)st.published, (unsigned long long)n, secs,
		              (unsigned long long)st.dropped, st.last_error);
}

static void push_book(struct publisher *p, const char *id, const struct book *b, enum pub_kind k)
{
	size_t cap;
	char *buf = publish_scratch(p, &cap);
	struct bookmsg_out out;
	struct bookmsg_meta m = {id, 1790000000000, "abc", clock_real_ns(), "fresh", "live", 0};
	ck_assert_int_eq(bookmsg_book(buf, cap, b, &m, &out), 0);
	ck_assert(publish_push(p, k, id, out.len));
}

static void push_trade(struct publisher *p, const char *id, int64_t price)
{
	size_t cap;
	char *buf = publish_scratch(p, &cap);
	struct bookmsg_trade t = {id, price, 5 * NUM_SCALE, SIDE_BID, 1790000000000, 0, "live"};
	size_t n = bookmsg_trade(buf, cap, &t);
	ck_assert(n > 0 && publish_push(p, PUB_TRADE, id, n));
}

/* The next message on a subscribed connection: its channel and payload. */
static void next_message(redisContext *sub, char *chan, size_t cc, char *payload, size_t pc)
{
	redisReply *r = NULL;
	ck_assert_msg(redisGetReply(sub, (void **)&r) == REDIS_OK, "subscriber: %s", sub->errstr);
	ck_assert(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
	ck_assert_str_eq(r->element[0]->str, "message");
	snprintf(chan, cc, "%s", r->element[1]->str);
	snprintf(payload, pc, "%s", r->element[2]->str);
	freeReplyObject(r);
}

START_TEST(books_and_trades_arrive_on_their_channels_and_the_cache_expires)
{
	redisContext *sub = client(5);
	struct timeval tv = {10, 0};
	redisSetTimeout(sub, tv);
	redisReply *r =
	    redisCommand(sub, "SUBSCRIBE polymarket:orderbook:111 polymarket:trade:111");
	freeReplyObject(r);
	r = NULL;
	ck_assert(redisGetReply(sub, (void **)&r) == REDIS_OK); /* second subscribe ack */
	freeReplyObject(r);

	struct publisher *p = start(NULL);
	wait_state(p, PUB_UP, 15);
	struct book b;
	book_init(&b);
	book_apply_level(&b, SIDE_BID, 480000, 10 * NUM_SCALE);
	book_apply_level(&b, SIDE_ASK, 520000, 7 * NUM_SCALE + 5);
	push_book(p, "111", &b, PUB_BOOK);
	push_trade(p, "111", 520000);

	char chan[128], payload[4096];
	next_message(sub, chan, sizeof(chan), payload, sizeof(payload));
	ck_assert_str_eq(chan, "polymarket:orderbook:111");
	json_t *j = json_loads(payload, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", payload);
	json_t *ask0 = json_array_get(json_object_get(j, "asks"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(ask0, "size")), "7.000005");
	json_decref(j);
	next_message(sub, chan, sizeof(chan), payload, sizeof(payload));
	ck_assert_str_eq(chan, "polymarket:trade:111");
	ck_assert(strstr(payload, "\"clobtop.trade/1\"") != NULL);
	/* the book handed on as a record, rendered by the publisher: the same bytes */
	struct bookmsg_meta m = {"111",   1790000000000, "abc", 1790000000000123456,
	                         "fresh", "live",        0};
	char want[4096];
	ck_assert_int_eq(bookmsg_book(want, sizeof(want), &b, &m, NULL), 0);
	ck_assert(publish_push_book(p, PUB_BOOK, "111", &b, &m));
	next_message(sub, chan, sizeof(chan), payload, sizeof(payload));
	ck_assert_str_eq(chan, "polymarket:orderbook:111");
	ck_assert_str_eq(payload, want);
	wait_published(p, 3, 10);

	redisContext *c = client(5);
	r = redisCommand(c, "GET orderbook:polymarket:111");
	ck_assert(r && r->type == REDIS_REPLY_STRING);
	ck_assert(strstr(r->str, "\"7.000005\"") != NULL);
	freeReplyObject(r);
	r = redisCommand(c, "PTTL orderbook:polymarket:111");
	ck_assert(r && r->type == REDIS_REPLY_INTEGER);
	ck_assert_msg(r->integer > 0 && r->integer <= 5000, "TTL %lld ms", r->integer);
	freeReplyObject(r);
	r = redisCommand(c, "EXISTS orderbook:polymarket:trade:111 orderbook:polymarket:222");
	ck_assert_int_eq(r->integer, 0);
	freeReplyObject(r);
	redisFree(c);
	redisFree(sub);
	publish_stop(p);
	book_free(&b);
}
END_TEST

START_TEST(the_stream_is_in_gap_free_order)
{
	struct publisher *p = start("clobtop:test");
	wait_state(p, PUB_UP, 15);
	struct book b;
	book_init(&b);
	const int n = 2000;
	for (int i = 0; i < n; i++) {
		if (i % 2) {
			push_trade(p, "5", 1000 + i);
		} else {
			book_apply_level(&b, SIDE_BID, 1000 + 1000 * (i % 50), NUM_SCALE + i);
			if (i % 8 < 4) {
				push_book(p, "5", &b, i % 4 ? PUB_BOOK : PUB_CACHE);
			} else { /* half the books as records, rendered by the publisher */
				struct bookmsg_meta m = {"5", 1, NULL, 1, "fresh", "live", 0};
				ck_assert(publish_push_book(p, i % 4 ? PUB_BOOK : PUB_CACHE, "5",
				                            &b, &m));
			}
		}
	}
	wait_published(p, (uint64_t)n, 30);
	redisContext *c = client(5);
	redisReply *r = redisCommand(c, "XRANGE clobtop:test - +");
	ck_assert(r && r->type == REDIS_REPLY_ARRAY);
	/* PUB_CACHE records (every 4th) are not streamed but take a seq: 3 of 4 in the stream */
	ck_assert_uint_eq(r->elements, (size_t)(n - n / 4));
	long prev = 0;
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *f = r->element[i]->element[1];
		ck_assert_uint_eq(f->elements, 8);
		ck_assert_str_eq(f->element[4]->str, "seq");
		long seq = atol(f->element[5]->str);
		long want = prev + 1 + ((prev + 1) % 4 == 1 ? 1 : 0);
		ck_assert_msg(seq == want, "entry %zu: seq %ld after %ld", i, seq, prev);
		const char *type = f->element[1]->str;
		ck_assert_str_eq(type, seq % 2 ? "book" : "trade");
		prev = seq;
	}
	freeReplyObject(r);
	redisFree(c);
	publish_stop(p);
	book_free(&b);
}
END_TEST

START_TEST(redis_killed_mid_run_counts_drops_then_publishing_resumes)
{
	struct publisher *p = start(NULL);
	wait_state(p, PUB_UP, 15);
	for (int i = 0; i < 10; i++)
		push_trade(p, "9", 1000 + i);
	wait_published(p, 10, 10);
	redis_kill();
	/* keep offering while Redis is gone: nothing blocks, everything is counted */
	struct publish_stats st;
	int64_t deadline = clock_mono_ns() + 15 * NS_PER_S;
	do {
		int64_t t0 = clock_mono_ns();
		push_trade(p, "9", 2000);
		ck_assert_msg(clock_mono_ns() - t0 < 50 * NS_PER_MS, "publish_push blocked");
		clock_sleep_ns(5 * NS_PER_MS);
		publish_stats(p, &st);
		ck_assert_msg(clock_mono_ns() < deadline, "no drops counted within 15 s (state %s)",
		              pub_state_name(st.link));
	} while (st.dropped < 20 || st.link == PUB_UP);
	ck_assert(st.last_error[0] != '\0');
	ck_assert_uint_eq(st.published, 10);
	redis_start();
	wait_state(p, PUB_UP, 20);
	publish_stats(p, &st);
	ck_assert_uint_ge(st.connects, 2);
	uint64_t before = st.published;
	redisContext *sub = client(5);
	redisReply *r = redisCommand(sub, "SUBSCRIBE polymarket:trade:9");
	freeReplyObject(r);
	push_trade(p, "9", 3000);
	char chan[64], payload[1024];
	next_message(sub, chan, sizeof(chan), payload, sizeof(payload));
	ck_assert(strstr(payload, "\"price\":\"0.003\"") != NULL);
	wait_published(p, before + 1, 10);
	redisFree(sub);
	publish_stop(p);
}
END_TEST

START_TEST(a_wrong_password_is_reported_without_showing_it)
{
	struct publish_config c = {.io_timeout_ms = 1000};
	char url[96], err[200];
	snprintf(url, sizeof(url), "redis://:hunter2secret@127.0.0.1:%d", redis_port);
	ck_assert_int_eq(redisurl_parse(url, NULL, &c.url, err, sizeof(err)), 0);
	struct publisher *p = publish_start(&c, err, sizeof(err));
	wait_state(p, PUB_DOWN, 15);
	struct publish_stats st;
	publish_stats(p, &st);
	ck_assert_msg(strstr(st.last_error, "AUTH") != NULL, "%s", st.last_error);
	ck_assert(strstr(st.last_error, "hunter2") == NULL);
	publish_stop(p);
}
END_TEST

START_TEST(conflation_publishes_at_most_once_per_interval_and_refreshes_every_second)
{
	struct pub_conflate c;
	pub_conflate_init(&c, 100);
	int64_t t = NS_PER_S;
	ck_assert(!pub_conflate_due(&c, 7, t)); /* never marked */
	ck_assert(pub_conflate_mark(&c, 7));
	ck_assert(pub_conflate_due(&c, 7, t));
	ck_assert(!pub_conflate_due(&c, 7, t)); /* nothing new */
	pub_conflate_mark(&c, 7);
	ck_assert(!pub_conflate_due(&c, 7, t + 99 * NS_PER_MS));
	ck_assert(pub_conflate_due(&c, 7, t + 100 * NS_PER_MS)); /* the change is kept */
	ck_assert(!pub_conflate_refresh_due(&c, 7, t + 1099 * NS_PER_MS));
	ck_assert(pub_conflate_refresh_due(&c, 7, t + 1100 * NS_PER_MS));
	ck_assert(!pub_conflate_refresh_due(&c, 7, t + 1200 * NS_PER_MS));
	ck_assert(pub_conflate_refresh_due(&c, 500, t)); /* a new slot is due at once */
	pub_conflate_free(&c);
	pub_conflate_init(&c, 0);
	for (int i = 0; i < 3; i++) {
		pub_conflate_mark(&c, 0);
		ck_assert(pub_conflate_due(&c, 0, t)); /* interval 0: every change */
	}
	pub_conflate_free(&c);
}
END_TEST

static Suite *publish_suite(void)
{
	Suite *s = suite_create("publish");
	TCase *tc = tcase_create("redis");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, books_and_trades_arrive_on_their_channels_and_the_cache_expires);
	tcase_add_test(tc, the_stream_is_in_gap_free_order);
	tcase_add_test(tc, redis_killed_mid_run_counts_drops_then_publishing_resumes);
	tcase_add_test(tc, a_wrong_password_is_reported_without_showing_it);
	suite_add_tcase(s, tc);
	tc = tcase_create("conflate");
	tcase_add_test(tc,
	               conflation_publishes_at_most_once_per_interval_and_refreshes_every_second);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	SRunner *sr = srunner_create(publish_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
