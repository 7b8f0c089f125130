/*
 * clob: the vocabulary every layer shares: a book side, one price level, and what a
 * token id is.  Nothing here knows JSON, the network or the screen.
 *
 * Safe from any thread; never allocates.
 */
#ifndef CLOBTOP_CLOB_H
#define CLOBTOP_CLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "num.h" /* micro-units and PRICE_NONE */

enum side {
	SIDE_BID = 0, /* BUY */
	SIDE_ASK = 1, /* SELL */
};

struct ev_level {
	int64_t price; /* micro-dollars */
	int64_t size;  /* micro-shares */
};

/* A token (asset) id is a decimal string of 1 to TOKEN_ID_MAX digits (78 today: a 256-bit
 * number).  TOKEN_ID_SIZE holds one with its NUL and room to spare. */
#define TOKEN_ID_MAX  78
#define TOKEN_ID_SIZE 80

/* The one check of a token id, used wherever one enters (options, the add prompt, stdin
 * commands, the parser, the asset table). */
bool token_id_valid(const char *s, size_t len);

#endif
