/*
 * test_replay_hostile: a recording is untrusted input too.  Proves that a line just under
 * the ring's limit is replayed instead of waiting for ever, that a longer line (even one of
 * 2 GB in a sparse file) is skipped without being held in memory, counted and reported
 * with its line number, that the frames around it still arrive, and that a directory, a
 * FIFO or a symbolic link is refused with a clear message.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "msg.h"
#include "replay.h"
#include "ring.h"

#define DEADLINE_S 60 /* generous: the suite must pass on a loaded machine */

struct drained {
	int frames;            /* REC_FRAME records */
	size_t longest;        /* bytes of the longest frame */
	int errors;            /* CONN_ERROR events */
	char first_error[240]; /* text of the first one */
	char stopped[240];     /* text of CONN_STOPPED, "" until it came */
};

/* Drains until CONN_STOPPED or the deadline. */
static void drain(struct ring *r, struct drained *d)
{
	memset(d, 0, sizeof(*d));
	int64_t deadline = clock_mono_ns() + DEADLINE_S * NS_PER_S;
	while (!d->stopped[0] && clock_mono_ns() < deadline) {
		struct ring_rec rec;
		if (!ring_peek(r, &rec)) {
			clock_sleep_ns(NS_PER_MS);
			continue;
		}
		if (rec.kind == REC_FRAME) {
			d->frames++;
			if (rec.len > d->longest)
				d->longest = rec.len;
		} else if (rec.kind == REC_CONN) {
			const struct conn_event *ce = rec.data;
			if (ce->kind == CONN_ERROR && d->errors++ == 0)
				snprintf(d->first_error, sizeof d->first_error, "%s", ce->text);
			if (ce->kind == CONN_STOPPED)
				snprintf(d->stopped, sizeof d->stopped, "%s", ce->text);
		}
		ring_release(r);
	}
	ck_assert_msg(d->stopped[0], "the replay did not finish within %d s", DEADLINE_S);
}

static void write_line(FILE *f, char fill, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(fill, f);
	fputc('\n', f);
}

START_TEST(a_line_just_under_the_ring_limit_is_replayed)
{
	char path[] = "/tmp/clobtop-replay.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct ring *r = ring_create(1 << 16);
	size_t max = ring_max_record(r);
	fputs("PONG\n", f);
	write_line(f, 'x', max - 3); /* once never passed the "twice its size free" check */
	write_line(f, 'y', max);
	fputs("PONG\n", f);
	fclose(f);
	char err[256];
	struct replay *rp = replay_start(path, 0, 0, r, err, sizeof err);
	ck_assert_msg(rp != NULL, "%s", err);
	struct drained d;
	drain(r, &d);
	ck_assert_int_eq(d.frames, 4);
	ck_assert_uint_eq(d.longest, max);
	ck_assert_uint_eq(replay_bad_lines(rp), 0);
	ck_assert_str_eq(d.stopped, "replay finished");
	replay_stop(rp);
	ring_destroy(r);
	unlink(path);
}
END_TEST

START_TEST(a_long_line_is_skipped_counted_and_reported_with_its_number)
{
	char path[] = "/tmp/clobtop-replay.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("PONG\n", f);
	write_line(f, 'z', 5000); /* line 2: over the 4096-byte limit given below */
	fputs("PONG\n", f);
	write_line(f, 'z', 4097); /* line 4: one byte over */
	write_line(f, 'w', 4096); /* line 5: exactly the limit */
	fclose(f);
	struct ring *r = ring_create(1 << 20);
	char err[256];
	struct replay *rp = replay_start(path, 0, 4096, r, err, sizeof err);
	ck_assert_msg(rp != NULL, "%s", err);
	struct drained d;
	drain(r, &d);
	ck_assert_int_eq(d.frames, 3);
	ck_assert_int_eq(d.errors, 2);
	ck_assert_msg(strstr(d.first_error, "line 2 skipped: 5000 bytes"), "got '%s'",
	              d.first_error);
	ck_assert_uint_eq(replay_bad_lines(rp), 2);
	ck_assert_uint_eq(replay_first_bad_line(rp), 2);
	ck_assert_msg(strstr(d.stopped, "2 of 5 lines skipped (first at line 2)"), "got '%s'",
	              d.stopped);
	replay_stop(rp);
	ring_destroy(r);
	unlink(path);
}
END_TEST

START_TEST(a_2gb_line_costs_no_memory)
{
	char path[] = "/tmp/clobtop-replay.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_eq(write(fd, "PONG\n", 5), 5);
	ck_assert_int_eq(ftruncate(fd, (off_t)2 << 30), 0); /* sparse: 2 GiB of NULs, no newline */
	close(fd);
	struct ring *r = ring_create(1 << 20);
	char err[256];
	struct replay *rp = replay_start(path, 0, 0, r, err, sizeof err);
	ck_assert_msg(rp != NULL, "%s", err);
	struct drained d;
	drain(r, &d);
	ck_assert_int_eq(d.frames, 1);
	ck_assert_uint_eq(replay_bad_lines(rp), 1);
	ck_assert_uint_eq(replay_first_bad_line(rp), 2);
	/* The line was never held whole: the process's peak RSS stays far below 2 GiB. */
	FILE *st = fopen("/proc/self/status", "r");
	char line[256];
	long hwm_kb = -1;
	while (st && fgets(line, sizeof line, st))
		if (sscanf(line, "VmHWM: %ld kB", &hwm_kb) == 1)
			break;
	if (st)
		fclose(st);
	ck_assert_msg(hwm_kb > 0 && hwm_kb < 256 * 1024, "peak RSS %ld kB", hwm_kb);
	replay_stop(rp);
	ring_destroy(r);
	unlink(path);
}
END_TEST

START_TEST(directories_fifos_and_links_are_refused)
{
	char dir[] = "/tmp/clobtop-replay-dir.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct ring *r = ring_create(1 << 16);
	char err[256] = "";
	ck_assert_ptr_null(replay_start(dir, 0, 0, r, err, sizeof err));
	ck_assert_msg(strstr(err, "not a regular file"), "got '%s'", err);

	char fifo[300], link[300], target[300];
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	snprintf(target, sizeof target, "%s/target", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	err[0] = '\0';
	int64_t t0 = clock_mono_ns();
	ck_assert_ptr_null(replay_start(fifo, 0, 0, r, err, sizeof err));
	ck_assert_msg(strstr(err, "not a regular file"), "got '%s'", err);
	/* Recording into a FIFO must not block waiting for a reader. */
	ck_assert_ptr_null(recorder_open(fifo, err, sizeof err));
	ck_assert_msg(strstr(err, "not a regular file") || strstr(err, "No such device"),
	              "got '%s'", err);
	ck_assert_int_lt(clock_mono_ns() - t0, 5 * NS_PER_S);

	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_ptr_null(recorder_open(link, err, sizeof err));
	ck_assert_msg(strstr(err, "symbolic link"), "got '%s'", err);
	ck_assert_int_eq(access(target, F_OK), -1); /* nothing created through the link */

	struct recorder *rec = recorder_open(target, err, sizeof err);
	ck_assert_msg(rec != NULL, "%s", err);
	ck_assert_int_eq(recorder_close(rec), 0);
	unlink(target);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	ring_destroy(r);
}
END_TEST

START_TEST(a_full_disk_is_reported)
{
	if (access("/dev/full", W_OK) != 0)
		return; /* nothing to prove without it */
	char err[256];
	ck_assert_ptr_null(recorder_open("/dev/full", err, sizeof err));
	ck_assert_msg(strstr(err, "not a regular file"), "got '%s'", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("replay_hostile");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 2 * DEADLINE_S);
	tcase_add_test(tc, a_line_just_under_the_ring_limit_is_replayed);
	tcase_add_test(tc, a_long_line_is_skipped_counted_and_reported_with_its_number);
	tcase_add_test(tc, a_2gb_line_costs_no_memory);
	tcase_add_test(tc, directories_fifos_and_links_are_refused);
	tcase_add_test(tc, a_full_disk_is_reported);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
