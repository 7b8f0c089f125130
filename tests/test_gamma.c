/*
 * test_gamma: the Gamma metadata worker against tests/gamma_peer.py, a small HTTP server
 * on 127.0.0.1 that serves canned Gamma answers (string-encoded and real arrays, closed
 * markets, unknown ids and slugs, malformed JSON, HTTP errors, a slow answer, an
 * oversized answer and hostile text).
 *
 * Every test starts its own peer (which exits by itself after 30 s) and kills it at the
 * end; every wait is bounded.  Results are compared field by field, exactly.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gamma.h"
#include "pypeer.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
#ifndef PYTHON3
#define PYTHON3 "/usr/bin/python3"
#endif

#define WAIT_MS 10000 /* upper bound for any answer; no test relies on it for timing */

static pid_t peer_pid = -1;
static char peer_log[64];
static char base_url[64];
static struct gamma *g;
static struct gamma_result res; /* ~24 KiB: kept off the stack */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void peer_start(void)
{
	snprintf(peer_log, sizeof(peer_log), "/tmp/gamma_peer_XXXXXX");
	int lfd = mkstemp(peer_log);
	ck_assert_msg(lfd >= 0, "mkstemp failed: %s", strerror(errno));
	close(lfd);
	const char *argv[] = {PYTHON3,      TOP_SRCDIR "/tests/gamma_peer.py",
	                      "--log",      peer_log,
	                      "--lifetime", "30",
	                      "--slow",     "25",
	                      NULL};
	int port = pypeer_start((char *const *)argv, &peer_pid, WAIT_MS);
	ck_assert_msg(port > 0, "gamma_peer.py did not start or print its port");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
}

static void setup(void)
{
	peer_start();
	char err[256];
	struct gamma_config c;
	gamma_config_defaults(&c);
	c.base_url = base_url;
	c.timeout_ms = 3000;
	g = gamma_start_config(&c, err, sizeof(err));
	ck_assert_msg(g != NULL, "gamma_start failed: %s", err);
}

static void teardown(void)
{
	gamma_stop(g);
	g = NULL;
	pypeer_stop(&peer_pid);
	unlink(peer_log);
}

/* Restart the worker with another configuration against the same peer. */
static void restart(long timeout_ms, size_t max_body, const char *url)
{
	gamma_stop(g);
	char err[256];
	struct gamma_config c;
	gamma_config_defaults(&c);
	c.base_url = url ? url : base_url;
	c.timeout_ms = timeout_ms;
	c.max_body = max_body;
	g = gamma_start_config(&c, err, sizeof(err));
	ck_assert_msg(g != NULL, "gamma_start failed: %s", err);
}

/* Bounded wait for the next answer. */
static bool wait_result(struct gamma_result *out)
{
	int64_t deadline = now_ms() + WAIT_MS;
	for (;;) {
		if (gamma_poll(g, out))
			return true;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = {.fd = gamma_wake_fd(g), .events = POLLIN};
		poll(&pfd, 1, (int)left);
	}
}

static void lookup_tokens_ok(const char *ids)
{
	ck_assert_msg(gamma_lookup_tokens(g, ids), "lookup of \"%s\" was not queued", ids);
	ck_assert_msg(wait_result(&res), "no answer for tokens \"%s\" within %d ms", ids, WAIT_MS);
	ck_assert_int_eq(res.kind, GAMMA_TOKENS);
}

static void lookup_slug_ok(const char *slug)
{
	ck_assert_msg(gamma_lookup_slug(g, slug), "lookup of slug \"%s\" was not queued", slug);
	ck_assert_msg(wait_result(&res), "no answer for slug \"%s\" within %d ms", slug, WAIT_MS);
	ck_assert_int_eq(res.kind, GAMMA_SLUG);
}

/* Lines of the peer's request log that contain `needle`. */
static int peer_requests(const char *needle)
{
	FILE *f = fopen(peer_log, "r");
	ck_assert_msg(f != NULL, "cannot open %s", peer_log);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static void check_market_a(const struct gamma_market *m)
{
	ck_assert_str_eq(m->question, "Will it rain in Paris on Friday?");
	ck_assert_str_eq(m->slug, "rain-paris-friday");
	ck_assert_str_eq(m->condition_id,
	                 "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_int_eq(m->tick, 10000);
	ck_assert_msg(!m->closed, "market A reported closed");
	ck_assert_uint_eq(m->ntokens, 2);
	ck_assert_str_eq(m->token[0], "111");
	ck_assert_str_eq(m->token[1], "222");
	ck_assert_str_eq(m->outcome[0], "Yes");
	ck_assert_str_eq(m->outcome[1], "No");
}

static void check_market_b(const struct gamma_market *m)
{
	ck_assert_str_eq(m->question, "Who wins the final?");
	ck_assert_str_eq(m->slug, "final-winner");
	ck_assert_str_eq(m->condition_id,
	                 "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	ck_assert_int_eq(m->tick, 1000);
	ck_assert_msg(!m->closed, "market B reported closed");
	ck_assert_uint_eq(m->ntokens, 2);
	ck_assert_str_eq(m->token[0], "333");
	ck_assert_str_eq(m->token[1], "444");
	ck_assert_str_eq(m->outcome[0], "Team A");
	ck_assert_str_eq(m->outcome[1], "Team B");
}

static void check_market_c(const struct gamma_market *m)
{
	ck_assert_str_eq(m->question, "Old election?");
	ck_assert_str_eq(m->slug, "old-election");
	ck_assert_int_eq(m->tick, 100000);
	ck_assert_msg(m->closed, "market C should be closed");
	ck_assert_uint_eq(m->ntokens, 2);
	ck_assert_str_eq(m->token[0], "555");
	ck_assert_str_eq(m->token[1], "556");
}

START_TEST(tokens_string_encoded_arrays_and_numeric_tick_parse)
{
	lookup_tokens_ok("111");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_str_eq(res.query, "111");
	ck_assert_str_eq(res.error, "");
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_a(&res.markets[0]);
}
END_TEST

START_TEST(tokens_real_arrays_and_string_tick_parse)
{
	lookup_tokens_ok("444");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_b(&res.markets[0]);
}
END_TEST

START_TEST(both_tokens_of_one_market_cost_one_request)
{
	lookup_tokens_ok("  111   222 ");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_str_eq(res.query, "111 222");
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_a(&res.markets[0]);
	ck_assert_int_eq(peer_requests("/markets?clob_token_ids="), 1);
}
END_TEST

START_TEST(tokens_of_two_markets_give_two_markets_in_order)
{
	lookup_tokens_ok("333 111");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 2);
	check_market_b(&res.markets[0]);
	check_market_a(&res.markets[1]);
}
END_TEST

START_TEST(closed_market_found_by_asking_with_closed_true)
{
	lookup_tokens_ok("556");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_c(&res.markets[0]);
	ck_assert_int_eq(peer_requests("clob_token_ids=556&closed=true"), 1);
}
END_TEST

START_TEST(unknown_token_is_not_ok_and_named)
{
	lookup_tokens_ok("424242");
	ck_assert_msg(!res.ok, "unknown token reported ok");
	ck_assert_uint_eq(res.nmarkets, 0);
	ck_assert_str_eq(res.error, "no market for 1 of 1 token: 424242");
}
END_TEST

START_TEST(partly_unknown_tokens_are_ok_and_name_the_missing)
{
	lookup_tokens_ok("111 424242");
	ck_assert_msg(res.ok, "partial answer should be ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_a(&res.markets[0]);
	ck_assert_str_eq(res.error, "no market for 1 of 2 tokens: 424242");
}
END_TEST

START_TEST(market_not_listing_the_token_is_ignored)
{
	lookup_tokens_ok("1234");
	ck_assert_msg(!res.ok, "a market not listing 1234 was accepted");
	ck_assert_uint_eq(res.nmarkets, 0);
	ck_assert_str_eq(res.error, "no market for 1 of 1 token: 1234");
}
END_TEST

START_TEST(malformed_json_is_an_error_in_words)
{
	lookup_tokens_ok("777");
	ck_assert_msg(!res.ok, "malformed JSON reported ok");
	ck_assert_uint_eq(res.nmarkets, 0);
	const char *want = "malformed JSON from /markets?clob_token_ids=777: ";
	ck_assert_msg(!strncmp(res.error, want, strlen(want)), "expected \"%s...\", got \"%s\"",
	              want, res.error);
}
END_TEST

START_TEST(http_error_status_is_reported)
{
	lookup_tokens_ok("500");
	ck_assert_msg(!res.ok, "HTTP 500 reported ok");
	ck_assert_str_eq(res.error, "HTTP 500 from /markets?clob_token_ids=500");
}
END_TEST

static void assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x left in \"%s\"", *p,
		              s);
}

START_TEST(hostile_text_comes_out_sanitised)
{
	lookup_tokens_ok("999");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 1);
	const struct gamma_market *m = &res.markets[0];
	ck_assert_str_eq(m->question, "Will it rain today?");
	ck_assert_str_eq(m->slug, "hostile-market");
	ck_assert_str_eq(m->outcome[0], "Yes");
	ck_assert_str_eq(m->outcome[1], "No");
	ck_assert_int_eq(m->tick, 100);
	assert_printable(m->question);
	assert_printable(m->slug);
	assert_printable(m->outcome[0]);
}
END_TEST

START_TEST(poll_never_blocks_and_slow_answer_times_out)
{
	restart(1000, (size_t)4 << 20, NULL);
	ck_assert(gamma_lookup_tokens(g, "888"));
	/* The peer holds this answer for 25 s: a blocking poll would return true here. */
	ck_assert_msg(!gamma_poll(g, &res), "gamma_poll returned an answer the peer never sent");
	ck_assert_msg(wait_result(&res), "no answer within %d ms", WAIT_MS);
	ck_assert_msg(!res.ok, "timed-out request reported ok");
	ck_assert_msg(strstr(res.error, "Timeout was reached") != NULL,
	              "expected a timeout error, got \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 0);
}
END_TEST

START_TEST(stop_aborts_a_request_in_flight)
{
	restart(60000, (size_t)4 << 20, NULL);
	ck_assert(gamma_lookup_tokens(g, "888"));
	int64_t deadline = now_ms() + WAIT_MS;
	while (peer_requests("clob_token_ids=888") == 0 && now_ms() < deadline)
		poll(NULL, 0, 20);
	ck_assert_int_eq(peer_requests("clob_token_ids=888"), 1);
	/* With a 60 s timeout and a 25 s answer, only the abort lets this return before the
	 * test case's own timeout. */
	gamma_stop(g);
	g = NULL;
}
END_TEST

START_TEST(oversized_answer_is_refused)
{
	restart(3000, 4096, NULL);
	lookup_tokens_ok("big");
	ck_assert_msg(!res.ok, "oversized answer reported ok");
	ck_assert_str_eq(res.error, "answer to /markets?clob_token_ids=big larger than 4096 bytes");
}
END_TEST

START_TEST(oversized_streamed_answer_is_refused)
{
	restart(3000, 4096, NULL);
	lookup_tokens_ok("bigstream");
	ck_assert_msg(!res.ok, "oversized answer reported ok");
	ck_assert_str_eq(res.error,
	                 "answer to /markets?clob_token_ids=bigstream larger than 4096 bytes");
}
END_TEST

START_TEST(refused_connection_is_an_error_in_words)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	restart(3000, (size_t)4 << 20, url);
	lookup_tokens_ok("111");
	close(s);
	ck_assert_msg(!res.ok, "refused connection reported ok");
	ck_assert_msg(!strncmp(res.error, "Could", 5),
	              "expected \"Couldn't connect...\", got \"%s\"", res.error);
}
END_TEST

START_TEST(market_slug_resolves)
{
	lookup_slug_ok("rain-paris-friday");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_str_eq(res.query, "rain-paris-friday");
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_a(&res.markets[0]);
	ck_assert_int_eq(peer_requests("/events/"), 0);
}
END_TEST

START_TEST(market_slug_answered_as_array_resolves)
{
	lookup_slug_ok("array-form");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 1);
	check_market_b(&res.markets[0]);
}
END_TEST

START_TEST(event_slug_gives_all_its_markets)
{
	lookup_slug_ok("us-election");
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(res.nmarkets, 2);
	check_market_b(&res.markets[0]);
	check_market_c(&res.markets[1]);
	ck_assert_int_eq(peer_requests("/markets/slug/us-election"), 1);
	ck_assert_int_eq(peer_requests("/events/slug/us-election"), 1);
}
END_TEST

/* More markets than one result holds arrive in several results, none lost. */
START_TEST(big_event_slug_arrives_in_chunks_with_every_market)
{
	size_t total = 0, chunks = 0;
	char seen[40] = {0};
	ck_assert(gamma_lookup_slug(g, "big-event"));
	do {
		ck_assert_msg(wait_result(&res), "no answer for chunk %zu within %d ms", chunks,
		              WAIT_MS);
		ck_assert_int_eq(res.kind, GAMMA_SLUG);
		ck_assert_uint_eq(res.truncated, 0);
		for (size_t i = 0; i < res.nmarkets; i++) {
			int k = atoi(res.markets[i].token[0]) - 70000;
			ck_assert_msg(k >= 0 && k < 80 && k % 2 == 0 && !seen[k / 2],
			              "unexpected or repeated token %s", res.markets[i].token[0]);
			seen[k / 2] = 1;
		}
		total += res.nmarkets;
		chunks++;
	} while (res.more && chunks < 10);
	ck_assert_msg(res.ok, "expected ok, got error \"%s\"", res.error);
	ck_assert_uint_eq(total, 40);
	ck_assert_uint_eq(chunks, 3);
}
END_TEST

START_TEST(unknown_slug_is_not_ok_and_named)
{
	lookup_slug_ok("no-such-thing");
	ck_assert_msg(!res.ok, "unknown slug reported ok");
	ck_assert_uint_eq(res.nmarkets, 0);
	ck_assert_str_eq(res.error, "no market or event with slug no-such-thing");
}
END_TEST

START_TEST(slug_is_escaped_in_the_path)
{
	lookup_slug_ok("a/../b?c=d");
	ck_assert_msg(!res.ok, "odd slug reported ok");
	ck_assert_int_eq(peer_requests("/markets/slug/a%2F..%2Fb%3Fc%3Dd"), 1);
}
END_TEST

START_TEST(answers_arrive_in_request_order_and_wake_the_fd)
{
	ck_assert(gamma_lookup_tokens(g, "111"));
	ck_assert(gamma_lookup_slug(g, "final-winner"));
	ck_assert(gamma_lookup_tokens(g, "555"));
	struct pollfd pfd = {.fd = gamma_wake_fd(g), .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, WAIT_MS) == 1, "wake fd not readable within %d ms", WAIT_MS);
	const char *want[] = {"111", "final-winner", "555"};
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(wait_result(&res), "answer %d missing", i);
		ck_assert_str_eq(res.query, want[i]);
		ck_assert_msg(res.ok, "answer %d: expected ok, got \"%s\"", i, res.error);
	}
	ck_assert_msg(!gamma_poll(g, &res), "a fourth answer appeared");
}
END_TEST

START_TEST(lookups_that_cannot_be_served_are_refused)
{
	char many[GAMMA_MAX_IDS * 4 + 8] = "";
	for (int i = 0; i <= GAMMA_MAX_IDS; i++)
		strcat(many, "12 ");
	char longid[100];
	memset(longid, '7', 80);
	longid[80] = '\0';
	ck_assert_msg(!gamma_lookup_tokens(g, ""), "empty id list queued");
	ck_assert_msg(!gamma_lookup_tokens(g, "   "), "blank id list queued");
	ck_assert_msg(!gamma_lookup_tokens(g, many), "%d ids queued", GAMMA_MAX_IDS + 1);
	ck_assert_msg(!gamma_lookup_tokens(g, longid), "80-digit id queued");
	ck_assert_msg(!gamma_lookup_slug(g, ""), "empty slug queued");
	ck_assert_msg(!gamma_lookup_slug(g, "two words"), "slug with a space queued");
	ck_assert_msg(gamma_lookup_tokens(g, many + 3), "%d ids refused", GAMMA_MAX_IDS);
}
END_TEST

START_TEST(start_refuses_a_non_http_url)
{
	char err[256] = "";
	struct gamma *x = gamma_start("ftp://example.invalid", NULL, false, err, sizeof(err));
	ck_assert_msg(x == NULL, "ftp URL accepted");
	ck_assert_str_eq(err, "Gamma URL must start with http:// or https://");
}
END_TEST

static Suite *gamma_suite(void)
{
	Suite *s = suite_create("gamma");
	TCase *t = tcase_create("lookups");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 20);
	tcase_add_test(t, tokens_string_encoded_arrays_and_numeric_tick_parse);
	tcase_add_test(t, tokens_real_arrays_and_string_tick_parse);
	tcase_add_test(t, both_tokens_of_one_market_cost_one_request);
	tcase_add_test(t, tokens_of_two_markets_give_two_markets_in_order);
	tcase_add_test(t, closed_market_found_by_asking_with_closed_true);
	tcase_add_test(t, unknown_token_is_not_ok_and_named);
	tcase_add_test(t, partly_unknown_tokens_are_ok_and_name_the_missing);
	tcase_add_test(t, market_not_listing_the_token_is_ignored);
	tcase_add_test(t, malformed_json_is_an_error_in_words);
	tcase_add_test(t, http_error_status_is_reported);
	tcase_add_test(t, hostile_text_comes_out_sanitised);
	tcase_add_test(t, poll_never_blocks_and_slow_answer_times_out);
	tcase_add_test(t, stop_aborts_a_request_in_flight);
	tcase_add_test(t, oversized_answer_is_refused);
	tcase_add_test(t, oversized_streamed_answer_is_refused);
	tcase_add_test(t, refused_connection_is_an_error_in_words);
	tcase_add_test(t, market_slug_resolves);
	tcase_add_test(t, market_slug_answered_as_array_resolves);
	tcase_add_test(t, event_slug_gives_all_its_markets);
	tcase_add_test(t, big_event_slug_arrives_in_chunks_with_every_market);
	tcase_add_test(t, unknown_slug_is_not_ok_and_named);
	tcase_add_test(t, slug_is_escaped_in_the_path);
	tcase_add_test(t, answers_arrive_in_request_order_and_wake_the_fd);
	tcase_add_test(t, lookups_that_cannot_be_served_are_refused);
	suite_add_tcase(s, t);

	TCase *u = tcase_create("start");
	tcase_add_test(u, start_refuses_a_non_http_url);
	suite_add_tcase(s, u);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gamma_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
