/*
 * test_clob: the shared vocabulary.  Proves that there is one answer to "is this a token
 * id" at the limits (78 digits yes, 79 no, nothing but ASCII digits), that the growing
 * array keeps its contents and refuses sizes that would overflow, and that the clocks move
 * the way the rest of the program assumes.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clob.h"
#include "clock.h"
#include "mem.h"

START_TEST(token_id_limits)
{
	char id[TOKEN_ID_MAX + 2];
	memset(id, '7', sizeof id);
	ck_assert_msg(token_id_valid(id, TOKEN_ID_MAX), "a %d-digit id must be valid",
	              TOKEN_ID_MAX);
	ck_assert_msg(!token_id_valid(id, TOKEN_ID_MAX + 1), "a %d-digit id must be refused",
	              TOKEN_ID_MAX + 1);
	ck_assert(token_id_valid("1", 1));
	ck_assert(!token_id_valid("", 0));
	ck_assert(!token_id_valid("12a4", 4));
	ck_assert(!token_id_valid("12 4", 4));
	ck_assert(!token_id_valid("-12", 3));
	ck_assert(!token_id_valid("\xd9\xa3", 2)); /* ARABIC-INDIC DIGIT THREE */
	ck_assert_int_ge(TOKEN_ID_SIZE, TOKEN_ID_MAX + 1);
}
END_TEST

START_TEST(grow_keeps_contents_and_only_grows)
{
	int *a = NULL;
	size_t cap = 0;
	ck_assert(mem_grow((void **)&a, &cap, 3, sizeof *a, 4));
	ck_assert_uint_eq(cap, 4);
	for (int i = 0; i < 4; i++)
		a[i] = i * 11;
	ck_assert(mem_grow((void **)&a, &cap, 9, sizeof *a, 4));
	ck_assert_uint_eq(cap, 16);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(a[i], i * 11);
	int *before = a;
	ck_assert(mem_grow((void **)&a, &cap, 2, sizeof *a, 4));
	ck_assert_ptr_eq(a, before);
	ck_assert_uint_eq(cap, 16);
	ck_assert_msg(!mem_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof *a, 4),
	              "a size that overflows must be refused");
	ck_assert_ptr_eq(a, before);
	free(a);
}
END_TEST

START_TEST(hash_is_fnv1a)
{
	/* Published FNV-1a 64 test vectors. */
	ck_assert_uint_eq(mem_hash("", 0), UINT64_C(0xcbf29ce484222325));
	ck_assert_uint_eq(mem_hash("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert_uint_eq(mem_hash("foobar", 6), UINT64_C(0x85944171f73967e8));
}
END_TEST

START_TEST(clocks_move_forward)
{
	int64_t m0 = clock_mono_ns(), r0 = clock_real_ns();
	clock_sleep_ns(2 * NS_PER_MS);
	int64_t m1 = clock_mono_ns();
	ck_assert_int_ge(m1 - m0, 2 * NS_PER_MS);
	ck_assert_int_gt(r0, INT64_C(1600000000) * NS_PER_S); /* after 2020 */
	clock_sleep_ns(0);
	clock_sleep_ns(-5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clob");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, token_id_limits);
	tcase_add_test(tc, grow_keeps_contents_and_only_grows);
	tcase_add_test(tc, hash_is_fnv1a);
	tcase_add_test(tc, clocks_move_forward);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
