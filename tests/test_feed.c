/*
 * test_feed: the feed thread against tests/ws_peer.py, a WebSocket server written with
 * python3-websockets (an implementation that is not ours), on 127.0.0.1 only.
 *
 * Each test starts its own peer, runs the feed with small timeouts, and checks what the
 * peer recorded (the frames we sent) and what came out of the data ring (frames and
 * connection events, in order).  Every wait is a bounded deadline loop; the peer is
 * killed by the test and, should the test process die, by PR_SET_PDEATHSIG and its own
 * --lifetime.  No assertion depends on how fast anything ran.
 */
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "curlcfg.h"
#include "feed_rig.h"

/* ---- tests ---- */

START_TEST(initial_subscription_is_batched_and_precedes_any_ping)
{
	struct rig r;
	rig_config(&r, 250);
	peer_start(&r.peer, "record", NULL, NULL);
	rig_start(&r);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "PING", 1),
	              "expected a PING within %d ms, got %zu recorded frames", WAIT_MS, r.lines.n);
	ck_assert_msg(r.lines.n >= 4, "expected 3 subscription frames and a PING, got %zu lines",
	              r.lines.n);
	long n0 = frame_ids(r.lines.text[0], "initial", NULL, NULL);
	long n1 = frame_ids(r.lines.text[1], "subscribe", NULL, NULL);
	long n2 = frame_ids(r.lines.text[2], "subscribe", NULL, NULL);
	ck_assert_msg(n0 == 100 && n1 == 100 && n2 == 50,
	              "expected initial(100) subscribe(100) subscribe(50), got %ld %ld %ld: %.80s",
	              n0, n1, n2, r.lines.text[0]);
	ck_assert_msg(strcmp(r.lines.text[3], "PING") == 0, "expected PING 4th, got %.60s",
	              r.lines.text[3]);
	/* Every id exactly once, in order. */
	char *all[300];
	size_t nall = 0;
	for (int i = 0; i < 3; i++)
		frame_ids(r.lines.text[i], i ? "subscribe" : "initial", all, &nall);
	ck_assert_uint_eq(nall, 250);
	for (size_t i = 0; i < nall; i++) {
		ck_assert_msg(strcmp(all[i], r.ids[i]) == 0, "id %zu: expected %s, got %s", i,
		              r.ids[i], all[i]);
		free(all[i]);
	}
	int ci = wait_conn(r.col, CONN_SUBSCRIBED, 1);
	ck_assert_msg(ci >= 2, "expected CONNECTING, CONNECTED, SUBSCRIBED; SUBSCRIBED at %d", ci);
	ck_assert_str_eq(kind_at(r.col, 0), "connecting");
	ck_assert_str_eq(kind_at(r.col, 1), "connected");
	ck_assert_msg(r.col->v[ci].ev.value == 250, "SUBSCRIBED value: expected 250, got %lld",
	              (long long)r.col->v[ci].ev.value);
	ck_assert_str_eq(r.col->v[0].ev.text, r.peer.url);
	struct feed_stats st;
	feed_stats(r.feed, &st);
	ck_assert_msg(st.sent >= 3, "stats.sent: expected >= 3, got %llu",
	              (unsigned long long)st.sent);
	rig_free(&r);
}
END_TEST

START_TEST(zero_assets_still_send_the_initial_frame_first)
{
	struct rig r;
	rig_config(&r, 0);
	peer_start(&r.peer, "record", NULL, NULL);
	rig_start(&r);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "PING", 1), "no PING recorded");
	long n0 = frame_ids(r.lines.text[0], "initial", NULL, NULL);
	ck_assert_msg(n0 == 0, "expected an initial frame with [] first, got %s", r.lines.text[0]);
	ck_assert_msg(strcmp(r.lines.text[1], "PING") == 0, "expected PING second, got %s",
	              r.lines.text[1]);
	rig_free(&r);
}
END_TEST

START_TEST(pong_answers_are_pushed_as_frames_and_counted)
{
	struct rig r;
	rig_config(&r, 2);
	peer_start(&r.peer, "record", NULL, NULL);
	rig_start(&r);
	int i = wait_frame(r.col, "PONG");
	ck_assert_msg(i >= 0, "expected a PONG frame in the ring within %d ms", WAIT_MS);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t age_s = (int64_t)now.tv_sec - r.col->v[i].t_real_ns / 1000000000;
	ck_assert_msg(age_s >= 0 && age_s < 60,
	              "PONG t_real: expected within a minute of now, "
	              "got %lld s ago",
	              (long long)age_s);
	ck_assert_msg(r.col->v[i].t_mono_ns > 0, "PONG t_mono not set");
	struct feed_stats st;
	feed_stats(r.feed, &st);
	ck_assert_msg(st.pongs >= 1 && st.pings >= 1 && st.frames >= st.pongs,
	              "expected pongs>=1 pings>=1 frames>=pongs, got %llu %llu %llu",
	              (unsigned long long)st.pongs, (unsigned long long)st.pings,
	              (unsigned long long)st.frames);
	rig_free(&r);
}
END_TEST

START_TEST(frames_arrive_in_order_with_nondecreasing_receipt_stamps)
{
	struct rig r;
	rig_config(&r, 1);
	peer_start(&r.peer, "books", "20", NULL);
	rig_start(&r);
	ck_assert_msg(wait_frame(r.col, "{\"event_type\":\"book\",\"conn\":1,\"seq\":19}") >= 0,
	              "last book frame never arrived");
	int seq = 0;
	int64_t last = 0;
	for (size_t i = 0; i < r.col->n; i++) {
		const struct got *g = &r.col->v[i];
		if (g->kind != REC_FRAME || strcmp(g->data, "PONG") == 0)
			continue;
		char want[80];
		snprintf(want, sizeof(want), "{\"event_type\":\"book\",\"conn\":1,\"seq\":%d}",
		         seq);
		ck_assert_msg(strcmp(g->data, want) == 0, "expected %s, got %s", want, g->data);
		ck_assert_msg(g->t_mono_ns >= last, "t_mono went back at seq %d", seq);
		ck_assert_msg(g->flags == 0, "unexpected flags 0x%x", g->flags);
		last = g->t_mono_ns;
		seq++;
	}
	ck_assert_int_eq(seq, 20);
	rig_free(&r);
}
END_TEST

START_TEST(fragmented_message_is_reassembled_into_one_frame)
{
	struct rig r;
	rig_config(&r, 1);
	peer_start(&r.peer, "fragment", NULL, NULL);
	rig_start(&r);
	int a = wait_frame(r.col, "{\"after\":1}");
	ck_assert_msg(a >= 0, "frame after the fragmented one never arrived");
	int i = col_find_frame(r.col, "{\"frag\":\"mented\",\"n\":3}", 1);
	ck_assert_msg(i >= 0 && i < a,
	              "expected the 4 fragments as one frame before {after}; "
	              "at %d (after at %d)",
	              i, a);
	for (size_t k = 0; k < r.col->n; k++)
		ck_assert_msg(r.col->v[k].kind != REC_FRAME ||
		                  strstr(r.col->v[k].data, "frag") == NULL || (int)k == i,
		              "a partial fragment leaked as a frame: %s", r.col->v[k].data);
	rig_free(&r);
}
END_TEST

START_TEST(oversized_message_is_counted_and_ends_the_connection_with_1009)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.max_message = 4096;
	peer_start(&r.peer, "oversize", NULL, "10000");
	rig_start(&r);
	int c = wait_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(c >= 0, "no CLOSED after a 10000-byte message over max_message 4096");
	int o = col_find_conn(r.col, CONN_OVERSIZE, 1);
	ck_assert_msg(o >= 0 && o < c, "expected OVERSIZE before CLOSED, got %d and %d", o, c);
	ck_assert_msg(r.col->v[o].ev.value == 10000, "OVERSIZE: expected 10000 bytes, got %lld",
	              (long long)r.col->v[o].ev.value);
	ck_assert_msg(r.col->v[c].ev.code == 1009 && strstr(r.col->v[c].ev.text, "4096"),
	              "CLOSED: expected 1009 naming the limit 4096, got %d \"%s\"",
	              r.col->v[c].ev.code, r.col->v[c].ev.text);
	/* The close frame itself is checked on the wire by test_feed_hostile: here it may
	 * be lost to the reset that unread data causes when the socket closes. */
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSED", 1),
	              "the peer did not see connection 1 end");
	ck_assert_msg(wait_conn(r.col, CONN_CONNECTED, 2) >= 0, "no reconnection after the drop");
	ck_assert_msg(col_find_frame(r.col, "{\"after\":1}", 1) < 0,
	              "the connection went on after the oversized message");
	for (size_t k = 0; k < r.col->n; k++)
		ck_assert_msg(r.col->v[k].kind != REC_FRAME || r.col->v[k].len <= 4096,
		              "a frame of %zu bytes passed max_message 4096", r.col->v[k].len);
	struct feed_stats st;
	feed_stats(r.feed, &st);
	ck_assert_msg(st.oversize >= 1, "stats.oversize: expected >= 1, got %llu",
	              (unsigned long long)st.oversize);
	rig_free(&r);
}
END_TEST

START_TEST(fragmented_message_over_the_limit_is_caught_at_the_fragment_that_passes_it)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.max_message = 10001; /* the 10000-byte message fits, 3 x 3334 does not */
	peer_start(&r.peer, "oversize", NULL, "10000");
	rig_start(&r);
	int c = wait_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(c >= 0, "no CLOSED after a fragmented message over max_message");
	int o = col_find_conn(r.col, CONN_OVERSIZE, 1);
	ck_assert_msg(o >= 0 && r.col->v[o].ev.value == 3 * (10000 / 3 + 1),
	              "OVERSIZE: expected %d bytes (the third fragment), got %lld",
	              3 * (10000 / 3 + 1), o >= 0 ? (long long)r.col->v[o].ev.value : -1LL);
	int f = -1;
	for (size_t k = 0; k < r.col->n && f < 0; k++)
		if (r.col->v[k].kind == REC_FRAME && r.col->v[k].len == 10000)
			f = (int)k;
	ck_assert_msg(f >= 0 && f < o,
	              "the 10000-byte message within the limit was not delivered "
	              "before the oversize (at %d, oversize at %d)",
	              f, o);
	rig_free(&r);
}
END_TEST

START_TEST(abrupt_close_reconnects_with_backoff_and_resubscribes_everything)
{
	struct rig r;
	rig_config(&r, 3);
	peer_start(&r.peer, "drop", "3", NULL);
	/* Queued before start: must be part of the set resubscribed after the drop. */
	ck_assert(feed_command(r.cmd, FEED_SUB, "777 888"));
	rig_start(&r);
	int c2 = wait_conn(r.col, CONN_SUBSCRIBED, 2);
	ck_assert_msg(c2 >= 0, "expected a second SUBSCRIBED after the drop");
	const char *want[] = {"connecting", "connected",  "subscribed", "closed",
	                      "backoff",    "connecting", "connected",  "subscribed"};
	int k = 0;
	/* SENT ("subscribe 2 (at connect)") only acknowledges the queued command. */
	for (size_t i = 0; i < r.col->n && k < 8; i++)
		if (r.col->v[i].kind == REC_CONN && r.col->v[i].ev.kind != CONN_SENT) {
			ck_assert_msg(strcmp(kind_at(r.col, (int)i), want[k]) == 0,
			              "conn event %d: expected %s, got %s", k, want[k],
			              kind_at(r.col, (int)i));
			k++;
		}
	ck_assert_int_eq(k, 8);
	int cl = col_find_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(r.col->v[cl].ev.code == 1006, "abrupt close: expected code 1006, got %d",
	              r.col->v[cl].ev.code);
	/* Data of connection 1 arrived before the CLOSED event. */
	int f2 = col_find_frame(r.col, "{\"event_type\":\"book\",\"conn\":1,\"seq\":2}", 1);
	ck_assert_msg(f2 >= 0 && f2 < cl, "conn 1 data (at %d) must precede CLOSED (at %d)", f2,
	              cl);
	int b = col_find_conn(r.col, CONN_BACKOFF, 1);
	ck_assert_msg(r.col->v[b].ev.value >= 5 && r.col->v[b].ev.value <= 50,
	              "first backoff: expected within [5, 50] ms, got %lld",
	              (long long)r.col->v[b].ev.value);
	ck_assert_int_eq(r.col->v[c2].ev.value, 5);
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 2, "{", 1),
	              "no subscription recorded on connection 2");
	for (int conn = 1; conn <= 2; conn++) {
		size_t first = 0;
		while (first < r.lines.n && r.lines.conn[first] != conn)
			first++;
		ck_assert(first < r.lines.n);
		char *ids[10];
		size_t n = 0;
		long got = frame_ids(r.lines.text[first], "initial", ids, &n);
		ck_assert_msg(got == 5, "conn %d initial: expected 5 ids, got %ld: %s", conn, got,
		              r.lines.text[first]);
		ck_assert_str_eq(ids[3], "777");
		ck_assert_str_eq(ids[4], "888");
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
	}
	ck_assert_msg(wait_frame(r.col, "{\"event_type\":\"book\",\"conn\":2,\"seq\":0}") >= 0,
	              "no data on the new connection");
	struct feed_stats st;
	feed_stats(r.feed, &st);
	ck_assert_msg(st.reconnects == 1, "stats.reconnects: expected 1, got %llu",
	              (unsigned long long)st.reconnects);
	rig_free(&r);
}
END_TEST

START_TEST(close_frame_code_and_reason_are_reported_sanitised)
{
	struct rig r;
	rig_config(&r, 1);
	peer_start(&r.peer, "close", NULL, NULL);
	rig_start(&r);
	int i = wait_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(i >= 0, "no CLOSED event");
	const struct conn_event *ev = &r.col->v[i].ev;
	ck_assert_msg(ev->code == 4001, "close code: expected 4001, got %d", ev->code);
	ck_assert_msg(strstr(ev->text, "bye") && strstr(ev->text, "red"),
	              "reason: expected the words bye and red, got \"%s\"", ev->text);
	for (const char *p = ev->text; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f,
		              "control byte 0x%02x left in the close reason", (unsigned char)*p);
	ck_assert_msg(wait_conn(r.col, CONN_BACKOFF, 1) > i, "expected BACKOFF after CLOSED");
	/* Our answer to the close is visible to the peer as its close code. */
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSED 4001", 1),
	              "peer did not see a clean close echoing 4001");
	rig_free(&r);
}
END_TEST

START_TEST(silent_peer_is_declared_dead_and_reconnected)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.ping_ms = 100;
	r.cfg.dead_ms = 600;
	peer_start(&r.peer, "silent", NULL, NULL);
	rig_start(&r);
	int d = wait_conn(r.col, CONN_DEAD, 1);
	ck_assert_msg(d >= 0, "no DEAD event within %d ms", WAIT_MS);
	ck_assert_msg(r.col->v[d].ev.value >= 600, "DEAD value: expected >= 600 ms, got %lld",
	              (long long)r.col->v[d].ev.value);
	int b = wait_conn(r.col, CONN_BACKOFF, 1);
	ck_assert_msg(b == d + 1, "expected BACKOFF right after DEAD (at %d), got it at %d", d, b);
	ck_assert_msg(wait_conn(r.col, CONN_CONNECTED, 2) > d, "no reconnection after DEAD");
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "PING", 2),
	              "expected PINGs on the silent connection");
	rig_free(&r);
}
END_TEST

START_TEST(pong_only_traffic_resubscribes_once_then_reconnects)
{
	struct rig r;
	rig_config(&r, 3);
	r.cfg.ping_ms = 100;
	r.cfg.freeze_ms = 500;
	peer_start(&r.peer, "pongonly", NULL, NULL);
	rig_start(&r);
	int fz = wait_conn(r.col, CONN_FREEZE, 1);
	ck_assert_msg(fz >= 0, "no FREEZE event within %d ms", WAIT_MS);
	ck_assert_msg(r.col->v[fz].ev.value >= 500, "FREEZE value: expected >= 500, got %lld",
	              (long long)r.col->v[fz].ev.value);
	ck_assert_msg(r.col->v[fz].ev.code == 0, "first FREEZE: expected code 0 (resubscribe)");
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "{\"operation\":\"subscribe\"", 1),
	              "no subscribe after the freeze");
	/* Still only PONGs one freeze period after the resubscribe: reconnect. */
	int fz2 = wait_conn(r.col, CONN_FREEZE, 2);
	ck_assert_msg(fz2 >= 0, "a freeze that outlives the resubscribe must escalate");
	ck_assert_msg(r.col->v[fz2].ev.code == 1, "second FREEZE: expected code 1, got %d",
	              r.col->v[fz2].ev.code);
	ck_assert_msg(r.col->v[fz2].ev.value >= 1000,
	              "second FREEZE value: expected >= 1000, got %lld",
	              (long long)r.col->v[fz2].ev.value);
	int c2 = wait_conn(r.col, CONN_CONNECTED, 2);
	ck_assert_msg(c2 > fz2, "expected a reconnection after the escalated freeze");
	/* Exactly one resubscribe (unsubscribe, then subscribe) preceded the escalation. */
	lines_read(&r.lines, r.peer.record);
	size_t u = 0, s = 0, nu = 0, ns = 0;
	for (size_t i = 0; i < r.lines.n; i++) {
		if (strncmp(r.lines.text[i], "{\"operation\":\"unsubscribe\"", 26) == 0 && !nu++)
			u = i;
		if (strncmp(r.lines.text[i], "{\"operation\":\"subscribe\"", 24) == 0 && !ns++)
			s = i;
	}
	ck_assert_msg(nu >= 1 && ns >= 1, "expected an unsubscribe and a subscribe");
	ck_assert_msg(u < s, "unsubscribe (line %zu) must precede subscribe (line %zu)", u, s);
	ck_assert_int_eq(frame_ids(r.lines.text[s], "subscribe", NULL, NULL), 3);
	ck_assert_int_eq(frame_ids(r.lines.text[u], "unsubscribe", NULL, NULL), 3);
	rig_free(&r);
}
END_TEST

START_TEST(commands_become_operation_frames_and_sent_events)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.batch = 2;
	peer_start(&r.peer, "record", NULL, NULL);
	rig_start(&r);
	ck_assert(wait_conn(r.col, CONN_SUBSCRIBED, 1) >= 0);
	ck_assert(feed_command(r.cmd, FEED_SUB, "11 22 33"));
	ck_assert(feed_command(r.cmd, FEED_UNSUB, "22"));
	ck_assert(feed_command(r.cmd, FEED_RESYNC, "11"));
	ck_assert(feed_command(r.cmd, FEED_SUB, "11")); /* already there: nothing to send */
	ck_assert_msg(wait_conn(r.col, CONN_SENT, 4) >= 0, "expected 4 SENT events");
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "{\"operation\"", 5),
	              "expected 5 operation frames");
	const char *shape[] = {"subscribe", "subscribe", "unsubscribe", "unsubscribe", "subscribe"};
	const long nids[] = {2, 1, 1, 1, 1};
	size_t k = 0;
	for (size_t i = 0; i < r.lines.n; i++) {
		if (strncmp(r.lines.text[i], "{\"operation\"", 12) != 0)
			continue;
		ck_assert_msg(k < 5, "unexpected extra operation frame: %s", r.lines.text[i]);
		long n = frame_ids(r.lines.text[i], shape[k], NULL, NULL);
		ck_assert_msg(n == nids[k], "operation %zu: expected %s of %ld ids, got %ld: %s", k,
		              shape[k], nids[k], n, r.lines.text[i]);
		k++;
	}
	int s1 = col_find_conn(r.col, CONN_SENT, 1);
	ck_assert_msg(strstr(r.col->v[s1].ev.text, "subscribe 3") != NULL,
	              "SENT text: expected 'subscribe 3...', got \"%s\"", r.col->v[s1].ev.text);
	rig_free(&r);
}
END_TEST

START_TEST(stop_closes_the_connection_cleanly_and_reports_stopped)
{
	struct rig r;
	rig_config(&r, 1);
	peer_start(&r.peer, "record", NULL, NULL);
	rig_start(&r);
	ck_assert(wait_conn(r.col, CONN_SUBSCRIBED, 1) >= 0);
	rig_stop(&r);
	ck_assert_msg(r.col->n > 0 && r.col->v[r.col->n - 1].kind == REC_CONN &&
	                  r.col->v[r.col->n - 1].ev.kind == CONN_STOPPED,
	              "last record: expected STOPPED, got %s", kind_at(r.col, (int)r.col->n - 1));
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSED 1000", 1),
	              "peer did not see close code 1000");
	rig_free(&r);
}
END_TEST

START_TEST(refused_connection_is_reported_in_words_and_backoff_doubles_to_the_cap)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.backoff_min_ms = 20;
	r.cfg.backoff_max_ms = 80;
	/* A port nobody listens on: bind, read the number, close. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	close(s);
	snprintf(r.peer.url, sizeof(r.peer.url), "ws://127.0.0.1:%d/ws/market", ntohs(a.sin_port));
	r.peer.record[0] = '\0';
	rig_start(&r);
	ck_assert_msg(wait_conn(r.col, CONN_BACKOFF, 5) >= 0, "expected 5 BACKOFF events");
	int e = col_find_conn(r.col, CONN_ERROR, 1);
	ck_assert_msg(e >= 0, "no ERROR event");
	ck_assert_msg(strstr(r.col->v[e].ev.text, "cannot connect") != NULL,
	              "ERROR text: expected 'cannot connect...', got \"%s\"", r.col->v[e].ev.text);
	ck_assert_int_eq(r.col->v[e].ev.code, CURLE_COULDNT_CONNECT);
	const int64_t cap[] = {20, 40, 80, 80, 80};
	for (int k = 0; k < 5; k++) {
		int i = col_find_conn(r.col, CONN_BACKOFF, k + 1);
		int64_t v = r.col->v[i].ev.value;
		ck_assert_msg(v >= cap[k] / 10 && v <= cap[k],
		              "backoff %d: expected within [%lld, %lld], got %lld", k,
		              (long long)(cap[k] / 10), (long long)cap[k], (long long)v);
	}
	ck_assert_int_eq(col_count_conn(r.col, CONN_CONNECTED), 0);
	rig_free(&r);
}
END_TEST

START_TEST(full_ring_drops_data_but_keeps_connection_events)
{
	struct rig r;
	rig_config(&r, 1);
	ring_destroy(r.data);
	r.data = ring_create(1 << 14);
	r.col->ring = r.data;
	peer_start(&r.peer, "flood", "1000", "40");
	rig_start(&r);
	/* Do not read until the peer has sent everything and closed.  Small frames fill the
	 * ring to within less than a conn event, so CLOSED must wait in the feed's queue. */
	ck_assert_msg(lines_wait(&r.lines, r.peer.record, 1, "CLOSED", 1),
	              "flood connection never ended");
	usleep(200000);
	ck_assert_msg(wait_conn(r.col, CONN_CLOSED, 1) >= 0,
	              "CLOSED event lost although the ring was full");
	int cl = col_find_conn(r.col, CONN_CLOSED, 1);
	ck_assert_msg(r.col->v[cl].ev.code == 4002, "close code: expected 4002, got %d",
	              r.col->v[cl].ev.code);
	ck_assert_msg(ring_dropped(r.data) > 0, "expected drops with a 16 KiB ring, got none");
	bool gap = false;
	for (size_t i = 0; i < r.col->n; i++)
		gap |= (r.col->v[i].flags & RING_F_GAP) != 0;
	ck_assert_msg(gap, "no record carried RING_F_GAP after %llu drops",
	              (unsigned long long)ring_dropped(r.data));
	struct feed_stats st;
	feed_stats(r.feed, &st);
	ck_assert_msg(st.frames >= 1000, "stats.frames: expected >= 1000 received, got %llu",
	              (unsigned long long)st.frames);
	rig_free(&r);
}
END_TEST

START_TEST(freeze_rearms_only_after_real_data)
{
	struct rig r;
	rig_config(&r, 2);
	r.cfg.ping_ms = 100;
	r.cfg.freeze_ms = 400;
	peer_start(&r.peer, "rearm", NULL, NULL);
	rig_start(&r);
	int f2 = wait_conn(r.col, CONN_FREEZE, 2);
	ck_assert_msg(f2 >= 0, "expected a second FREEZE after data re-armed the detector");
	int f1 = col_find_conn(r.col, CONN_FREEZE, 1);
	int d = col_find_frame(r.col, "{\"event_type\":\"book\",\"resubscribed\":true}", 1);
	ck_assert_msg(f1 < d && d < f2, "expected FREEZE (%d) < data (%d) < FREEZE (%d)", f1, d,
	              f2);
	ck_assert_int_eq(col_count_conn(r.col, CONN_CONNECTED), 1);
	rig_free(&r);
}
END_TEST

START_TEST(backoff_restarts_from_the_minimum_after_a_healthy_connection)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.backoff_min_ms = 50;
	r.cfg.backoff_max_ms = 3200;
	r.cfg.healthy_ms = 100;
	/* Every connection lives 300 ms (healthy), then drops without a close frame. */
	peer_start(&r.peer, "dropall", NULL, "300");
	rig_start(&r);
	ck_assert_msg(wait_conn(r.col, CONN_BACKOFF, 4) >= 0, "expected 4 BACKOFF events");
	for (int k = 1; k <= 4; k++) {
		int i = col_find_conn(r.col, CONN_BACKOFF, k);
		ck_assert_msg(r.col->v[i].ev.value <= 50,
		              "backoff %d after a healthy connection: expected <= 50 ms, got %lld",
		              k, (long long)r.col->v[i].ev.value);
	}
	rig_free(&r);
}
END_TEST

START_TEST(stop_interrupts_a_handshake_that_never_completes)
{
	struct rig r;
	rig_config(&r, 1);
	/* Accepts TCP (kernel backlog) but never answers the HTTP upgrade. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s, 4), 0);
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	snprintf(r.peer.url, sizeof(r.peer.url), "ws://127.0.0.1:%d/ws/market", ntohs(a.sin_port));
	rig_start(&r);
	ck_assert(wait_conn(r.col, CONN_CONNECTING, 1) >= 0);
	col_linger(r.col, 300);
	int64_t t0 = mono_ms();
	rig_stop(&r);
	int64_t took = mono_ms() - t0;
	close(s);
	/* The only bound in these tests, and a loose one: without the interruption, stop
	 * would wait for the 10 s connect timeout. */
	ck_assert_msg(took < 5000,
	              "feed_stop during a handshake: expected well under the 10 s "
	              "connect timeout, took %lld ms",
	              (long long)took);
	ck_assert_int_eq(col_count_conn(r.col, CONN_CONNECTED), 0);
	ck_assert_msg(col_count_conn(r.col, CONN_ERROR) == 0,
	              "stop during the handshake must not be reported as an error (got \"%s\")",
	              col_find_conn(r.col, CONN_ERROR, 1) >= 0
	                  ? r.col->v[col_find_conn(r.col, CONN_ERROR, 1)].ev.text
	                  : "");
	ck_assert_str_eq(kind_at(r.col, (int)r.col->n - 1), "stopped");
	rig_free(&r);
}
END_TEST

START_TEST(handshake_that_never_completes_times_out_in_words)
{
	struct rig r;
	rig_config(&r, 1);
	r.cfg.dead_ms = 500;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s, 4), 0);
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	snprintf(r.peer.url, sizeof(r.peer.url), "ws://127.0.0.1:%d/ws/market", ntohs(a.sin_port));
	rig_start(&r);
	int e = wait_conn(r.col, CONN_ERROR, 1);
	ck_assert_msg(e >= 0, "no ERROR for a handshake that never completes");
	ck_assert_msg(strstr(r.col->v[e].ev.text, "handshake timed out") != NULL,
	              "ERROR text: expected 'WebSocket handshake timed out...', got \"%s\"",
	              r.col->v[e].ev.text);
	ck_assert_msg(wait_conn(r.col, CONN_BACKOFF, 1) > e, "expected BACKOFF after the ERROR");
	rig_free(&r);
	close(s);
}
END_TEST

/* A self-signed certificate for 127.0.0.1, made with the openssl command. */
static void make_cert(char *cert, char *key, size_t cap, const char *name)
{
	snprintf(cert, cap, "%s/%s.pem", tmpdir, name);
	snprintf(key, cap, "%s/%s.key", tmpdir, name);
	char cmd[600];
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	         "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 "
	         "-keyout %s -out %s >/dev/null 2>&1",
	         key, cert);
	ck_assert_msg(system(cmd) == 0, "openssl could not make a test certificate");
}

START_TEST(tls_verification_failure_is_reported_with_the_ca_file_hint)
{
	char cert[128], key[128];
	make_cert(cert, key, sizeof(cert), "cert");
	struct rig r;
	rig_config(&r, 1);
	peer_start_tls(&r.peer, "record", cert, key);
	rig_start(&r);
	int e = wait_conn(r.col, CONN_ERROR, 1);
	ck_assert_msg(e >= 0, "no ERROR for a self-signed certificate");
	ck_assert_msg(strstr(r.col->v[e].ev.text,
	                     "TLS certificate verification failed (use --ca-file)") != NULL,
	              "ERROR text: expected the --ca-file hint, got \"%s\"", r.col->v[e].ev.text);
	ck_assert_int_eq(r.col->v[e].ev.code, CURLE_PEER_FAILED_VERIFICATION);
	ck_assert_int_eq(col_count_conn(r.col, CONN_CONNECTED), 0);
	rig_free(&r);
}
END_TEST

START_TEST(tls_failure_against_a_given_ca_file_does_not_suggest_one)
{
	char cert[128], key[128], other[128], other_key[128];
	make_cert(cert, key, sizeof(cert), "cert");
	make_cert(other, other_key, sizeof(other), "other");
	struct rig r;
	rig_config(&r, 1);
	r.cfg.ca_file = other; /* a CA that did not sign the server's certificate */
	peer_start_tls(&r.peer, "record", cert, key);
	rig_start(&r);
	int e = wait_conn(r.col, CONN_ERROR, 1);
	ck_assert_msg(e >= 0, "no ERROR for a certificate the CA file does not vouch for");
	const char *t = r.col->v[e].ev.text;
	ck_assert_msg(strstr(t, "TLS certificate verification failed (against --ca-file)") &&
	                  !strstr(t, "use --ca-file"),
	              "ERROR text: expected the failure blamed on the given CA file without "
	              "suggesting one, got \"%s\"",
	              t);
	rig_free(&r);
}
END_TEST

START_TEST(tls_connects_with_the_ca_file)
{
	char cert[128], key[128];
	make_cert(cert, key, sizeof(cert), "cert");
	struct rig r;
	rig_config(&r, 1);
	r.cfg.ca_file = cert;
	peer_start_tls(&r.peer, "record", cert, key);
	rig_start(&r);
	ck_assert_msg(wait_frame(r.col, "PONG") >= 0, "no PONG over wss:// with --ca-file");
	ck_assert_int_eq(col_count_conn(r.col, CONN_ERROR), 0);
	rig_free(&r);
}
END_TEST

START_TEST(tls_insecure_skips_verification)
{
	char cert[128], key[128];
	make_cert(cert, key, sizeof(cert), "cert");
	struct rig r;
	rig_config(&r, 1);
	r.cfg.insecure = true;
	peer_start_tls(&r.peer, "record", cert, key);
	rig_start(&r);
	ck_assert_msg(wait_frame(r.col, "PONG") >= 0, "no PONG over wss:// with insecure");
	ck_assert_int_eq(col_count_conn(r.col, CONN_ERROR), 0);
	rig_free(&r);
}
END_TEST

START_TEST(names_checks_and_command_limits)
{
	char err[200] = "";
	ck_assert_msg(curlcfg_has_ws(err, sizeof(err)), "linked libcurl lacks ws: %s", err);
	ck_assert_str_eq(conn_kind_name(CONN_CONNECTING), "connecting");
	ck_assert_str_eq(conn_kind_name(CONN_STOPPED), "stopped");
	ck_assert_str_eq(conn_kind_name(CONN_KIND_COUNT), "?");
	struct ring *cmd = ring_create(4096);
	size_t big = ring_max_record(cmd) + 10;
	char *ids = malloc(big + 1);
	memset(ids, '1', big);
	ids[big] = '\0';
	ck_assert_msg(!feed_command(cmd, FEED_SUB, ids),
	              "a command larger than the ring was accepted");
	ck_assert(feed_command(cmd, FEED_UNSUB, "42 43"));
	struct ring_rec rec;
	ck_assert(ring_peek(cmd, &rec));
	ck_assert_int_eq(rec.kind, REC_CMD);
	ck_assert_int_eq(rec.len, 6);
	ck_assert_msg(memcmp(rec.data, "U42 43", 6) == 0, "payload: expected U42 43, got %.6s",
	              (const char *)rec.data);
	free(ids);
	ring_destroy(cmd);
}
END_TEST

static Suite *feed_suite(void)
{
	Suite *s = suite_create("feed");
	TCase *t = tcase_create("ws_peer");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, names_checks_and_command_limits);
	tcase_add_test(t, initial_subscription_is_batched_and_precedes_any_ping);
	tcase_add_test(t, zero_assets_still_send_the_initial_frame_first);
	tcase_add_test(t, pong_answers_are_pushed_as_frames_and_counted);
	tcase_add_test(t, frames_arrive_in_order_with_nondecreasing_receipt_stamps);
	tcase_add_test(t, fragmented_message_is_reassembled_into_one_frame);
	tcase_add_test(t, oversized_message_is_counted_and_ends_the_connection_with_1009);
	tcase_add_test(t,
	               fragmented_message_over_the_limit_is_caught_at_the_fragment_that_passes_it);
	tcase_add_test(t, abrupt_close_reconnects_with_backoff_and_resubscribes_everything);
	tcase_add_test(t, close_frame_code_and_reason_are_reported_sanitised);
	tcase_add_test(t, silent_peer_is_declared_dead_and_reconnected);
	tcase_add_test(t, pong_only_traffic_resubscribes_once_then_reconnects);
	tcase_add_test(t, commands_become_operation_frames_and_sent_events);
	tcase_add_test(t, stop_closes_the_connection_cleanly_and_reports_stopped);
	tcase_add_test(t, refused_connection_is_reported_in_words_and_backoff_doubles_to_the_cap);
	tcase_add_test(t, full_ring_drops_data_but_keeps_connection_events);
	tcase_add_test(t, freeze_rearms_only_after_real_data);
	tcase_add_test(t, backoff_restarts_from_the_minimum_after_a_healthy_connection);
	tcase_add_test(t, stop_interrupts_a_handshake_that_never_completes);
	tcase_add_test(t, handshake_that_never_completes_times_out_in_words);
	tcase_add_test(t, tls_verification_failure_is_reported_with_the_ca_file_hint);
	tcase_add_test(t, tls_failure_against_a_given_ca_file_does_not_suggest_one);
	tcase_add_test(t, tls_connects_with_the_ca_file);
	tcase_add_test(t, tls_insecure_skips_verification);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return rig_run(feed_suite());
}
