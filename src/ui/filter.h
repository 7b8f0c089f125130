/*
 * filter: the assets filter as the '/' prompt takes it: words "state:NAME[,NAME...]"
 * pick display states (any prefix of a state's screen or snapshot name, or "no-feed"),
 * the rest of the text is a case-insensitive substring of the label or id.  Several
 * state words add up; "state:stale,drift btc" keeps stale or drifting rows naming btc.
 *
 * Pure: parsed once per table build, no curses, no model.  UI thread only; never
 * touches the network.
 */
#ifndef CLOBTOP_UI_FILTER_H
#define CLOBTOP_UI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"
#include "prompt.h"

_Static_assert(UI_DS_COUNT <= 32, "a state mask fits 32 bits");

struct ui_filter {
	uint32_t states;              /* bit (1 << ui_dstate) per state kept */
	bool by_state;                /* a state name was given: only those states pass */
	char text[UI_PROMPT_MAX + 1]; /* the text part, words joined by one space */
	char bad[32];                 /* the first state name that names no state, "" if none */
};

/* Parses s (NULL or "" = everything).  Returns false when a state name matches no state
 * (f->bad names it; such a word keeps no row). */
bool ui_filter_parse(const char *s, struct ui_filter *f);
/* The row passes: its state is one of the chosen (or none chosen), and the text is in
 * its label or id. */
bool ui_filter_pass(const struct ui_filter *f, enum ui_dstate d, const char *label, const char *id);
/* "fresh quiet await ... no-feed": the names a state word accepts, for error messages. */
void ui_filter_state_names(char *buf, size_t cap);
/* A state's name in the header and the state filter: "fresh", "stale", "no-feed". */
const char *ui_dstate_word(enum ui_dstate d);

#endif
