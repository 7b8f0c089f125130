/*
 * bookrec: a book as a compact binary record, so that the JSON of a book message
 * (bookmsg.h) is rendered on the thread that sends it rather than on the UI thread.
 *
 * bookrec_pack() copies what the message needs (exchange timestamp, receipt time, hash,
 * state, source, and the levels as fixed-point integer pairs) into a caller buffer;
 * bookrec_render() turns such a record back into exactly the bytes bookmsg_book() would
 * have written for the book, with a caller buffer of the same size (up to PUB_MSG_MAX,
 * see BOOKREC_SIDE_MAX).  The asset id travels beside the record, not in it.
 *
 * Never allocates, never locks.  pack: any one thread (the UI); render: any one thread
 * (the publisher), each with its own buffers.  Records are read with memcpy: they may sit
 * at any alignment (the ring does not promise one).
 */
#ifndef CLOBTOP_BOOKREC_H
#define CLOBTOP_BOOKREC_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "bookmsg.h"

/* Levels kept per side.  A side has at least 25 bytes of JSON per level, so a side this
 * long never fits in a PUB_MSG_MAX message: the levels beyond it are ones bookmsg_book()
 * would have cut (truncated) anyway, and the record renders to the same bytes. */
#define BOOKREC_SIDE_MAX (256 * 1024 / 24 + 1)
#define BOOKREC_STR_MAX  80 /* hash, state and source: longer ones are refused */
/* Largest record bookrec_pack() writes. */
#define BOOKREC_MAX (64 + 3 * BOOKREC_STR_MAX + 2 * BOOKREC_SIDE_MAX * sizeof(struct ev_level))

/* Packs book b and meta m (m->asset_id is not stored) into buf.  Returns the record's
 * length, or 0 when it does not fit in cap or a string is longer than BOOKREC_STR_MAX-1. */
size_t bookrec_pack(void *buf, size_t cap, const struct book *b, const struct bookmsg_meta *m);

/* Renders record rec (len bytes) for asset_id into buf as bookmsg_book() would, using lv
 * (room for lvcap levels, at least the record's) as scratch.  Returns 0, or -1 for a
 * malformed record, too little scratch, or cap < BOOKMSG_MIN_BUF. */
int bookrec_render(const void *rec, size_t len, const char *asset_id, struct ev_level *lv,
                   size_t lvcap, char *buf, size_t cap, struct bookmsg_out *out);

#endif
