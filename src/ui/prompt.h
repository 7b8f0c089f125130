/*
 * prompt: a one-line editor for the `a` (add) and `/` (filter) prompts.
 *
 * Pure: keys in (characters and ncurses KEY_* codes), text and cursor out; the caller
 * draws.  Accepts printable ASCII only (token ids, slugs and filters need nothing else),
 * so nothing typed can put a control byte on the screen.  Never overflows its buffer.
 * Runs on the UI thread only and never touches the network.
 */
#ifndef CLOBTOP_UI_PROMPT_H
#define CLOBTOP_UI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#define UI_PROMPT_MAX 2048 /* bytes of text, NUL excluded */

struct ui_prompt {
	char text[UI_PROMPT_MAX + 1]; /* NUL-terminated */
	size_t len;                   /* bytes */
	size_t cur;                   /* cursor, 0..len */
};

enum ui_prompt_result {
	UI_PROMPT_EDITING = 0, /* keep going */
	UI_PROMPT_DONE,        /* Enter */
	UI_PROMPT_CANCEL,      /* Esc */
};

void ui_prompt_reset(struct ui_prompt *p);
/* ch is a character (is_key false) or a KEY_* code (is_key true). */
enum ui_prompt_result ui_prompt_key(struct ui_prompt *p, int ch, bool is_key);

/* Splits s into space-separated words: returns the next word's start and length, or
 * NULL at the end; *pos advances. */
const char *ui_next_word(const char *s, size_t *pos, size_t *len);
/* A Polymarket token id: 1..78 decimal digits. */
bool ui_is_token_id(const char *w, size_t len);

#endif
