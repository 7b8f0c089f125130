/*
 * Tests for the key table (src/ui/keymap.c), the one place keys are bound: every action
 * has a key and a help line, every key leads back to its action, no key is bound twice,
 * every key's name is in the help overlay's keys column, and the keys that used to work
 * without being shown anywhere (h, Q, +, Space) are both bound and documented.
 * Must never need a terminal: nothing here calls curses.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ui/keymap.h"

static int nkeys(const struct ui_binding *b)
{
	int n = 0;
	while (n < UI_KEYS_MAX && b->keys[n].name) {
		n++;
	}
	return n;
}

START_TEST(every_action_has_one_entry_a_key_and_help)
{
	ck_assert_uint_eq(ui_keymap_len, ACT_COUNT - 1);
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
		int entries = 0;
		for (size_t i = 0; i < ui_keymap_len; i++) {
			if (ui_keymap[i].action != (enum ui_action)a) {
				continue;
			}
			entries++;
			ck_assert_msg(nkeys(&ui_keymap[i]) > 0,
			              "action %d: expected a key, got none", a);
			ck_assert_msg(ui_keymap[i].help && ui_keymap[i].help[0],
			              "action %d: expected a help line, got none", a);
		}
		ck_assert_msg(entries == 1, "action %d: expected one table entry, got %d", a,
		              entries);
	}
}
END_TEST

START_TEST(every_key_reaches_its_action)
{
	for (size_t i = 0; i < ui_keymap_len; i++) {
		const struct ui_binding *b = &ui_keymap[i];
		for (int k = 0; k < nkeys(b); k++) {
			enum ui_action got = ui_keymap_action(b->keys[k].code, b->keys[k].is_key);
			ck_assert_msg(got == b->action, "key %s: expected action %d, got %d",
			              b->keys[k].name, (int)b->action, (int)got);
		}
	}
	ck_assert_int_eq(ui_keymap_action('x', false), ACT_NONE);
	ck_assert_int_eq(ui_keymap_action(0x13, false), ACT_NONE); /* Ctrl-S */
}
END_TEST

START_TEST(no_key_is_bound_twice)
{
	for (size_t i = 0; i < ui_keymap_len; i++) {
		for (int k = 0; k < nkeys(&ui_keymap[i]); k++) {
			const struct ui_key *a = &ui_keymap[i].keys[k];
			for (size_t j = i; j < ui_keymap_len; j++) {
				for (int l = j == i ? k + 1 : 0; l < nkeys(&ui_keymap[j]); l++) {
					const struct ui_key *b = &ui_keymap[j].keys[l];
					ck_assert_msg(a->code != b->code || a->is_key != b->is_key,
					              "key %s is bound twice (%s and %s)", a->name,
					              ui_keymap[i].help, ui_keymap[j].help);
				}
			}
		}
	}
}
END_TEST

/* True when name is a whole word of the space-separated list. */
static bool has_word(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p++) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
			return true;
		}
	}
	return false;
}

START_TEST(every_key_is_named_in_the_help_keys_column)
{
	for (size_t i = 0; i < ui_keymap_len; i++) {
		char keys[64];
		ui_keymap_keys(&ui_keymap[i], keys, sizeof keys);
		ck_assert_msg(strlen(keys) <= 8,
		              "\"%s\" is wider than the help's 8-column keys column", keys);
		for (int k = 0; k < nkeys(&ui_keymap[i]); k++) {
			ck_assert_msg(has_word(keys, ui_keymap[i].keys[k].name),
			              "help keys \"%s\": expected the key %s", keys,
			              ui_keymap[i].keys[k].name);
		}
	}
}
END_TEST

START_TEST(the_once_hidden_keys_are_bound_and_documented)
{
	static const struct {
		int ch;              /* the key */
		enum ui_action want; /* what it did before the table */
		const char *name;    /* its name in help */
	} hidden[] = {{'h', ACT_HELP, "h"},
	              {'Q', ACT_QUIT, "Q"},
	              {'+', ACT_ADD, "+"},
	              {' ', ACT_PAUSE, "Space"}};
	for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
		ck_assert_int_eq(ui_keymap_action(hidden[i].ch, false), hidden[i].want);
		char keys[64] = "";
		for (size_t j = 0; j < ui_keymap_len; j++) {
			if (ui_keymap[j].action == hidden[i].want) {
				ui_keymap_keys(&ui_keymap[j], keys, sizeof keys);
			}
		}
		ck_assert_msg(has_word(keys, hidden[i].name), "expected %s in help keys \"%s\"",
		              hidden[i].name, keys);
	}
}
END_TEST

START_TEST(status_hint_comes_from_the_table)
{
	char hint[256];
	ui_keymap_hint(hint, sizeof hint);
	ck_assert_str_eq(hint, "? help  a add  d del  r resync  / filter  s sort  p pause  q quit");
	char tiny[8];
	ui_keymap_hint(tiny, sizeof tiny);
	ck_assert_str_eq(tiny, "? help ");
}
END_TEST

static Suite *keymap_suite(void)
{
	Suite *s = suite_create("keymap");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_action_has_one_entry_a_key_and_help);
	tcase_add_test(tc, every_key_reaches_its_action);
	tcase_add_test(tc, no_key_is_bound_twice);
	tcase_add_test(tc, every_key_is_named_in_the_help_keys_column);
	tcase_add_test(tc, the_once_hidden_keys_are_bound_and_documented);
	tcase_add_test(tc, status_hint_comes_from_the_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(keymap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
