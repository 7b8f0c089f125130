/*
 * Tests for hooks: real /bin/sh children.  A hook that sleeps forever is killed (its
 * whole process group) at the timeout and reported; one that exits 1 is reported; the
 * alert arrives as JSON on stdin and in CLOBTOP_ALERT_* variables; a second alert of a
 * kind whose hook still runs is skipped; the rate limit holds.  Every wait has a deadline.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hooks.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/clobtop-hooks.XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct hooks *start(const char *cmd, int rate, int64_t timeout_ms)
{
	char err[200];
	struct hooks_config c = {cmd, rate, timeout_ms};
	struct hooks *h = hooks_start(&c, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	return h;
}

static struct hook_alert alert(uint32_t kind, const char *name)
{
	struct hook_alert a = {.t_real_ns = INT64_C(1790000000123456789), .kind = kind};
	snprintf(a.kind_name, sizeof(a.kind_name), "%s", name);
	snprintf(a.severity, sizeof(a.severity), "warning");
	snprintf(a.asset_id, sizeof(a.asset_id), "76670567");
	snprintf(a.label, sizeof(a.label), "Will it \"rain\"?");
	snprintf(a.message, sizeof(a.message), "no update for 30 s; it's quiet");
	return a;
}

/* The next result within secs seconds, or a failure. */
static struct hook_result next_result(struct hooks *h, int secs)
{
	struct hook_result r;
	int64_t deadline = clock_mono_ns() + secs * NS_PER_S;
	while (!hooks_result(h, &r)) {
		ck_assert_msg(clock_mono_ns() < deadline, "no hook result within %d s", secs);
		clock_sleep_ns(10 * NS_PER_MS);
	}
	return r;
}

START_TEST(a_hook_that_sleeps_forever_is_killed_at_the_timeout_and_reported)
{
	char cmd[200], path[100];
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(cmd, sizeof(cmd), "echo $$ > %s; sleep 1000; sleep 1000", path);
	struct hooks *h = start(cmd, 0, 300);
	struct hook_alert a = alert(0, "stale");
	int64_t t0 = clock_mono_ns();
	ck_assert(hooks_submit(h, &a));
	struct hook_result r = next_result(h, 20);
	ck_assert_int_eq(r.outcome, HOOK_TIMEOUT);
	ck_assert_str_eq(r.kind_name, "stale");
	ck_assert_msg(strstr(r.text, "timed out") != NULL, "%s", r.text);
	ck_assert_int_ge((clock_mono_ns() - t0) / NS_PER_MS, 300);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "the hook never ran");
	int pgid = 0;
	ck_assert_int_eq(fscanf(f, "%d", &pgid), 1);
	fclose(f);
	/* the group's other members are reparented and reaped by init: allow it a moment */
	int64_t deadline = clock_mono_ns() + 5 * NS_PER_S;
	while (kill(-pgid, 0) == 0 && clock_mono_ns() < deadline)
		clock_sleep_ns(20 * NS_PER_MS);
	ck_assert_msg(kill(-pgid, 0) == -1 && errno == ESRCH, "process group %d still alive", pgid);
	struct hooks_stats st;
	hooks_stats(h, &st);
	ck_assert_uint_eq(st.failed, 1);
	hooks_stop(h);
}
END_TEST

START_TEST(a_hook_that_exits_1_is_reported)
{
	struct hooks *h = start("exit 1", 0, 5000);
	struct hook_alert a = alert(3, "crossed");
	ck_assert(hooks_submit(h, &a));
	struct hook_result r = next_result(h, 20);
	ck_assert_int_eq(r.outcome, HOOK_EXIT);
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(r.kind, 3);
	ck_assert_msg(strstr(r.text, "exit status 1") != NULL, "%s", r.text);
	hooks_stop(h);
}
END_TEST

START_TEST(the_alert_arrives_as_json_on_stdin_and_in_the_environment)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "cat > %s/in.json; env | grep '^CLOBTOP_ALERT_' | sort > %s/env",
	         dir, dir);
	struct hooks *h = start(cmd, 0, 5000);
	struct hook_alert a = alert(1, "recovered");
	ck_assert(hooks_submit(h, &a));
	struct hook_result r = next_result(h, 20);
	ck_assert_msg(r.outcome == HOOK_OK, "%s", r.text);
	hooks_stop(h);

	char path[100];
	snprintf(path, sizeof(path), "%s/in.json", dir);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	ck_assert_msg(j != NULL, "stdin was not JSON: %s", e.text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "recovered");
	ck_assert_str_eq(json_string_value(json_object_get(j, "severity")), "warning");
	ck_assert_str_eq(json_string_value(json_object_get(j, "asset_id")), "76670567");
	ck_assert_str_eq(json_string_value(json_object_get(j, "label")), "Will it \"rain\"?");
	ck_assert_str_eq(json_string_value(json_object_get(j, "time")), "2026-09-21T14:13:20.123Z");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "time_ms")), 1790000000123);
	json_decref(j);

	snprintf(path, sizeof(path), "%s/env", dir);
	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	char env[2048] = "";
	size_t n = fread(env, 1, sizeof(env) - 1, f);
	env[n] = '\0';
	fclose(f);
	const char *want[] = {"CLOBTOP_ALERT_ASSET_ID=76670567\n",
	                      "CLOBTOP_ALERT_KIND=recovered\n",
	                      "CLOBTOP_ALERT_LABEL=Will it \"rain\"?\n",
	                      "CLOBTOP_ALERT_MESSAGE=no update for 30 s; it's quiet\n",
	                      "CLOBTOP_ALERT_SEVERITY=warning\n",
	                      "CLOBTOP_ALERT_TIME=2026-09-21T14:13:20.123Z\n",
	                      "CLOBTOP_ALERT_TIME_MS=1790000000123\n"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(env, want[i]) != NULL, "missing %s in:\n%s", want[i], env);
}
END_TEST

START_TEST(one_hook_per_kind_at_a_time_and_the_rate_limit_holds)
{
	struct hooks *h = start("sleep 2", 3, 10000);
	struct hook_alert a = alert(2, "drift"), b = alert(4, "gap"), c = alert(5, "freeze");
	struct hook_alert d = alert(6, "server");
	ck_assert(hooks_submit(h, &a));
	ck_assert(hooks_submit(h, &a)); /* drift still running */
	ck_assert(hooks_submit(h, &b));
	ck_assert(hooks_submit(h, &c));
	ck_assert(hooks_submit(h, &d)); /* fourth start within a minute at 3/min */
	int busy = 0, rate = 0, ok = 0;
	for (int i = 0; i < 5; i++) {
		struct hook_result r = next_result(h, 30);
		busy += r.outcome == HOOK_BUSY;
		rate += r.outcome == HOOK_RATE;
		ok += r.outcome == HOOK_OK;
	}
	ck_assert_int_eq(busy, 1);
	ck_assert_int_eq(rate, 1);
	ck_assert_int_eq(ok, 3);
	struct hooks_stats st;
	hooks_stats(h, &st);
	ck_assert_uint_eq(st.started, 3);
	ck_assert_uint_eq(st.skipped, 2);
	hooks_stop(h);
}
END_TEST

START_TEST(stopping_kills_a_running_hook)
{
	struct hooks *h = start("sleep 1000", 0, 600000);
	struct hook_alert a = alert(0, "stale");
	ck_assert(hooks_submit(h, &a));
	clock_sleep_ns(300 * NS_PER_MS);
	int64_t t0 = clock_mono_ns();
	hooks_stop(h);
	ck_assert_int_lt((clock_mono_ns() - t0) / NS_PER_S, 5);
}
END_TEST

static Suite *hooks_suite(void)
{
	Suite *s = suite_create("hooks");
	TCase *tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_hook_that_sleeps_forever_is_killed_at_the_timeout_and_reported);
	tcase_add_test(tc, a_hook_that_exits_1_is_reported);
	tcase_add_test(tc, the_alert_arrives_as_json_on_stdin_and_in_the_environment);
	tcase_add_test(tc, one_hook_per_kind_at_a_time_and_the_rate_limit_holds);
	tcase_add_test(tc, stopping_kills_a_running_hook);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hooks_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
