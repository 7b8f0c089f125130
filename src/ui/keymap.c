/*
 * keymap: the key bindings table and its lookups (see keymap.h).
 *
 * Pure: no curses call, no state.  Runs on the UI thread only and never touches the
 * network.
 */
#include "keymap.h"

#include <stdio.h>
#include <string.h>

const struct ui_binding ui_keymap[] = {
#define X(e, label, help, ...) {e, label, help, {__VA_ARGS__}},
    UI_KEYMAP(X)
#undef X
};

const size_t ui_keymap_len = sizeof ui_keymap / sizeof ui_keymap[0];

enum ui_action ui_keymap_action(int code, bool is_key)
{
	for (size_t i = 0; i < ui_keymap_len; i++) {
		for (const struct ui_key *k = ui_keymap[i].keys;
		     k < ui_keymap[i].keys + UI_KEYS_MAX && k->name; k++) {
			if (k->code == code && k->is_key == is_key) {
				return ui_keymap[i].action;
			}
		}
	}
	return ACT_NONE;
}

void ui_keymap_keys(const struct ui_binding *b, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < UI_KEYS_MAX && b->keys[i].name; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++) {
			seen = seen || strcmp(b->keys[j].name, b->keys[i].name) == 0;
		}
		if (!seen && n < cap) {
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
			                      b->keys[i].name);
		}
	}
}

void ui_keymap_hint(char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ui_keymap_len && n < cap; i++) {
		const struct ui_binding *b = &ui_keymap[i];
		if (b->label) {
			n += (size_t)snprintf(buf + n, cap - n, "%s%s %s", n ? "  " : "",
			                      b->keys[0].name, b->label);
		}
	}
}
