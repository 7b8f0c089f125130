/*
 * filter: the assets filter's "state:" words and text (see filter.h).
 *
 * Pure string work on the operator's own text; never touches curses or the model.
 * UI thread only (the lower-case state words are filled once, on first use).
 */
#include "filter.h"

#include <stdio.h>
#include <string.h>

#define STATE_WORD "state:"

static char words[UI_DS_COUNT][24]; /* lower-case screen names, "no-feed" last */

const char *ui_dstate_word(enum ui_dstate d)
{
	if (!words[0][0]) {
		for (int i = 0; i < UI_DS_COUNT; i++) {
			const char *s =
			    i == UI_DS_NOFEED ? "no-feed" : ui_dstate_text((enum ui_dstate)i);
			size_t k = 0;
			for (; s[k] && k + 1 < sizeof words[i]; k++) {
				char c = s[k];
				words[i][k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			}
			words[i][k] = '\0';
		}
	}
	return (unsigned)d < UI_DS_COUNT ? words[d] : "?";
}

/* name[0..len) is a case-insensitive prefix of full. */
static bool iprefix(const char *name, size_t len, const char *full)
{
	for (size_t i = 0; i < len; i++) {
		char a = name[i], b = full[i];
		if (!b) {
			return false;
		}
		a = a >= 'A' && a <= 'Z' ? (char)(a - 'A' + 'a') : a;
		b = b >= 'A' && b <= 'Z' ? (char)(b - 'A' + 'a') : b;
		if (a != b) {
			return false;
		}
	}
	return true;
}

/* The states one name picks: a prefix of the screen word, the snapshot name or "nofeed". */
static uint32_t states_of(const char *name, size_t len)
{
	uint32_t mask = 0;
	for (int i = 0; i < UI_DS_COUNT; i++) {
		const char *snap =
		    i == UI_DS_NOFEED ? "nofeed" : asset_state_name((enum asset_state)i);
		if (iprefix(name, len, ui_dstate_word((enum ui_dstate)i)) ||
		    iprefix(name, len, snap) ||
		    (i == UI_DS_NOFEED && iprefix(name, len, "no_feed"))) {
			mask |= UINT32_C(1) << i;
		}
	}
	return mask;
}

/* The names after "state:" in w[0..len), comma separated; false when one picks nothing. */
static bool state_word(const char *w, size_t len, struct ui_filter *f)
{
	bool ok = true;
	size_t i = strlen(STATE_WORD);
	while (i < len) {
		size_t j = i;
		while (j < len && w[j] != ',') {
			j++;
		}
		if (j > i) {
			uint32_t m = states_of(w + i, j - i);
			f->by_state = true;
			f->states |= m;
			if (!m && ok) {
				snprintf(f->bad, sizeof f->bad, "%.*s", (int)(j - i), w + i);
				ok = false;
			}
		}
		i = j + 1;
	}
	return ok;
}

bool ui_filter_parse(const char *s, struct ui_filter *f)
{
	memset(f, 0, sizeof *f);
	bool ok = true;
	size_t tl = 0;
	while (s && *s) {
		while (*s == ' ') {
			s++;
		}
		size_t len = strcspn(s, " ");
		if (len == 0) {
			break;
		}
		if (len >= strlen(STATE_WORD) && iprefix(STATE_WORD, strlen(STATE_WORD), s)) {
			ok = state_word(s, len, f) && ok;
		} else if (tl + len + (tl > 0) < sizeof f->text) {
			if (tl > 0) {
				f->text[tl++] = ' ';
			}
			memcpy(f->text + tl, s, len);
			tl += len;
			f->text[tl] = '\0';
		}
		s += len;
	}
	return ok;
}

bool ui_filter_pass(const struct ui_filter *f, enum ui_dstate d, const char *label, const char *id)
{
	if (f->by_state && !(f->states & (UINT32_C(1) << d))) {
		return false;
	}
	return ui_filter_match(f->text, label, id);
}

void ui_filter_state_names(char *buf, size_t cap)
{
	size_t n = 0;
	if (cap) {
		buf[0] = '\0';
	}
	for (int i = 0; i < UI_DS_COUNT && n < cap; i++) {
		int k = snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
		                 ui_dstate_word((enum ui_dstate)i));
		if (k < 0) {
			break;
		}
		n += (size_t)k;
	}
}
