/*
 * jarena: a per-thread arena behind jansson's allocator, so that parsing a frame costs no
 * malloc in steady state.
 *
 * jarena_install() calls json_set_alloc_funcs() ONCE FOR THE WHOLE PROCESS: from then on
 * every jansson allocation on every thread (the parser, the Gamma worker, the exporter)
 * goes through these hooks.  Outside a frame (jarena_begin .. jarena_pause) the hooks are
 * plain malloc/free, so other jansson users are unaffected; a pointer freed by them that
 * the arena owns is ignored.  Inside a frame, allocations come from this thread's arena,
 * which is reset by the next jarena_begin(): nothing allocated there may outlive the frame.
 *
 * Under AddressSanitizer the arena is poisoned outside the current frame's allocations,
 * so a pointer kept too long is reported instead of silently reading the next frame.
 *
 * Any thread may call these; each thread has its own arena.
 */
#ifndef CLOBTOP_JARENA_H
#define CLOBTOP_JARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Idempotent and thread-safe. */
void jarena_install(void);

/* Starts a frame on this thread; false when one is already running (re-entry from a
 * callback): that frame then uses malloc. */
bool jarena_begin(void);
/* Allocations go to malloc again, but the frame's arena memory stays readable. */
void jarena_pause(void);
/* Ends the frame: its arena memory is gone. */
void jarena_end(void);

/* Counts a malloc/realloc made for parsing outside jansson (scratch growth), so the stats
 * show every allocation the parse path made on this thread. */
void jarena_count_heap(void);

struct jarena_stats {
	uint64_t frames;       /* frames parsed on this thread with the arena */
	uint64_t arena_allocs; /* jansson allocations served from the arena */
	uint64_t heap_allocs;  /* malloc/realloc calls on the parse path on this thread */
	const void *base;      /* the arena (NULL before the first frame) */
	size_t cap;            /* arena size, bytes */
	size_t used;           /* bytes used by the last frame */
};
/* The calling thread's figures, for tests and benchmarks: in steady state heap_allocs
 * stops moving. */
void jarena_stats(struct jarena_stats *out);

#endif
