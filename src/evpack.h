/*
 * evpack: one frame's normalised events, packed into one ring record (REC_EVENTS).
 *
 * The receive threads parse where the frames arrive: evpack_frame() runs proto_parse()
 * (proto.h) on a frame and packs every event it yields (kinds, fixed-point numbers,
 * strings, level arrays) into one contiguous 8-byte aligned buffer, optionally followed
 * by the frame itself (for --record).  On the UI thread evpack_each() walks such a record
 * and rebuilds each struct event with its strings and level arrays pointing into the
 * record, so the model applies exactly the events proto emitted, in the same order, and
 * never sees JSON.
 *
 * Producer (any one thread per struct evpack): allocates only when a frame needs more
 * room than any frame before (the buffer only grows; a buffer grown past EVPACK_KEEP by one
 * huge frame is released at the next frame).  Consumer (any thread): allocates nothing,
 * and checks every length against the record, so a record it did not expect cannot make
 * it read outside the record.  Payloads must be 8-byte aligned (ring records are).
 */
#ifndef CLOBTOP_EVPACK_H
#define CLOBTOP_EVPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define EVPACK_KEEP ((size_t)256 * 1024) /* bytes of buffer kept between frames */

struct evpack;

/* NULL when memory ran out.  The first call installs jansson's allocator (proto.h). */
struct evpack *evpack_create(void);
void evpack_destroy(struct evpack *w);

/* Parses frame and packs its events, then the frame itself when keep_raw.  Returns the
 * payload (valid until the next call) and its length in *out_len, or NULL when memory
 * ran out (the frame is then lost, as if a full ring had dropped it). */
const void *evpack_frame(struct evpack *w, const char *frame, size_t len, bool keep_raw,
                         size_t *out_len);

/* What a REC_EVENTS payload says about its frame. */
struct evpack_info {
	size_t frame_len; /* bytes of the frame as received */
	size_t nevents;   /* events packed */
	const char *raw;  /* the frame, when it was kept (keep_raw); NULL otherwise */
	size_t raw_len;   /* its bytes */
};

/* False when payload is not a whole REC_EVENTS payload (too short, lengths that do not
 * add up). */
bool evpack_read_info(const void *payload, size_t len, struct evpack_info *info);

/* Calls sink once per packed event, in the order proto emitted them; pointers in the
 * event point into payload.  Returns the events given to sink (fewer than nevents only
 * when the payload is damaged: the walk stops at the first event that does not fit). */
size_t evpack_each(const void *payload, size_t len, proto_sink sink, void *ctx);

#endif
