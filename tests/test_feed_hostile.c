/*
 * test_feed_hostile: the feed thread against tests/hostile_peer.py, a server that breaks
 * the rules on purpose (PING floods without reading, huge or trickling frames, protocol
 * violations, invalid close codes), on 127.0.0.1 only.
 *
 * Each test proves that the feed stays bounded (time to stop, memory, liveness) and says
 * in words what the peer did.  Every wait is a deadline; the peer is killed by PID.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed_rig.h"

static void hostile_start(struct rig *r, const char *script, const char *count, const char *size)
{
	peer_prog = "hostile_peer.py";
	peer_start(&r->peer, script, count, size);
	peer_prog = "ws_peer.py";
}

START_TEST(pings_are_answered_with_pongs_carrying_their_payload)
{
	struct rig r;
	rig_config(&r, 1);
	hostile_start(&r, "ping", NULL, NULL);
	rig_start(&r);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "PONG", 1),
	              "no PONG recorded within %d ms", WAIT_MS);
	ck_assert_msg(lines_count(&r.lines, 1, "PONG 68656c6c6f") == 1,
	              "expected one PONG echoing \"hello\" (68656c6c6f), got %zu PONG(s)",
	              lines_count(&r.lines, 1, "PONG"));
	rig_free(&r);
}
END_TEST

START_TEST(stop_returns_promptly_while_a_peer_floods_pings_and_never_reads)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.dead_ms = 30000; /* the flood must not need the dead timer to end */
	hostile_start(&r, "pingflood", "500000", NULL);
	rig_start(&r);
	ck_assert_msg(wait_conn(r.col, CONN_CONNECTED, 1) >= 0, "never connected to the flood");
	col_linger(r.col, 3000); /* long enough to fill both socket buffers */
	int64_t t0 = mono_ms();
	feed_stop(r.feed);
	int64_t took = mono_ms() - t0;
	r.feed = NULL;
	ck_assert_msg(took <= 2000, "feed_stop took %lld ms under a PING flood, expected <= 2000",
	              (long long)took);
	col_drain(r.col);
	ck_assert_msg(col_find_conn(r.col, CONN_STOPPED, 1) >= 0, "no STOPPED event");
	rig_free(&r);
}
END_TEST

/* Our PONGs back up: either the PONG send times out (ERROR, in words) or, when a send just
 * managed to finish, nothing complete arrived meanwhile (DEAD).  Either way the connection
 * ends within about dead_ms and a new one follows. */
START_TEST(a_peer_that_never_reads_is_dropped_after_dead_ms)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.dead_ms = 1000;
	r.cfg.ping_ms = 60000;
	hostile_start(&r, "pingflood", "500000", NULL);
	rig_start(&r);
	ck_assert_msg(wait_conn(r.col, CONN_CONNECTED, 2) >= 0,
	              "no reconnection: the flooded connection was never dropped");
	int e = col_find_conn(r.col, CONN_ERROR, 1), d = col_find_conn(r.col, CONN_DEAD, 1);
	int c2 = col_find_conn(r.col, CONN_CONNECTED, 2);
	ck_assert_msg((e >= 0 && e < c2) || (d >= 0 && d < c2),
	              "expected ERROR or DEAD before the reconnection, got %s",
	              kind_at(r.col, c2 - 1));
	if (e >= 0 && e < c2)
		ck_assert_msg(
		    strstr(r.col->v[e].ev.text, "did not complete within 1000 ms"),
		    "ERROR text: expected \"did not complete within 1000 ms\", got \"%s\"",
		    r.col->v[e].ev.text);
	rig_free(&r);
}
END_TEST

START_TEST(announced_frame_over_max_message_ends_the_connection_at_once)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.max_message = 1 << 20;
	hostile_start(&r, "bigframe", NULL, "209715200");
	rig_start(&r);
	int c = wait_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(c >= 0, "no CLOSED for a frame announcing 200 MiB");
	int o = col_find_conn(r.col, CONN_OVERSIZE, 1);
	ck_assert_msg(o >= 0 && o < c && r.col->v[o].ev.value == 209715200,
	              "expected OVERSIZE of 209715200 bytes before CLOSED, got %lld at %d",
	              o >= 0 ? (long long)r.col->v[o].ev.value : -1LL, o);
	ck_assert_int_eq(r.col->v[c].ev.code, 1009);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSE 1009", 1),
	              "the peer saw no close 1009");
	ck_assert_msg(lines_count(&r.lines, 1, "SENT ALL") == 0,
	              "the peer could send all 200 MiB: the frame was drained, not refused");
	ck_assert_msg(wait_conn(r.col, CONN_CONNECTED, 2) >= 0, "no reconnection after the drop");
	rig_free(&r);
}
END_TEST

START_TEST(trickling_frame_is_declared_dead)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.dead_ms = 1000;
	r.cfg.ping_ms = 60000;
	hostile_start(&r, "trickle", NULL, NULL);
	rig_start(&r);
	int d = wait_conn(r.col, CONN_DEAD, 1);
	ck_assert_msg(d >= 0, "a frame trickling at 1 byte/s kept the connection alive");
	ck_assert_msg(r.col->v[d].ev.value >= 1000, "DEAD after %lld ms, expected >= 1000",
	              (long long)r.col->v[d].ev.value);
	rig_free(&r);
}
END_TEST

/* script, and a word libcurl uses for it */
static const char *const violations[][2] = {
    {"masked", "masked"},
    {"rsv", "reserved bits"},
    {"opcode", "opcode"},
    {"bigping", "too big"},
};

START_TEST(protocol_violations_are_reported_in_libcurls_words)
{
	const char *script = violations[_i][0], *word = violations[_i][1];
	struct rig r;
	rig_config(&r, 1);
	hostile_start(&r, script, NULL, NULL);
	rig_start(&r);
	int e = wait_conn(r.col, CONN_ERROR, 1);
	ck_assert_msg(e >= 0, "%s: no ERROR", script);
	const char *t = r.col->v[e].ev.text;
	ck_assert_msg(strstr(t, "protocol violation by the server") && strstr(t, word),
	              "%s: expected \"protocol violation by the server\" and \"%s\", got \"%s\"",
	              script, word, t);
	ck_assert_msg(col_find_conn(r.col, CONN_CLOSED, 1) < 0 ||
	                  col_find_conn(r.col, CONN_CLOSED, 1) > e,
	              "%s: reported as a lost connection, not a violation", script);
	rig_free(&r);
}
END_TEST

/* code the peer sends, code we must answer */
static const int close_codes[][2] = {
    {0, 1002},     {999, 1002},  {1006, 1002}, {1015, 1002},
    {65535, 1002}, {1004, 1002}, {3000, 3000}, {1001, 1001},
};

START_TEST(invalid_close_codes_are_answered_with_1002_valid_ones_echoed)
{
	int sent = close_codes[_i][0], want = close_codes[_i][1];
	char count[16], line[32];
	snprintf(count, sizeof(count), "%d", sent);
	snprintf(line, sizeof(line), "CLOSE %d", want);
	struct rig r;
	rig_config(&r, 1);
	hostile_start(&r, "close", count, NULL);
	rig_start(&r);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSE", 1),
	              "close %d: no close frame came back", sent);
	ck_assert_msg(lines_count(&r.lines, 1, line) == 1,
	              "close %d: expected \"%s\" back, got \"%s\"", sent, line,
	              r.lines.n ? r.lines.text[r.lines.n - 1] : "(nothing)");
	int c = wait_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(c >= 0 && r.col->v[c].ev.code == sent, "close %d: CLOSED event with code %d",
	              sent, c >= 0 ? r.col->v[c].ev.code : -1);
	rig_free(&r);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("feed_hostile");
	TCase *t = tcase_create("hostile_peer");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, pings_are_answered_with_pongs_carrying_their_payload);
	tcase_add_test(t, stop_returns_promptly_while_a_peer_floods_pings_and_never_reads);
	tcase_add_test(t, a_peer_that_never_reads_is_dropped_after_dead_ms);
	tcase_add_test(t, announced_frame_over_max_message_ends_the_connection_at_once);
	tcase_add_test(t, trickling_frame_is_declared_dead);
	tcase_add_loop_test(t, protocol_violations_are_reported_in_libcurls_words, 0,
	                    (int)(sizeof(violations) / sizeof(violations[0])));
	tcase_add_loop_test(t, invalid_close_codes_are_answered_with_1002_valid_ones_echoed, 0,
	                    (int)(sizeof(close_codes) / sizeof(close_codes[0])));
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return rig_run(hostile_suite());
}
