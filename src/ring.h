/*
 * ring: single-producer single-consumer byte ring of variable-length records.
 *
 * Lock-free (C11 atomics, acquire/release), no allocation after ring_create().  Each
 * record is contiguous in memory, so the consumer parses it in place.  When a record does
 * not fit, ring_push() drops it, counts it, and flags the next record that does fit with
 * RING_F_GAP: the consumer must never silently miss that something was lost.
 *
 * The consumer can sleep on ring_wake_fd() (an eventfd), which the producer writes only
 * when the ring goes from empty to non-empty.  Exactly one thread may push and exactly
 * one thread may peek/release.
 */
#ifndef CLOBTOP_RING_H
#define CLOBTOP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring;

#define RING_F_GAP 0x0001u /* at least one record was dropped just before this one */

struct ring_rec {
	uint32_t len;      /* payload bytes */
	uint16_t kind;     /* what the payload is; the ring never looks (msg.h) */
	uint16_t flags;    /* RING_F_* */
	int64_t t_real_ns; /* CLOCK_REALTIME at receipt, ns since the epoch */
	int64_t t_mono_ns; /* CLOCK_MONOTONIC at receipt, ns */
	const void *data;  /* payload, valid until ring_release() */
};

/* capacity is rounded up to a power of two (minimum 4 KiB).  NULL on allocation failure
 * or when the eventfd cannot be created (errno is set). */
struct ring *ring_create(size_t capacity);
void ring_destroy(struct ring *r);
/* Before any producer or consumer uses it: touch every page of the buffer, so the ring is
 * resident from the start instead of growing the resident size slowly as a quiet
 * producer writes round it for the first time (which looks like a leak). */
void ring_prefault(struct ring *r);

/* Producer.  Returns true when the record was stored, false when it was dropped (full, or
 * larger than the ring can ever hold).  The flags of rec are ORed with RING_F_GAP when
 * an earlier record was dropped. */
bool ring_push(struct ring *r, const struct ring_rec *rec);

/* Consumer.  Fills *rec with the oldest record and returns true, or returns false when
 * the ring is empty.  The record stays in the ring until ring_release(). */
bool ring_peek(struct ring *r, struct ring_rec *rec);
void ring_release(struct ring *r);

/* eventfd readable when the ring became non-empty; the consumer reads it to rearm
 * (ring_wake_drain), then drains the ring with ring_peek/ring_release until empty. */
int ring_wake_fd(const struct ring *r);
void ring_wake_drain(struct ring *r);

/* Counters, readable from any thread. */
uint64_t ring_dropped(const struct ring *r);  /* records dropped since creation */
uint64_t ring_pushed(const struct ring *r);   /* records stored since creation */
size_t ring_capacity(const struct ring *r);   /* bytes */
size_t ring_used(const struct ring *r);       /* bytes in use now (approximate from outside) */
size_t ring_max_record(const struct ring *r); /* largest payload that can ever fit */
/* The same for a ring that ring_create(capacity) would make (checked before making it). */
size_t ring_max_record_for(size_t capacity);

#endif
