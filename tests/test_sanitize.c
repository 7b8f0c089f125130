/*
 * test_sanitize: network text comes out holding only printable UTF-8: escape sequences
 * (7-bit and 8-bit) go whole, controls go, TAB/CR/LF become spaces, malformed UTF-8
 * becomes U+FFFD, bidi overrides go, the result is never cut inside a character or past
 * cap, and sanitising is idempotent.  A checker written independently of the sanitiser
 * (the well-formed byte ranges of Unicode Table 3-7) judges every fuzzed output.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

#define FFFD "\xef\xbf\xbd"

/* Printable rendering of bytes for failure messages. */
static const char *show(const char *s, size_t n)
{
	static char buf[4][1024];
	static int which;
	char *out = buf[which++ % 4];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < sizeof(buf[0]); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(buf[0]) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

static void expect_len(const char *in, size_t len, const char *want)
{
	char out[512];
	size_t n = sanitize_text(out, sizeof(out), in, len);

	ck_assert_msg(n == strlen(want) && memcmp(out, want, n) == 0,
	              "sanitize(\"%s\"): expected \"%s\", got \"%s\"", show(in, len),
	              show(want, strlen(want)), show(out, n));
	ck_assert_msg(out[n] == '\0', "output not NUL-terminated at %zu", n);
}

static void expect(const char *in, const char *want)
{
	expect_len(in, strlen(in), want);
}

/* Independent judge: every byte sequence must be a well-formed UTF-8 sequence (Table 3-7
 * ranges) of a code point that is printable by our rules. */
static bool checker_is_clean(const unsigned char *s, size_t n, size_t *bad_at)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		uint32_t cp;
		size_t k;
		unsigned char lo2 = 0x80, hi2 = 0xbf;

		*bad_at = i;
		if (b < 0x80) {
			if (b < 0x20 || b == 0x7f)
				return false;
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			k = 2;
		else if (b >= 0xe0 && b <= 0xef)
			k = 3;
		else if (b >= 0xf0 && b <= 0xf4)
			k = 4;
		else
			return false;
		if (b == 0xe0)
			lo2 = 0xa0;
		if (b == 0xed)
			hi2 = 0x9f;
		if (b == 0xf0)
			lo2 = 0x90;
		if (b == 0xf4)
			hi2 = 0x8f;
		if (i + k > n || s[i + 1] < lo2 || s[i + 1] > hi2)
			return false;
		for (size_t j = 2; j < k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xbf)
				return false;
		cp = b & (k == 2 ? 0x1fu : k == 3 ? 0x0fu : 0x07u);
		for (size_t j = 1; j < k; j++)
			cp = (cp << 6) | (s[i + j] & 0x3fu);
		if (cp < 0xa0)
			return false; /* C1 controls */
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return false;
		if (cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f || cp == 0x061c)
			return false;
		i += k;
	}
	return true;
}

START_TEST(printable_ascii_and_utf8_pass_unchanged)
{
	const char *s =
	    "Will BTC hit $100k? h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80 "
	    "\xc2\xa0nbsp \xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80 " FFFD;
	expect(s, s);
	ck_assert_msg(sanitize_is_clean(s, strlen(s)), "clean text reported as unclean");
}
END_TEST

START_TEST(tab_cr_lf_each_become_one_space)
{
	expect("a\tb\r\nc\n", "a b  c ");
}
END_TEST

START_TEST(other_c0_controls_and_del_are_dropped)
{
	char in[80];
	size_t n = 0;

	for (int c = 0; c < 0x20; c++) {
		if (c == '\t' || c == '\n' || c == '\r' || c == 0x1b)
			continue;
		in[n++] = 'x';
		in[n++] = (char)c;
	}
	in[n++] = 0x7f;
	in[n++] = 'y';
	expect_len(in, n, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxy");
}
END_TEST

START_TEST(nul_in_the_middle_is_dropped_and_len_is_honoured)
{
	expect_len("ab\0cd", 5, "abcd");
	expect_len("abcdef", 3, "abc");
	expect_len(NULL, 0, "");
}
END_TEST

START_TEST(csi_sequences_are_dropped_whole)
{
	expect("a\x1b[1;31mred\x1b[0m b", "ared b");
	expect("\x1b[2J\x1b[H\x1b[?1049hclear", "clear");
	expect("x\x1b[38;5;196my", "xy");
	/* An unterminated CSI at the end goes too. */
	expect("ok\x1b[12;", "ok");
	/* A CSI broken by a control ends there; the control itself is then judged. */
	expect("a\x1b[12\nb", "a b");
}
END_TEST

START_TEST(osc_title_change_attack_is_removed)
{
	expect("\x1b]0;evil title\x07market", "market");
	expect("\x1b]2;evil\x1b\\ok", "ok");
	expect("pre\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\post", "prelinkpost");
	/* An ESC [ inside the string does not end it. */
	expect("\x1b]0;a\x1b[31mb\x07z", "z");
}
END_TEST

START_TEST(unterminated_osc_and_dcs_run_to_end_and_are_dropped)
{
	expect("ok\x1b]0;evil title with no end", "ok");
	expect("ok\x1bPq#0;2;0;0;0 sixel", "ok");
	expect("ok\x1b]", "ok");
}
END_TEST

START_TEST(dcs_apc_pm_sos_are_dropped_up_to_st)
{
	expect("a\x1bP1$r0m\x1b\\b", "ab");
	expect("a\x1b_apc payload\x1b\\b", "ab");
	expect("a\x1b^pm payload\x1b\\b", "ab");
	expect("a\x1bXsos payload\x1b\\b", "ab");
	expect("a\x1bPdcs\x9c"
	       "b",
	       "ab");
	expect("a\x1bPdcs\xc2\x9c"
	       "b",
	       "ab");
}
END_TEST

START_TEST(two_byte_and_nf_escapes_are_dropped)
{
	expect("a\x1b"
	       "cb",
	       "ab");
	expect("a\x1b=b\x1b>c", "abc");
	expect("\x1b(Bx\x1b)0y", "xy");
	expect("x\x1b#8y", "xy");
	expect("end\x1b", "end");
	expect("a\x1b\x1b"
	       "7b",
	       "ab");
}
END_TEST

START_TEST(eight_bit_csi_and_osc_are_dropped_raw_and_as_utf8)
{
	expect("a\x9b"
	       "31mb",
	       "ab");
	expect("a\xc2\x9b"
	       "31mb",
	       "ab");
	expect("a\x9d"
	       "0;evil\x07"
	       "b",
	       "ab");
	expect("a\x9d"
	       "0;evil\x9c"
	       "b",
	       "ab");
	expect("a\xc2\x9d"
	       "0;evil\xc2\x9c"
	       "b",
	       "ab");
	expect("a\x90"
	       "dcs\x9c"
	       "b",
	       "ab");
	expect("a\x9f"
	       "apc\x9c"
	       "b",
	       "ab");
}
END_TEST

START_TEST(c1_controls_are_dropped_raw_and_as_utf8)
{
	for (int c = 0x80; c <= 0x9f; c++) {
		char raw[4] = {'a', (char)c, 'b', 0};
		char enc[5] = {'a', (char)0xc2, (char)c, 'b', 0};

		if (c == 0x9b || c == 0x9d || c == 0x90 || c == 0x9f || c == 0x9e || c == 0x98)
			continue; /* introducers: they swallow what follows, tested above */
		expect(raw, "ab");
		expect(enc, "ab");
	}
}
END_TEST

START_TEST(malformed_utf8_becomes_one_replacement_per_sequence)
{
	expect("a\xc0\xaf"
	       "b",
	       "a" FFFD "b"); /* overlong '/' */
	expect("a\xc1\xbf"
	       "b",
	       "a" FFFD "b");
	expect("a\xe0\x80\xaf"
	       "b",
	       "a" FFFD "b");
	expect("a\xf0\x80\x80\xaf"
	       "b",
	       "a" FFFD "b");
	expect("a\xed\xa0\x80"
	       "b",
	       "a" FFFD "b"); /* surrogate D800 */
	expect("a\xed\xbf\xbf"
	       "b",
	       "a" FFFD "b"); /* surrogate DFFF */
	expect("a\xf4\x90\x80\x80"
	       "b",
	       "a" FFFD "b"); /* U+110000 */
	expect("a\xf7\xbf\xbf\xbf"
	       "b",
	       "a" FFFD "b");
	expect("a\xa0"
	       "b",
	       "a" FFFD "b"); /* stray continuation */
	expect("a\xff\xfe"
	       "b",
	       "a" FFFD FFFD "b");
	expect("a\xe4\xb8"
	       "b",
	       "a" FFFD "b"); /* cut short */
	expect("a\xf0\x9f\x98", "a" FFFD);
}
END_TEST

START_TEST(invisible_characters_are_dropped)
{
	/* ZWSP, ZWNJ, ZWJ, word joiner, BOM, Mongolian vowel separator, a tag character. */
	static const char *inv[] = {"\xe2\x80\x8b",    "\xe2\x80\x8c", "\xe2\x80\x8d",
	                            "\xe2\x81\xa0",    "\xef\xbb\xbf", "\xe1\xa0\x8e",
	                            "\xf3\xa0\x80\x81"};
	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++) {
		char in[32], out[32];
		snprintf(in, sizeof(in), "Ye%ss", inv[i]);
		sanitize_text(out, sizeof(out), in, strlen(in));
		ck_assert_msg(strcmp(out, "Yes") == 0, "invisible character %zu survived: '%s'", i,
		              out);
		ck_assert(!sanitize_is_clean(in, strlen(in)));
	}
	/* Visible neighbours stay. */
	char out[16];
	sanitize_text(out, sizeof(out), "\xe2\x80\x90", 3); /* U+2010 HYPHEN */
	ck_assert_str_eq(out, "\xe2\x80\x90");
}
END_TEST

START_TEST(bidi_overrides_and_isolates_are_dropped)
{
	static const char *bidi[] = {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",
	                             "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",
	                             "\xe2\x81\xa9", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c"};
	for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		char in[32];
		snprintf(in, sizeof(in), "ab%scd", bidi[i]);
		expect(in, "abcd");
	}
	/* Neighbours of the ranges are ordinary punctuation and stay. */
	expect("\xe2\x80\xa9", " ");
	expect("\xe2\x80\xa8", " ");
	expect("\xe2\x80\xaf", "\xe2\x80\xaf");
	expect("\xe2\x81\xa5", "\xe2\x81\xa5");
	expect("\xe2\x81\xaa", "\xe2\x81\xaa");
}
END_TEST

START_TEST(truncation_at_every_cap_keeps_whole_characters)
{
	const char *in = "a\xc3\xa9\xe4\xb8\x96\xf0\x9f\x98\x80"
	                 "b\xe2\x82\xac\x1b[31m\xc3\xb1\xf0\x9f\x8e\x89\xe6\x97\xa5\xe6\x9c\xac"
	                 "cd\xff"
	                 "e";
	char full[256];
	size_t full_n = sanitize_text(full, sizeof(full), in, strlen(in));

	for (size_t cap = 1; cap <= 40; cap++) {
		char out[64];
		size_t bad, n;

		memset(out, 0x55, sizeof(out));
		n = sanitize_text(out, cap, in, strlen(in));
		ck_assert_msg(n <= cap - 1, "cap %zu: expected length <= %zu, got %zu", cap,
		              cap - 1, n);
		ck_assert_msg(out[n] == '\0', "cap %zu: no NUL at %zu", cap, n);
		for (size_t i = cap; i < sizeof(out); i++)
			ck_assert_msg((unsigned char)out[i] == 0x55, "cap %zu: byte %zu written",
			              cap, i);
		ck_assert_msg(checker_is_clean((unsigned char *)out, n, &bad),
		              "cap %zu: output \"%s\" invalid at byte %zu", cap, show(out, n), bad);
		ck_assert_msg(n <= full_n && memcmp(out, full, n) == 0,
		              "cap %zu: \"%s\" is not a prefix of \"%s\"", cap, show(out, n),
		              show(full, full_n));
		/* Maximal: the next whole character would not have fitted. */
		if (n < full_n) {
			size_t next = n + 1;
			while (next < full_n && ((unsigned char)full[next] & 0xc0) == 0x80)
				next++;
			ck_assert_msg(
			    next > cap - 1,
			    "cap %zu: stopped at %zu though the next character ends at %zu", cap, n,
			    next);
		}
	}
}
END_TEST

START_TEST(cap_one_gives_empty_string)
{
	char out[2] = {'z', 'z'};
	ck_assert_uint_eq(sanitize_text(out, 1, "abc", 3), 0);
	ck_assert_msg(out[0] == '\0' && out[1] == 'z', "expected \"\" and untouched, got %02x %02x",
	              (unsigned char)out[0], (unsigned char)out[1]);
}
END_TEST

static const char *const nasty[] = {
    "\x1b]0;evil\x07title",
    "a\tb\r\nc",
    "\x9b"
    "31mx\xc2\x85y",
    "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
    "ab\xe2\x80\xae"
    "cd",
    "\x1b[1mbold\x1b[0m \x1bPdcs\x1b\\ ok",
    "\xe2\x80\xa8line",
    "\x7f\x01\x02z",
};

START_TEST(sanitising_twice_equals_once)
{
	for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		char once[256], twice[256];
		size_t n1 = sanitize_text(once, sizeof(once), nasty[i], strlen(nasty[i]));
		size_t n2 = sanitize_text(twice, sizeof(twice), once, n1);

		ck_assert_msg(n1 == n2 && memcmp(once, twice, n1) == 0,
		              "input %zu: once \"%s\", twice \"%s\"", i, show(once, n1),
		              show(twice, n2));
		ck_assert_msg(sanitize_is_clean(once, n1), "input %zu: output \"%s\" not clean", i,
		              show(once, n1));
		ck_assert_msg(!sanitize_is_clean(nasty[i], strlen(nasty[i])),
		              "input %zu \"%s\" reported clean though it changes", i,
		              show(nasty[i], strlen(nasty[i])));
	}
}
END_TEST

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* ck_assert_msg costs a system call per call in fork mode; 100,000 iterations of five
 * of them made this test take a minute on a loaded machine.  Fail the same way, only
 * when the condition is false. */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

START_TEST(random_bytes_always_come_out_clean_and_bounded)
{
	static const unsigned char hot[] = {
	    0x1b, '[',  ']',  'P',  '_',  '\\', 0x07, 0x9b, 0x9c, 0x9d, 0x90, 0xc2, 0xe2,
	    0x80, 0x81, 0xaa, 0xae, 0xbf, 0xed, 0xf0, 0xf4, 0x9f, 'm',  ';',  '0',  '\n',
	    '\t', 0x7f, 0x00, ' ',  'a',  0xc3, 0xa9, 0xe4, 0xb8, 0x96, 0x85};
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (int iter = 0; iter < 100000; iter++) {
		unsigned char in[64];
		char out[96 + 16], full[256], again[256];
		size_t len = rng_next(&seed) % sizeof(in);
		size_t cap = 1 + rng_next(&seed) % 96;
		size_t n, full_n, again_n, bad;

		for (size_t i = 0; i < len; i++) {
			uint64_t r = rng_next(&seed);
			in[i] = (r & 1) ? hot[(r >> 8) % sizeof(hot)] : (unsigned char)(r >> 16);
		}
		memset(out, 0x55, sizeof(out));
		n = sanitize_text(out, cap, (const char *)in, len);
		EXPECT(n < cap, "iter %d: length %zu with cap %zu", iter, n, cap);
		EXPECT(out[n] == '\0' && strlen(out) == n,
		       "iter %d: expected NUL at %zu only, strlen %zu", iter, n, strlen(out));
		for (size_t i = cap; i < sizeof(out); i++)
			EXPECT((unsigned char)out[i] == 0x55, "iter %d: wrote past cap %zu", iter,
			       cap);
		EXPECT(checker_is_clean((unsigned char *)out, n, &bad),
		       "iter %d: input \"%s\" gave \"%s\", bad at %zu", iter,
		       show((const char *)in, len), show(out, n), bad);
		EXPECT(sanitize_is_clean(out, n), "iter %d: output not clean by is_clean", iter);
		full_n = sanitize_text(full, sizeof(full), (const char *)in, len);
		EXPECT(n <= full_n && memcmp(out, full, n) == 0,
		       "iter %d: cut output is not a prefix of the full one", iter);
		again_n = sanitize_text(again, sizeof(again), full, full_n);
		EXPECT(again_n == full_n && memcmp(again, full, full_n) == 0,
		       "iter %d: not idempotent: \"%s\" -> \"%s\"", iter, show(full, full_n),
		       show(again, again_n));
	}
}
END_TEST

static Suite *sanitize_suite(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, printable_ascii_and_utf8_pass_unchanged);
	tcase_add_test(tc, tab_cr_lf_each_become_one_space);
	tcase_add_test(tc, other_c0_controls_and_del_are_dropped);
	tcase_add_test(tc, nul_in_the_middle_is_dropped_and_len_is_honoured);
	tcase_add_test(tc, csi_sequences_are_dropped_whole);
	tcase_add_test(tc, osc_title_change_attack_is_removed);
	tcase_add_test(tc, unterminated_osc_and_dcs_run_to_end_and_are_dropped);
	tcase_add_test(tc, dcs_apc_pm_sos_are_dropped_up_to_st);
	tcase_add_test(tc, two_byte_and_nf_escapes_are_dropped);
	tcase_add_test(tc, eight_bit_csi_and_osc_are_dropped_raw_and_as_utf8);
	tcase_add_test(tc, c1_controls_are_dropped_raw_and_as_utf8);
	tcase_add_test(tc, malformed_utf8_becomes_one_replacement_per_sequence);
	tcase_add_test(tc, bidi_overrides_and_isolates_are_dropped);
	tcase_add_test(tc, invisible_characters_are_dropped);
	tcase_add_test(tc, truncation_at_every_cap_keeps_whole_characters);
	tcase_add_test(tc, cap_one_gives_empty_string);
	tcase_add_test(tc, sanitising_twice_equals_once);
	tcase_add_test(tc, random_bytes_always_come_out_clean_and_bounded);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sanitize_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
