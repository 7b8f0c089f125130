/*
 * rest: clobsim's HTTP answers (CLOB /book, Gamma /markets, /state snapshots).
 *
 * Off the hot path, so it builds JSON with jansson.  It reads the generator's truth and
 * never changes it; every number it prints is exact (num_format of micro-units).
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#ifndef CLOBSIM_REST_H
#define CLOBSIM_REST_H

#include <stdint.h>

#include "gen.h"
#include "sbuf.h"

#define REST_ID_LEN      96      /* bytes of one id in rest_books' list, NUL included */
#define REST_WRONG_DELTA 1000000 /* restwrong: micro-shares added to the best level */

/* CLOB REST book of one token (levels best last), stamped with the exchange time of the
 * frame that last changed it (since_ms when none has).  With *wrong (may be NULL) the
 * book is spoiled as restwrong says; *wrong is cleared when it could not be (an unknown
 * token, an empty book).  Returns the HTTP status (200, or 404 with an error body when
 * the token is unknown). */
int rest_book(const struct gen *g, const char *token_id, int64_t since_ms, bool *wrong,
              struct sbuf *body);

/* CLOB REST POST /books: the books of the known ids among ids[0..n), in request order,
 * as a JSON array (unknown ids are left out).  With *wrong_at >= 0 on entry, the first
 * book of wrong_asset ("" any) is spoiled; on return *wrong_at is its index in the
 * answer, or -1 when none was.  Returns the HTTP status (200). */
int rest_books(const struct gen *g, const char (*ids)[REST_ID_LEN], int n, int64_t since_ms,
               int *wrong_at, const char *wrong_asset, struct sbuf *body);

/* Gamma /markets: the visible markets holding any of the comma-separated token ids (all
 * markets when ids is NULL), closed ones only when include_closed.  Always 200. */
int rest_markets(const struct gen *g, const char *ids, bool include_closed, struct sbuf *body);

/* Gamma /markets/slug/SLUG: 200 with one object, or 404. */
int rest_market_slug(const struct gen *g, const char *slug, struct sbuf *body);

/* The clobtop snapshot (schema clobtop.snapshot/1) of every visible token. */
int rest_state(const struct gen *g, const char *url, int64_t now_ms, struct sbuf *body);

/* Decode %XX and '+' in place (a query value). */
void rest_urldecode(char *s);

/* Copy the value of query parameter `name` from target ("/path?a=1&b=2") into dst.
 * Returns true when present. */
bool rest_query(const char *target, const char *name, char *dst, size_t cap);

#endif
