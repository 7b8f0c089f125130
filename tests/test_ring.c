/*
 * test_ring: the SPSC ring keeps records whole and in order, drops and flags when full,
 * wakes the consumer only on empty -> non-empty, and survives two threads hammering it.
 */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "ring.h"

static struct ring_rec rec_of(const void *data, uint32_t len, uint16_t kind)
{
	struct ring_rec r = {.len = len, .kind = kind, .data = data, .t_real_ns = 11, .t_mono_ns = 22};
	return r;
}

static bool fd_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1;
}

START_TEST(push_then_peek_returns_same_bytes_and_metadata)
{
	struct ring *r = ring_create(4096);
	ck_assert_ptr_nonnull(r);
	const char *msg = "{\"event_type\":\"book\"}";
	struct ring_rec in = rec_of(msg, (uint32_t)strlen(msg), REC_FRAME);
	in.t_real_ns = 123456789;
	in.t_mono_ns = 987654321;
	ck_assert(ring_push(r, &in));
	struct ring_rec out;
	ck_assert(ring_peek(r, &out));
	ck_assert_uint_eq(out.len, strlen(msg));
	ck_assert_uint_eq(out.kind, REC_FRAME);
	ck_assert_uint_eq(out.flags, 0);
	ck_assert_int_eq(out.t_real_ns, 123456789);
	ck_assert_int_eq(out.t_mono_ns, 987654321);
	ck_assert_mem_eq(out.data, msg, out.len);
	ring_release(r);
	ck_assert(!ring_peek(r, &out));
	ck_assert_uint_eq(ring_pushed(r), 1);
	ck_assert_uint_eq(ring_dropped(r), 0);
	ring_destroy(r);
}
END_TEST

START_TEST(empty_record_round_trips)
{
	struct ring *r = ring_create(4096);
	struct ring_rec in = rec_of(NULL, 0, REC_CONN), out;
	ck_assert(ring_push(r, &in));
	ck_assert(ring_peek(r, &out));
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(out.kind, REC_CONN);
	ring_release(r);
	ring_destroy(r);
}
END_TEST

START_TEST(full_ring_drops_counts_and_flags_next_record_as_gap)
{
	struct ring *r = ring_create(4096);
	char payload[500];
	memset(payload, 'x', sizeof(payload));
	int stored = 0;
	while (ring_push(r, &(struct ring_rec){.len = sizeof(payload), .kind = REC_FRAME,
						.data = payload}))
		stored++;
	ck_assert_int_gt(stored, 3);
	ck_assert_uint_eq(ring_dropped(r), 1);
	uint64_t dropped = ring_dropped(r);

	/* Drain one record: the next push fits and must carry the gap flag. */
	struct ring_rec out;
	ck_assert(ring_peek(r, &out));
	ck_assert_uint_eq(out.flags & RING_F_GAP, 0);
	ring_release(r);
	ck_assert(ring_push(r, &(struct ring_rec){.len = 4, .kind = REC_FRAME, .data = "last"}));
	ck_assert_uint_eq(ring_dropped(r), dropped);

	int n = 0;
	uint16_t last_flags = 0;
	while (ring_peek(r, &out)) {
		n++;
		last_flags = out.flags;
		if (n < stored)
			ck_assert_msg((out.flags & RING_F_GAP) == 0, "record %d flagged too early", n);
		ring_release(r);
	}
	ck_assert_int_eq(n, stored);
	ck_assert_msg(last_flags & RING_F_GAP, "the record after a drop must carry RING_F_GAP");

	/* The flag is one-shot. */
	ck_assert(ring_push(r, &(struct ring_rec){.len = 4, .kind = REC_FRAME, .data = "next"}));
	ck_assert(ring_peek(r, &out));
	ck_assert_uint_eq(out.flags & RING_F_GAP, 0);
	ring_release(r);
	ring_destroy(r);
}
END_TEST

START_TEST(record_larger_than_ring_is_dropped_not_stored)
{
	struct ring *r = ring_create(4096);
	size_t big = ring_max_record(r) + 1;
	char *p = calloc(1, big);
	ck_assert(!ring_push(r, &(struct ring_rec){.len = (uint32_t)big, .kind = REC_FRAME,
						   .data = p}));
	ck_assert_uint_eq(ring_dropped(r), 1);
	ck_assert(ring_push(r, &(struct ring_rec){.len = (uint32_t)ring_max_record(r),
						  .kind = REC_FRAME, .data = p}));
	struct ring_rec out;
	ck_assert(ring_peek(r, &out));
	ck_assert_uint_eq(out.len, ring_max_record(r));
	ck_assert(out.flags & RING_F_GAP);
	ring_release(r);
	free(p);
	ring_destroy(r);
}
END_TEST

START_TEST(records_stay_contiguous_across_the_wrap)
{
	struct ring *r = ring_create(4096);
	char buf[1500];
	for (unsigned i = 0; i < 2000; i++) {
		uint32_t len = (i * 37) % sizeof(buf);
		memset(buf, (int)(i & 0xff), len);
		ck_assert_msg(ring_push(r, &(struct ring_rec){.len = len, .kind = REC_FRAME,
							  .data = buf, .t_mono_ns = i}),
			      "push %u failed on a drained ring", i);
		struct ring_rec out;
		ck_assert(ring_peek(r, &out));
		ck_assert_uint_eq(out.len, len);
		ck_assert_int_eq(out.t_mono_ns, i);
		for (uint32_t k = 0; k < len; k++)
			ck_assert_uint_eq(((const unsigned char *)out.data)[k], i & 0xff);
		ring_release(r);
	}
	ck_assert_uint_eq(ring_dropped(r), 0);
	ring_destroy(r);
}
END_TEST

START_TEST(wake_fd_fires_only_on_empty_to_nonempty)
{
	struct ring *r = ring_create(4096);
	int fd = ring_wake_fd(r);
	ck_assert(!fd_readable(fd));
	ck_assert(ring_push(r, &(struct ring_rec){.len = 1, .kind = REC_FRAME, .data = "a"}));
	ck_assert_msg(fd_readable(fd), "first push into an empty ring must wake the consumer");
	ring_wake_drain(r);
	ck_assert(ring_push(r, &(struct ring_rec){.len = 1, .kind = REC_FRAME, .data = "b"}));
	ck_assert_msg(!fd_readable(fd), "a push into a non-empty ring must not wake again");
	struct ring_rec out;
	while (ring_peek(r, &out))
		ring_release(r);
	ck_assert(ring_push(r, &(struct ring_rec){.len = 1, .kind = REC_FRAME, .data = "c"}));
	ck_assert(fd_readable(fd));
	ring_destroy(r);
}
END_TEST

START_TEST(capacity_rounds_up_to_power_of_two)
{
	struct ring *r = ring_create(5000);
	ck_assert_uint_eq(ring_capacity(r), 8192);
	ring_destroy(r);
	r = ring_create(1);
	ck_assert_uint_eq(ring_capacity(r), 4096);
	ring_destroy(r);
}
END_TEST

/* Two threads: the producer pushes N numbered records of varying length; the consumer
 * checks every one arrives whole and in order, sleeping on the eventfd when empty. */
/* 2M by default; sanitizer builds ask for fewer through CLOBTOP_STRESS_N. */
static uint32_t stress_n(void)
{
	const char *e = getenv("CLOBTOP_STRESS_N");
	return e && atol(e) > 0 ? (uint32_t)atol(e) : 2000000u;
}

struct stress {
	struct ring *r;
	uint64_t dropped_seen; /* producer's count of failed pushes */
};

static void *producer(void *arg)
{
	struct stress *s = arg;
	unsigned char buf[300];
	const uint32_t n = stress_n();
	for (uint32_t i = 0; i < n;) {
		uint32_t len = 8 + (i * 7919u) % 250;
		memcpy(buf, &i, sizeof(i));
		for (uint32_t k = 4; k < len; k++)
			buf[k] = (unsigned char)(i + k);
		if (ring_push(s->r, &(struct ring_rec){.len = len, .kind = REC_FRAME, .data = buf,
						       .t_mono_ns = i}))
			i++;
		else
			s->dropped_seen++; /* full: retry the same record */
	}
	return NULL;
}

START_TEST(two_threads_millions_of_records_arrive_whole_and_in_order)
{
	struct stress s = {.r = ring_create(1 << 16)};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, producer, &s), 0);
	uint32_t expect = 0;
	struct pollfd p = {.fd = ring_wake_fd(s.r), .events = POLLIN};
	int idle_polls = 0;
	const uint32_t total = stress_n();
	while (expect < total) {
		struct ring_rec out;
		if (!ring_peek(s.r, &out)) {
			/* A lost wake-up would stall here: 1 s without progress fails. */
			int n = poll(&p, 1, 1000);
			ck_assert_msg(n == 1 || idle_polls++ < 3,
				      "consumer starved at record %u: lost wake-up?", expect);
			ring_wake_drain(s.r);
			continue;
		}
		idle_polls = 0;
		/* Plain comparisons: every ck_assert costs a syscall in fork mode. */
		uint32_t got;
		memcpy(&got, out.data, sizeof(got));
		bool ok = got == expect && out.len == 8 + (expect * 7919u) % 250 &&
			  out.t_mono_ns == expect;
		const unsigned char *d = out.data;
		for (uint32_t k = 4; ok && k < out.len; k++)
			ok = d[k] == (unsigned char)(expect + k);
		if (!ok)
			ck_abort_msg("record %u arrived damaged or out of order (got id %u, len %u)",
				     expect, got, out.len);
		/* Records following a retried push may carry the gap flag; that is the
		 * producer's drop, counted below. */
		ring_release(s.r);
		expect++;
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(ring_pushed(s.r), total);
	ck_assert_uint_eq(ring_dropped(s.r), s.dropped_seen);
	ring_destroy(s.r);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, push_then_peek_returns_same_bytes_and_metadata);
	tcase_add_test(tc, empty_record_round_trips);
	tcase_add_test(tc, full_ring_drops_counts_and_flags_next_record_as_gap);
	tcase_add_test(tc, record_larger_than_ring_is_dropped_not_stored);
	tcase_add_test(tc, records_stay_contiguous_across_the_wrap);
	tcase_add_test(tc, wake_fd_fires_only_on_empty_to_nonempty);
	tcase_add_test(tc, capacity_rounds_up_to_power_of_two);
	suite_add_tcase(s, tc);
	TCase *st = tcase_create("stress");
	tcase_set_timeout(st, 120);
	tcase_add_test(st, two_threads_millions_of_records_arrive_whole_and_in_order);
	suite_add_tcase(s, st);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
