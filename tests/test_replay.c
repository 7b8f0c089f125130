/*
 * test_replay: --record and --replay are inverse.  Proves that frames the recorder
 * writes (including tabs, quotes, backslashes, control bytes and UTF-8) come back out of
 * the replay thread through the ring byte for byte, with their recorded receipt times,
 * in order, followed by the end-of-replay connection event.  Every wait is a deadline on
 * the monotonic clock.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market.h"
#include "model_fixture.h"
#include "replay.h"
#include "ring.h"

#define WAIT_NS (10 * 1000000000LL) /* the replay thread's deadline, generous under load */

START_TEST(recorded_frames_replay_byte_for_byte_through_the_ring)
{
	char path[] = "/tmp/clobtop-rec.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	char err[256];
	struct recorder *rec = recorder_open(path, err, sizeof(err));
	ck_assert_ptr_nonnull(rec);
	const char *frames[] = {book_frame, "PONG", "tab\there \"quoted\" back\\slash \x01 é"};
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(recorder_write(rec, 1000 + i, frames[i], strlen(frames[i])), 0);
	ck_assert_int_eq(recorder_close(rec), 0);

	struct ring *r = ring_create(1 << 16);
	struct replay *rp = replay_start(path, 0, 0, r, err, sizeof(err));
	ck_assert_ptr_nonnull(rp);
	int got = 0;
	bool stopped = false;
	int64_t deadline = clock_mono_ns() + WAIT_NS;
	while (!stopped && clock_mono_ns() < deadline) {
		struct ring_rec rr;
		while (ring_peek(r, &rr)) {
			if (rr.kind == REC_FRAME) {
				ck_assert_int_lt(got, 3);
				ck_assert_uint_eq(rr.len, strlen(frames[got]));
				ck_assert_mem_eq(rr.data, frames[got], rr.len);
				ck_assert_int_eq(rr.t_real_ns, 1000 + got);
				got++;
			} else if (rr.kind == REC_CONN) {
				stopped = true;
			}
			ring_release(r);
		}
		usleep(1000);
	}
	ck_assert_int_eq(got, 3);
	ck_assert(stopped);
	ck_assert_uint_eq(replay_frames(rp), 3);
	replay_stop(rp);
	ring_destroy(r);
	unlink(path);
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("record");
	tcase_add_test(tc, recorded_frames_replay_byte_for_byte_through_the_ring);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(replay_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
