/*
 * prompt: line editing for the input prompts (see prompt.h).  Never touches the screen.
 * Runs on the UI thread only and never touches the network.
 */
#include "prompt.h"

#include "clob.h"

#include <curses.h>
#include <string.h>

#define CTRL(c) ((c)&0x1f)

void ui_prompt_reset(struct ui_prompt *p)
{
	p->text[0] = '\0';
	p->len = 0;
	p->cur = 0;
}

static void delete_range(struct ui_prompt *p, size_t from, size_t to)
{
	memmove(p->text + from, p->text + to, p->len - to + 1);
	p->len -= to - from;
	p->cur = from;
}

static bool is_space(char c)
{
	return c == ' ';
}

/* Arrows, Home, End, Backspace, Delete and the keypad Enter. */
static enum ui_prompt_result special_key(struct ui_prompt *p, int key)
{
	switch (key) {
	case KEY_LEFT:
		if (p->cur > 0) {
			p->cur--;
		}
		break;
	case KEY_RIGHT:
		if (p->cur < p->len) {
			p->cur++;
		}
		break;
	case KEY_HOME:
		p->cur = 0;
		break;
	case KEY_END:
		p->cur = p->len;
		break;
	case KEY_BACKSPACE:
		if (p->cur > 0) {
			delete_range(p, p->cur - 1, p->cur);
		}
		break;
	case KEY_DC:
		if (p->cur < p->len) {
			delete_range(p, p->cur, p->cur + 1);
		}
		break;
	case KEY_ENTER:
		return UI_PROMPT_DONE;
	default:
		break;
	}
	return UI_PROMPT_EDITING;
}

static void delete_word_before(struct ui_prompt *p)
{
	size_t i = p->cur;
	while (i > 0 && is_space(p->text[i - 1])) {
		i--;
	}
	while (i > 0 && !is_space(p->text[i - 1])) {
		i--;
	}
	delete_range(p, i, p->cur);
}

/* Enter, Esc and the Emacs-style controls; every other control character is dropped. */
static enum ui_prompt_result control_key(struct ui_prompt *p, int ch)
{
	switch (ch) {
	case '\n':
	case '\r':
		return UI_PROMPT_DONE;
	case 27:
		return UI_PROMPT_CANCEL;
	case 127:
	case CTRL('h'):
		return special_key(p, KEY_BACKSPACE);
	case CTRL('a'):
		p->cur = 0;
		break;
	case CTRL('e'):
		p->cur = p->len;
		break;
	case CTRL('b'):
		return special_key(p, KEY_LEFT);
	case CTRL('f'):
		return special_key(p, KEY_RIGHT);
	case CTRL('d'):
		return special_key(p, KEY_DC);
	case CTRL('u'):
		delete_range(p, 0, p->cur);
		break;
	case CTRL('k'):
		p->text[p->cur] = '\0';
		p->len = p->cur;
		break;
	case CTRL('w'):
		delete_word_before(p);
		break;
	default:
		break;
	}
	return UI_PROMPT_EDITING;
}

enum ui_prompt_result ui_prompt_key(struct ui_prompt *p, int ch, bool is_key)
{
	if (is_key) {
		return special_key(p, ch);
	}
	if (ch == '\t') {
		ch = ' ';
	}
	if (ch == 127 || (ch >= 0 && ch < 0x20)) {
		return control_key(p, ch);
	}
	if (ch > 0x7e || ch < 0 || p->len >= UI_PROMPT_MAX) {
		return UI_PROMPT_EDITING;
	}
	memmove(p->text + p->cur + 1, p->text + p->cur, p->len - p->cur + 1);
	p->text[p->cur++] = (char)ch;
	p->len++;
	return UI_PROMPT_EDITING;
}

const char *ui_next_word(const char *s, size_t *pos, size_t *len)
{
	size_t i = *pos;
	while (s[i] == ' ' || s[i] == ',') {
		i++;
	}
	if (!s[i]) {
		*pos = i;
		return NULL;
	}
	size_t j = i;
	while (s[j] && s[j] != ' ' && s[j] != ',') {
		j++;
	}
	*pos = j;
	*len = j - i;
	return s + i;
}

bool ui_is_token_id(const char *w, size_t len)
{
	return token_id_valid(w, len);
}
