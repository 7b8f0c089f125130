/*
 * ring: single-producer single-consumer ring of variable-length records.
 *
 * Layout: a power-of-two byte array.  Each record is an 8-byte-aligned header followed by
 * its payload, stored contiguously; when a record would straddle the end of the array,
 * the producer writes a wrap marker and starts it at offset 0, so the consumer always
 * sees one contiguous payload and parses it in place.  head (producer) and tail
 * (consumer) are free-running 64-bit byte counters on separate cache lines.
 *
 * Must never: lock, allocate after ring_create(), or block the producer.
 */
#include "ring.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define CACHE_LINE 64
#define ALIGN      8u
#define WRAP_KIND  0xffffu /* header kind meaning "skip to offset 0" */

struct rec_hdr {
	uint32_t len;      /* payload bytes */
	uint16_t kind;     /* enum ring_kind, or WRAP_KIND */
	uint16_t flags;    /* RING_F_* */
	int64_t t_real_ns; /* CLOCK_REALTIME at receipt */
	int64_t t_mono_ns; /* CLOCK_MONOTONIC at receipt */
};

struct ring {
	alignas(CACHE_LINE) _Atomic uint64_t head; /* bytes ever written (producer) */
	uint64_t cached_tail;                      /* producer's last view of tail */
	bool gap_pending;                          /* producer: drop since last push */
	_Atomic uint64_t pushed;                   /* records stored */
	_Atomic uint64_t dropped;                  /* records dropped */

	alignas(CACHE_LINE) _Atomic uint64_t tail; /* bytes ever consumed (consumer) */
	uint64_t cached_head;                      /* consumer's last view of head */
	uint64_t peeked_end;                       /* tail after the peeked record */

	alignas(CACHE_LINE) unsigned char *buf; /* capacity bytes */
	size_t capacity;                        /* power of two */
	size_t mask;                            /* capacity - 1 */
	int wake_fd;                            /* eventfd, written on empty -> non-empty */
};

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* The power of two at or above capacity (at least 4 KiB), or 0 when there is none. */
static size_t round_capacity(size_t capacity)
{
	size_t cap = 4096;
	while (cap < capacity) {
		if (cap > SIZE_MAX / 2)
			return 0;
		cap <<= 1;
	}
	return cap;
}

size_t ring_max_record_for(size_t capacity)
{
	size_t cap = round_capacity(capacity);
	return cap ? cap / 2 - sizeof(struct rec_hdr) : 0;
}

void ring_prefault(struct ring *r)
{
	memset(r->buf, 0, r->capacity);
}

struct ring *ring_create(size_t capacity)
{
	size_t cap = round_capacity(capacity);
	if (!cap) {
		errno = EINVAL;
		return NULL;
	}
	struct ring *r = aligned_alloc(CACHE_LINE, sizeof(*r));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->buf = aligned_alloc(CACHE_LINE, cap);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->capacity = cap;
	r->mask = cap - 1;
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->wake_fd < 0) {
		int e = errno;
		free(r->buf);
		free(r);
		errno = e;
		return NULL;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->pushed, 0);
	atomic_init(&r->dropped, 0);
	return r;
}

void ring_destroy(struct ring *r)
{
	if (!r)
		return;
	close(r->wake_fd);
	free(r->buf);
	free(r);
}

size_t ring_max_record(const struct ring *r)
{
	/* A record may need a wrap marker in front of it: half the ring is always enough. */
	return ring_max_record_for(r->capacity);
}

static void drop(struct ring *r)
{
	r->gap_pending = true;
	atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
}

bool ring_push(struct ring *r, const struct ring_rec *rec)
{
	if (rec->len > ring_max_record(r)) {
		drop(r);
		return false;
	}
	const size_t need = sizeof(struct rec_hdr) + round_up(rec->len);
	const uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t off = head & r->mask;
	size_t pad = 0;
	if (r->capacity - off < need)
		pad = r->capacity - off; /* wrap: this record starts at offset 0 */

	if (head + pad + need - r->cached_tail > r->capacity) {
		r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head + pad + need - r->cached_tail > r->capacity) {
			drop(r);
			return false;
		}
	}

	if (pad) {
		/* With less than a header left, the consumer wraps without reading a marker. */
		if (pad >= sizeof(struct rec_hdr))
			((struct rec_hdr *)(r->buf + off))->kind = WRAP_KIND;
		off = 0;
	}
	struct rec_hdr *h = (struct rec_hdr *)(r->buf + off);
	h->len = rec->len;
	h->kind = rec->kind;
	h->flags = rec->flags | (r->gap_pending ? RING_F_GAP : 0);
	h->t_real_ns = rec->t_real_ns;
	h->t_mono_ns = rec->t_mono_ns;
	if (rec->len)
		memcpy(h + 1, rec->data, rec->len);
	r->gap_pending = false;

	const uint64_t new_head = head + pad + need;
	atomic_store_explicit(&r->head, new_head, memory_order_release);
	atomic_fetch_add_explicit(&r->pushed, 1, memory_order_relaxed);

	/* Wake the consumer only if it had consumed everything before this record.  The
	 * fence pairs with the consumer's in ring_release(): either we see its tail and
	 * wake it, or it sees our head and does not sleep.  The load is also an acquire:
	 * the space it frees may be overwritten only after the consumer is done with it. */
	atomic_thread_fence(memory_order_seq_cst);
	const uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	r->cached_tail = tail;
	if (tail == head) {
		uint64_t one = 1;
		ssize_t n = write(r->wake_fd, &one, sizeof(one));
		(void)n; /* EAGAIN means the counter is already non-zero: still awake */
	}
	return true;
}

bool ring_peek(struct ring *r, struct ring_rec *rec)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	for (;;) {
		if (tail == r->cached_head) {
			r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
			if (tail == r->cached_head)
				return false;
		}
		size_t off = tail & r->mask;
		const struct rec_hdr *h = (const struct rec_hdr *)(r->buf + off);
		/* Too little room left for a header means the producer wrapped here. */
		if (r->capacity - off < sizeof(*h) || h->kind == WRAP_KIND) {
			tail += r->capacity - off;
			atomic_store_explicit(&r->tail, tail, memory_order_release);
			continue;
		}
		rec->len = h->len;
		rec->kind = h->kind;
		rec->flags = h->flags;
		rec->t_real_ns = h->t_real_ns;
		rec->t_mono_ns = h->t_mono_ns;
		rec->data = h + 1;
		r->peeked_end = tail + sizeof(*h) + round_up(h->len);
		return true;
	}
}

void ring_release(struct ring *r)
{
	atomic_store_explicit(&r->tail, r->peeked_end, memory_order_release);
	/* Pairs with the fence in ring_push(); see there.  Acquire: the records this
	 * head covers are read on the strength of this load. */
	atomic_thread_fence(memory_order_seq_cst);
	r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
}

int ring_wake_fd(const struct ring *r)
{
	return r->wake_fd;
}

void ring_wake_drain(struct ring *r)
{
	uint64_t v;
	ssize_t n = read(r->wake_fd, &v, sizeof(v));
	(void)n; /* EAGAIN: nothing to drain */
}

uint64_t ring_dropped(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->dropped, memory_order_relaxed);
}

uint64_t ring_pushed(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->pushed, memory_order_relaxed);
}

size_t ring_capacity(const struct ring *r)
{
	return r->capacity;
}

size_t ring_used(const struct ring *r)
{
	uint64_t h = atomic_load_explicit(&((struct ring *)r)->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&((struct ring *)r)->tail, memory_order_relaxed);
	return h >= t ? (size_t)(h - t) : 0;
}
