/*
 * mem: the two memory helpers several modules share: an array that only grows, and the
 * FNV-1a hash used by the open-addressing id tables.
 *
 * Safe from any thread (no state of its own).
 */
#ifndef CLOBTOP_MEM_H
#define CLOBTOP_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes *arr hold at least need elements of elem bytes, doubling from first (or from
 * *cap).  Never shrinks, so a steady state never reaches realloc.  False (and *arr
 * untouched) when memory ran out or the size would overflow. */
bool mem_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t first);

/* 64-bit FNV-1a of len bytes. */
static inline uint64_t mem_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325); /* offset basis */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3); /* FNV prime */
	return h;
}

#endif
