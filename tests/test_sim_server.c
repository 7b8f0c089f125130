/*
 * test_sim_server: clobsim's start-up gives back everything it took when it fails.
 *
 * net_run sets up markets, a replay tape, TLS and a listening socket in that order; when
 * a later step fails, the earlier ones must be undone.  Each test runs net_run twice to
 * let OpenSSL and the C library make their one-time allocations, then once more, and
 * compares the heap bytes in use before and after (glibc mallinfo2): a leak of the
 * markets (hundreds of KiB), the tape or the TLS context shows as a difference.  The
 * test re-executes itself with glibc's tcache off, since chunks parked there count as
 * in use.  Under AddressSanitizer the counts are not glibc's; LeakSanitizer checks then.
 */
#include <arpa/inet.h>
#include <check.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/sim.h"

static char tape_path[64];
static int busy_fd = -1;

static void make_tape(void)
{
	int fd;
	static const char frames[] = "{\"event_type\":\"book\",\"asset_id\":\"1\"}\n"
	                             "{\"event_type\":\"price_change\",\"market\":\"0x1\"}\n";

	snprintf(tape_path, sizeof tape_path, "/tmp/test_sim_server.XXXXXX");
	fd = mkstemp(tape_path);
	ck_assert_msg(fd >= 0, "cannot create a temporary tape");
	ck_assert_int_eq(write(fd, frames, sizeof frames - 1), (ssize_t)(sizeof frames - 1));
	close(fd);
}

/* A port that a listening socket already holds, so clobsim cannot bind it. */
static int busy_port(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;

	busy_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(busy_fd, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(busy_fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(busy_fd, 1), 0);
	ck_assert_int_eq(getsockname(busy_fd, (struct sockaddr *)&a, &al), 0);
	return ntohs(a.sin_port);
}

static void teardown(void)
{
	if (tape_path[0])
		unlink(tape_path);
	tape_path[0] = '\0';
	if (busy_fd >= 0)
		close(busy_fd);
	busy_fd = -1;
}

static void base_cfg(struct sim_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->speed = 1;
	cfg->max_buffer = 64u << 20;
	cfg->max_msg = 1u << 20;
	cfg->max_assets = 2000;
	cfg->gen = (struct gen_cfg){.seed = 1,
	                            .markets = 12,
	                            .extra_markets = 4,
	                            .min_levels = 10,
	                            .max_levels = 40,
	                            .book_after_trade = true};
	make_tape();
	cfg->replay = tape_path;
}

/* Heap bytes still in use after a second failing net_run, relative to before it. */
static long leaked_by_failing_run(const struct sim_cfg *cfg)
{
	struct mallinfo2 before, after;

	/* OpenSSL finishes its one-time allocations only in the second run */
	ck_assert_int_eq(net_run(cfg), 1);
	ck_assert_int_eq(net_run(cfg), 1);
	before = mallinfo2();
	ck_assert_int_eq(net_run(cfg), 1);
	after = mallinfo2();
	return (long)(after.uordblks + after.hblkhd) - (long)(before.uordblks + before.hblkhd);
}

START_TEST(listen_failure_frees_markets_and_tape)
{
	struct sim_cfg cfg;

	base_cfg(&cfg);
	cfg.port = busy_port();
	long leak = leaked_by_failing_run(&cfg);
	ck_assert_msg(leak == 0, "expected no heap growth when the port is taken, got %ld bytes",
	              leak);
}
END_TEST

START_TEST(tls_failure_frees_markets_tape_and_context)
{
	struct sim_cfg cfg;

	base_cfg(&cfg);
	cfg.tls_cert = "/nonexistent/clobsim-test-cert.pem";
	cfg.tls_key = "/nonexistent/clobsim-test-key.pem";
	long leak = leaked_by_failing_run(&cfg);
	ck_assert_msg(leak == 0,
	              "expected no heap growth when the certificate is missing, got %ld bytes",
	              leak);
}
END_TEST

START_TEST(replay_failure_frees_markets)
{
	struct sim_cfg cfg;

	base_cfg(&cfg);
	cfg.replay = "/nonexistent/clobsim-test-tape.jsonl";
	long leak = leaked_by_failing_run(&cfg);
	ck_assert_msg(leak == 0, "expected no heap growth when the tape is missing, got %ld bytes",
	              leak);
}
END_TEST

static Suite *server_suite(void)
{
	Suite *s = suite_create("sim_server");
	TCase *t = tcase_create("startup");

	tcase_set_timeout(t, 30);
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, listen_failure_frees_markets_and_tape);
	tcase_add_test(t, tls_failure_frees_markets_tape_and_context);
	tcase_add_test(t, replay_failure_frees_markets);
	suite_add_tcase(s, t);
	return s;
}

/* Run again with glibc's tcache off, so that mallinfo2 counts freed chunks as free. */
static void without_tcache(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	char buf[1024];

	if (getenv("TEST_SIM_SERVER_REEXEC"))
		return;
	snprintf(buf, sizeof buf, "%s%sglibc.malloc.tcache_count=0", t ? t : "", t ? ":" : "");
	setenv("GLIBC_TUNABLES", buf, 1);
	setenv("TEST_SIM_SERVER_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	perror("test_sim_server: cannot re-execute itself");
	exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	(void)argc;
	without_tcache(argv);
	sr = srunner_create(server_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
