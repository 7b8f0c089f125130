/*
 * test_sim_ws: clobsim's RFC 6455 codec and upgrade handshake parser.
 *
 * Known answers come from RFC 6455 itself (the accept-key example in 1.3, the framing
 * examples in 5.7); hostile input must be refused with the right close code and must
 * never read outside the buffer (run under ASan to prove the second half).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ws.h"

START_TEST(accept_key_matches_rfc6455_example)
{
	char out[WS_ACCEPT_LEN + 1];
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";

	ck_assert_int_eq(ws_accept_key(key, strlen(key), out), 0);
	/* RFC 6455 section 1.3 (and Python's hashlib + base64) give this value */
	ck_assert_msg(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0,
	              "expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, got %s", out);
}
END_TEST

START_TEST(accept_key_refuses_empty_key)
{
	char out[WS_ACCEPT_LEN + 1];
	ck_assert_int_eq(ws_accept_key("", 0, out), -1);
}
END_TEST

/* Header length by payload size: 7-bit, 16-bit and 64-bit length forms. */
static const struct {
	uint64_t len;
	size_t hdr;
} len_cases[] = {{0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}, {(1ULL << 40) + 7, 10}};

START_TEST(header_length_forms_round_trip)
{
	uint8_t h[WS_MAX_HEADER];
	struct ws_frame_hdr p;
	uint64_t len = len_cases[_i].len;
	size_t n = ws_frame_header(h, true, WS_OP_TEXT, len, NULL);

	ck_assert_msg(n == len_cases[_i].hdr, "len %llu: expected header of %zu bytes, got %zu",
	              (unsigned long long)len, len_cases[_i].hdr, n);
	ck_assert_int_eq(ws_parse_header(h, n, &p), 1);
	ck_assert_msg(p.len == len, "expected length %llu, got %llu", (unsigned long long)len,
	              (unsigned long long)p.len);
	ck_assert(p.fin);
	ck_assert(!p.masked);
	ck_assert_uint_eq(p.opcode, WS_OP_TEXT);
	ck_assert_uint_eq(p.hdr_len, n);
	/* one byte short of the header: needs more */
	ck_assert_int_eq(ws_parse_header(h, n - 1, &p), 0);
}
END_TEST

START_TEST(length_with_top_bit_set_is_malformed)
{
	uint8_t h[10] = {0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
	struct ws_frame_hdr p;

	ck_assert_int_eq(ws_parse_header(h, sizeof h, &p), -1);
}
END_TEST

/* RFC 6455 5.7: a single-frame masked text message "Hello". */
static const uint8_t masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                       0x7f, 0x9f, 0x4d, 0x51, 0x58};

START_TEST(masked_text_frame_is_unmasked)
{
	struct ws_rx rx;
	struct ws_event ev;
	uint8_t buf[sizeof masked_hello];
	size_t used;

	memcpy(buf, masked_hello, sizeof buf);
	ws_rx_init(&rx, true, 1024);
	ck_assert_int_eq(ws_rx_next(&rx, buf, sizeof buf, &used, &ev), WS_RX_EVENT);
	ck_assert_uint_eq(used, sizeof buf);
	ck_assert_uint_eq(ev.opcode, WS_OP_TEXT);
	ck_assert_msg(ev.len == 5 && memcmp(ev.data, "Hello", 5) == 0, "expected Hello, got %.*s",
	              (int)ev.len, (const char *)ev.data);
	ws_rx_free(&rx);
}
END_TEST

START_TEST(masking_encoder_matches_rfc_example)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	uint8_t out[WS_MAX_HEADER + 5];
	size_t n = ws_frame_header(out, true, WS_OP_TEXT, 5, key);

	memcpy(out + n, "Hello", 5);
	ws_mask(out + n, 5, key, 0);
	ck_assert_uint_eq(n + 5, sizeof masked_hello);
	ck_assert_msg(memcmp(out, masked_hello, sizeof masked_hello) == 0,
	              "encoded frame differs from RFC 6455 5.7");
}
END_TEST

START_TEST(unmasked_client_frame_is_refused_with_1002)
{
	uint8_t buf[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
	struct ws_rx rx;
	struct ws_event ev;
	size_t used;

	ws_rx_init(&rx, true, 1024);
	ck_assert_int_eq(ws_rx_next(&rx, buf, sizeof buf, &used, &ev), -WS_CLOSE_PROTOCOL);
	ws_rx_free(&rx);
}
END_TEST

/* RFC 6455 5.7: a fragmented unmasked text message, with a ping between the fragments
 * (control frames may be interleaved). */
START_TEST(fragments_are_reassembled_around_a_ping)
{
	uint8_t buf[] = {0x01, 0x03, 'H', 'e', 'l', 0x89, 0x02, 'h', 'i', 0x80, 0x02, 'l', 'o'};
	struct ws_rx rx;
	struct ws_event ev;
	size_t used, off = 0;

	ws_rx_init(&rx, false, 1024);
	ck_assert_int_eq(ws_rx_next(&rx, buf, sizeof buf, &used, &ev), WS_RX_EVENT);
	ck_assert_uint_eq(ev.opcode, WS_OP_PING);
	ck_assert(ev.len == 2 && memcmp(ev.data, "hi", 2) == 0);
	off += used;
	ck_assert_int_eq(ws_rx_next(&rx, buf + off, sizeof buf - off, &used, &ev), WS_RX_EVENT);
	off += used;
	ck_assert_uint_eq(off, sizeof buf);
	ck_assert_uint_eq(ev.opcode, WS_OP_TEXT);
	ck_assert_msg(ev.len == 5 && memcmp(ev.data, "Hello", 5) == 0, "expected Hello, got %.*s",
	              (int)ev.len, (const char *)ev.data);
	ws_rx_free(&rx);
}
END_TEST

/* Feeding one byte at a time must give the same messages as feeding all at once. */
START_TEST(byte_at_a_time_gives_the_same_messages)
{
	uint8_t all[64];
	size_t n = 0;
	static const uint8_t key[4] = {1, 2, 3, 4};
	const char *parts[] = {"{\"a\":", "1}"};

	for (int i = 0; i < 2; i++) {
		size_t l = strlen(parts[i]);
		n += ws_frame_header(all + n, i == 1, i == 0 ? WS_OP_TEXT : WS_OP_CONT, l, key);
		memcpy(all + n, parts[i], l);
		ws_mask(all + n, l, key, 0);
		n += l;
	}
	struct ws_rx rx;
	struct ws_event ev;
	uint8_t in[64];
	size_t have = 0, used;
	int events = 0;

	ws_rx_init(&rx, true, 1024);
	for (size_t i = 0; i < n; i++) {
		in[have++] = all[i];
		int r = ws_rx_next(&rx, in, have, &used, &ev);
		ck_assert_int_ge(r, 0);
		memmove(in, in + used, have - used);
		have -= used;
		if (r == WS_RX_EVENT) {
			events++;
			ck_assert_msg(ev.len == 7 && memcmp(ev.data, "{\"a\":1}", 7) == 0,
			              "expected {\"a\":1}, got %.*s", (int)ev.len,
			              (const char *)ev.data);
		}
	}
	ck_assert_int_eq(events, 1);
	ck_assert_uint_eq(have, 0);
	ws_rx_free(&rx);
}
END_TEST

static int feed_one(bool masked, const uint8_t *frame, size_t n, size_t max_msg)
{
	struct ws_rx rx;
	struct ws_event ev;
	uint8_t *buf = malloc(n ? n : 1);
	size_t used;
	int r;

	memcpy(buf, frame, n);
	ws_rx_init(&rx, masked, max_msg);
	r = ws_rx_next(&rx, buf, n, &used, &ev);
	ws_rx_free(&rx);
	free(buf);
	return r;
}

START_TEST(continuation_without_a_message_is_refused)
{
	uint8_t f[] = {0x80, 0x02, 'h', 'i'};
	ck_assert_int_eq(feed_one(false, f, sizeof f, 1024), -WS_CLOSE_PROTOCOL);
}
END_TEST

START_TEST(new_message_inside_a_fragmented_one_is_refused)
{
	uint8_t f[] = {0x01, 0x01, 'a', 0x81, 0x01, 'b'};
	ck_assert_int_eq(feed_one(false, f, sizeof f, 1024), -WS_CLOSE_PROTOCOL);
}
END_TEST

START_TEST(long_or_fragmented_control_frames_are_refused)
{
	uint8_t longping[4 + 126] = {0x89, 126, 0, 126};
	uint8_t fragping[] = {0x09, 0x00};
	ck_assert_int_eq(feed_one(false, longping, sizeof longping, 1024), -WS_CLOSE_PROTOCOL);
	ck_assert_int_eq(feed_one(false, fragping, sizeof fragping, 1024), -WS_CLOSE_PROTOCOL);
}
END_TEST

START_TEST(reserved_bits_and_opcodes_are_refused)
{
	uint8_t rsv[] = {0xc1, 0x01, 'a'};
	uint8_t op3[] = {0x83, 0x01, 'a'};
	uint8_t opb[] = {0x8b, 0x00};
	ck_assert_int_eq(feed_one(false, rsv, sizeof rsv, 1024), -WS_CLOSE_PROTOCOL);
	ck_assert_int_eq(feed_one(false, op3, sizeof op3, 1024), -WS_CLOSE_PROTOCOL);
	ck_assert_int_eq(feed_one(false, opb, sizeof opb, 1024), -WS_CLOSE_PROTOCOL);
}
END_TEST

/* A frame announcing more than the limit is refused from its header alone, before
 * any of its payload arrives. */
START_TEST(oversize_message_is_refused_before_its_payload)
{
	uint8_t f[10] = {0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0}; /* 4 GiB */
	uint8_t g[] = {0x01, 0x03, 'a', 'b', 'c', 0x80, 0x03, 'd', 'e', 'f'};
	ck_assert_int_eq(feed_one(false, f, sizeof f, 1 << 20), -WS_CLOSE_TOO_BIG);
	/* fragments adding up past the limit */
	ck_assert_int_eq(feed_one(false, g, sizeof g, 5), -WS_CLOSE_TOO_BIG);
}
END_TEST

START_TEST(invalid_utf8_text_is_refused_with_1007)
{
	uint8_t f[] = {0x81, 0x02, 0xc0, 0xaf}; /* overlong '/' */
	ck_assert_int_eq(feed_one(false, f, sizeof f, 1024), -WS_CLOSE_BAD_DATA);
}
END_TEST

START_TEST(utf8_validator_rejects_overlongs_and_surrogates)
{
	ck_assert(ws_utf8_valid((const uint8_t *)"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	ck_assert(!ws_utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3));
	ck_assert(!ws_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));
	ck_assert(!ws_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
	ck_assert(!ws_utf8_valid((const uint8_t *)"\xc3", 1));
}
END_TEST

START_TEST(close_frame_code_and_reason_are_read)
{
	uint8_t f[] = {0x88, 0x05, 0x03, 0xf0, 'b', 'y', 'e'}; /* 1008 "bye" */
	struct ws_rx rx;
	struct ws_event ev;
	size_t used;

	ws_rx_init(&rx, false, 1024);
	ck_assert_int_eq(ws_rx_next(&rx, f, sizeof f, &used, &ev), WS_RX_EVENT);
	ck_assert_uint_eq(ev.opcode, WS_OP_CLOSE);
	ck_assert_uint_eq(ev.close_code, 1008);
	ck_assert(ev.len == 3 && memcmp(ev.data, "bye", 3) == 0);
	ws_rx_free(&rx);
}
END_TEST

START_TEST(close_frames_with_bad_codes_are_refused)
{
	uint8_t one[] = {0x88, 0x01, 0x03};
	uint8_t c1005[] = {0x88, 0x02, 0x03, 0xed};
	uint8_t c999[] = {0x88, 0x02, 0x03, 0xe7};
	ck_assert_int_eq(feed_one(false, one, sizeof one, 1024), -WS_CLOSE_PROTOCOL);
	ck_assert_int_eq(feed_one(false, c1005, sizeof c1005, 1024), -WS_CLOSE_PROTOCOL);
	ck_assert_int_eq(feed_one(false, c999, sizeof c999, 1024), -WS_CLOSE_PROTOCOL);
}
END_TEST

/* Random bytes, with and without plausible headers: the decoder must only ever return
 * a status, never crash or overrun (ASan/UBSan make that observable). */
START_TEST(hostile_frames_do_not_crash)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int errors = 0, events = 0;

	for (int round = 0; round < 20000; round++) {
		uint8_t buf[96];
		size_t n = (size_t)(round % 96);
		struct ws_rx rx;
		struct ws_event ev;
		size_t used, off = 0;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		if (n > 2 && round % 3 == 0)
			buf[1] = (uint8_t)(0x80 | (buf[1] % 20)); /* short masked frames */
		ws_rx_init(&rx, round % 2 == 0, 64);
		for (int k = 0; k < 50 && off <= n; k++) {
			int r = ws_rx_next(&rx, buf + off, n - off, &used, &ev);
			ck_assert_uint_le(used, n - off);
			off += used;
			if (r < 0) {
				errors++;
				break;
			}
			if (r == WS_RX_NEED)
				break;
			events++;
			ck_assert_uint_le(ev.len, WS_MAX_CONTROL); /* max_msg 64, control 125 */
		}
		ws_rx_free(&rx);
	}
	/* the corpus must exercise both outcomes, or the test proves nothing */
	ck_assert_msg(errors > 0 && events > 0, "expected errors and events, got %d and %d", errors,
	              events);
}
END_TEST

static const char good_req[] = "GET /ws/market?x=1 HTTP/1.1\r\n"
                               "Host: 127.0.0.1:9\r\n"
                               "Upgrade: WebSocket\r\n"
                               "Connection: keep-alive, Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "\r\n";

START_TEST(upgrade_request_is_parsed)
{
	struct http_req r;
	long n = ws_parse_request(good_req, strlen(good_req), 4096, &r);

	ck_assert_int_eq(n, (long)strlen(good_req));
	ck_assert_str_eq(r.method, "GET");
	ck_assert_str_eq(r.target, "/ws/market?x=1");
	ck_assert_str_eq(r.key, "dGhlIHNhbXBsZSBub25jZQ==");
	ck_assert_int_eq(r.ws_version, 13);
	ck_assert(r.upgrade_ws);
	ck_assert(r.conn_upgrade);
	ck_assert(r.http11);
}
END_TEST

START_TEST(incomplete_or_oversized_requests_are_told_apart)
{
	struct http_req r;
	char big[600];

	ck_assert_int_eq(ws_parse_request(good_req, strlen(good_req) - 2, 4096, &r), 0);
	memset(big, 'a', sizeof big);
	ck_assert_int_eq(ws_parse_request(big, sizeof big, 512, &r), -1);
	ck_assert_int_eq(ws_parse_request("GARBAGE\r\n\r\n", 11, 512, &r), -1);
	ck_assert_int_eq(ws_parse_request("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 27, 512, &r), -1);
}
END_TEST

static Suite *ws_suite(void)
{
	Suite *s = suite_create("sim_ws");
	TCase *t = tcase_create("codec");

	tcase_add_test(t, accept_key_matches_rfc6455_example);
	tcase_add_test(t, accept_key_refuses_empty_key);
	tcase_add_loop_test(t, header_length_forms_round_trip, 0,
	                    (int)(sizeof len_cases / sizeof len_cases[0]));
	tcase_add_test(t, length_with_top_bit_set_is_malformed);
	tcase_add_test(t, masked_text_frame_is_unmasked);
	tcase_add_test(t, masking_encoder_matches_rfc_example);
	tcase_add_test(t, unmasked_client_frame_is_refused_with_1002);
	tcase_add_test(t, fragments_are_reassembled_around_a_ping);
	tcase_add_test(t, byte_at_a_time_gives_the_same_messages);
	tcase_add_test(t, continuation_without_a_message_is_refused);
	tcase_add_test(t, new_message_inside_a_fragmented_one_is_refused);
	tcase_add_test(t, long_or_fragmented_control_frames_are_refused);
	tcase_add_test(t, reserved_bits_and_opcodes_are_refused);
	tcase_add_test(t, oversize_message_is_refused_before_its_payload);
	tcase_add_test(t, invalid_utf8_text_is_refused_with_1007);
	tcase_add_test(t, utf8_validator_rejects_overlongs_and_surrogates);
	tcase_add_test(t, close_frame_code_and_reason_are_read);
	tcase_add_test(t, close_frames_with_bad_codes_are_refused);
	tcase_add_test(t, hostile_frames_do_not_crash);
	tcase_add_test(t, upgrade_request_is_parsed);
	tcase_add_test(t, incomplete_or_oversized_requests_are_told_apart);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ws_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
