/*
 * sbuf: a growable byte buffer with a consumed-prefix offset, for clobsim's outgoing
 * bytes and generated JSON.
 *
 * The appenders are inline because they sit on the hot path (200k+ messages/s); they
 * only allocate when the buffer must grow, which stops once a buffer reaches its working
 * size.  It never shrinks on its own and never frees memory the caller still points at.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#ifndef CLOBSIM_SBUF_H
#define CLOBSIM_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *p;    /* bytes (heap) */
	size_t off; /* bytes already consumed at the front (sent) */
	size_t len; /* bytes used, including the consumed prefix */
	size_t cap; /* bytes allocated */
	bool oom;   /* an allocation failed: contents are incomplete */
};

static inline size_t sbuf_pending(const struct sbuf *b)
{
	return b->len - b->off;
}

/* Make room for n more bytes.  Returns false (and sets oom) when memory ran out. */
static inline bool sbuf_reserve(struct sbuf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return true;
	if (b->off && b->off == b->len) {
		b->off = b->len = 0;
		if (n <= b->cap)
			return true;
	}
	if (b->off > b->cap / 2) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + n <= b->cap)
			return true;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static inline void sbuf_add(struct sbuf *b, const void *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void sbuf_addc(struct sbuf *b, char c)
{
	if (!sbuf_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

static inline void sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

/* Append a literal: the length is known at compile time. */
#define SBUF_LIT(b, lit) sbuf_add((b), (lit), sizeof(lit) - 1)

static inline void sbuf_consume(struct sbuf *b, size_t n)
{
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

static inline void sbuf_reset(struct sbuf *b)
{
	b->off = b->len = 0;
	b->oom = false;
}

static inline void sbuf_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Decimal text of an unsigned integer. */
static inline void sbuf_addu(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sbuf_add(b, tmp + i, sizeof tmp - i);
}

#endif
