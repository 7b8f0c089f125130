/*
 * test_user: the user channel's credentials and model.  Proves that a credentials file is
 * parsed (comments, blank lines, values with '=' in them) and refused when group or
 * others can read it, with a message that never holds a value; that the environment
 * needs all three names; that the auth frame carries them and the markets (omitted when
 * none); and that order and trade events build the model with every field optional,
 * empty numbers keeping the known value, timestamps in seconds or milliseconds, the
 * statuses with their times, a FAILED alert, a stuck alert only after --trade-stuck-after,
 * the open orders per price, and the snapshot and metrics sections.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts.h"
#include "export_user.h"
#include "market.h"
#include "user.h"
#include "usercreds.h"

static char path[64];

static void write_creds(const char *text, mode_t mode)
{
	snprintf(path, sizeof path, "/tmp/test_user_creds.%d", (int)getpid());
	unlink(path);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(creds_file_parses_comments_blank_lines_and_equals_in_values)
{
	struct usercreds c = {0};
	char err[256] = "";
	write_creds("# mine\n\nCLOB_API_KEY=k-1\n  CLOB_SECRET=s=cr=t\r\nCLOB_PASS_PHRASE=p p\n",
	            0600);
	ck_assert_msg(usercreds_load_file(&c, path, true, err, sizeof err) == 0, "refused: %s",
	              err);
	ck_assert_str_eq(c.key, "k-1");
	ck_assert_str_eq(c.secret, "s=cr=t");
	ck_assert_str_eq(c.passphrase, "p p");
	usercreds_wipe(&c);
	ck_assert_int_eq(c.secret[0], 0);
	unlink(path);
}
END_TEST

START_TEST(creds_file_readable_by_group_is_refused_with_a_clear_message)
{
	struct usercreds c = {0};
	char err[256] = "";
	write_creds("CLOB_API_KEY=k\nCLOB_SECRET=S3CRET-x\nCLOB_PASS_PHRASE=p\n", 0640);
	ck_assert_int_eq(usercreds_load_file(&c, path, true, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "refused") && strstr(err, "chmod 600"), "message: %s", err);
	ck_assert_msg(!strstr(err, "S3CRET"), "the message shows the secret: %s", err);
	ck_assert_int_eq(c.secret[0], 0);
	/* clobsim's own check may skip the mode */
	ck_assert_int_eq(usercreds_load_file(&c, path, false, err, sizeof err), 0);
	usercreds_wipe(&c);
	unlink(path);
}
END_TEST

START_TEST(creds_file_bad_line_or_missing_name_never_shows_a_value)
{
	struct usercreds c = {0};
	char err[256] = "";
	write_creds("CLOB_API_KEY=k\nCLOB_SECRT=S3CRET-typo\n", 0600);
	ck_assert_int_eq(usercreds_load_file(&c, path, true, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "line 2") && !strstr(err, "S3CRET"), "message: %s", err);
	write_creds("CLOB_API_KEY=k\nCLOB_SECRET=s\n", 0600);
	ck_assert_int_eq(usercreds_load_file(&c, path, true, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "CLOB_PASS_PHRASE") != NULL, "message: %s", err);
	unlink(path);
}
END_TEST

START_TEST(creds_from_environment_need_all_three)
{
	struct usercreds c = {0};
	char err[256] = "";
	setenv("CLOB_API_KEY", "k", 1);
	setenv("CLOB_SECRET", "s", 1);
	unsetenv("CLOB_PASS_PHRASE");
	ck_assert_int_eq(usercreds_load_env(&c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "CLOB_PASS_PHRASE") != NULL, "message: %s", err);
	setenv("CLOB_PASS_PHRASE", "p", 1);
	ck_assert_int_eq(usercreds_load_env(&c, err, sizeof err), 0);
	ck_assert(usercreds_complete(&c));
	usercreds_wipe(&c);
}
END_TEST

START_TEST(auth_frame_has_credentials_markets_and_type)
{
	struct usercreds c = {0};
	snprintf(c.key, sizeof c.key, "k\"1");
	snprintf(c.secret, sizeof c.secret, "s");
	snprintf(c.passphrase, sizeof c.passphrase, "p");
	const char *mk[] = {"0xaa", "0xbb"};
	char buf[512];
	size_t n = usercreds_auth_frame(&c, buf, sizeof buf, mk, 2);
	ck_assert_uint_gt(n, 0);
	json_t *j = json_loadb(buf, n, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "auth"), "apiKey")),
	                 "k\"1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "user");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "markets")), 2);
	json_decref(j);
	n = usercreds_auth_frame(&c, buf, sizeof buf, NULL, 0);
	ck_assert_msg(n && !strstr(buf, "markets"), "markets not omitted: %s", buf);
	ck_assert_uint_eq(usercreds_auth_frame(&c, buf, 20, mk, 2), 0);
}
END_TEST

/* ---- the model ---- */

static struct market_state m;
static struct user_model um;

static void setup(void)
{
	struct market_config cfg = {0};
	ck_assert_int_eq(market_init(&m, &cfg), 0);
	user_init(&um, 5 * NS_PER_S);
	m.user = &um;
}

static void teardown(void)
{
	m.user = NULL;
	market_free(&m);
}

static int apply(const char *frame, int64_t now)
{
	return user_apply_frame(&um, &m, frame, strlen(frame), now);
}

static size_t alerts_of(enum alert_kind k)
{
	size_t n = 0;
	for (size_t i = 0; market_alert_at(&m, i); i++)
		n += market_alert_at(&m, i)->kind == k;
	return n;
}

START_TEST(order_events_merge_and_empty_numbers_keep_known_values)
{
	ck_assert_int_eq(
	    apply("{\"event_type\":\"order\",\"type\":\"PLACEMENT\",\"id\":\"0xo1\","
	          "\"asset_id\":\"123\",\"market\":\"0xm\",\"side\":\"BUY\","
	          "\"price\":\"0.42\",\"original_size\":\"10\",\"size_matched\":\"\","
	          "\"outcome\":\"Yes\",\"status\":\"LIVE\",\"timestamp\":\"1700000000\"}",
	          1),
	    1);
	ck_assert_uint_eq(um.norders, 1);
	struct user_order *o = &um.orders[0];
	ck_assert_int_eq(o->price, 420000);
	ck_assert_int_eq(o->original_size, 10000000);
	ck_assert_int_eq(o->size_matched, 0); /* "" on a placement: nothing matched yet */
	ck_assert_int_eq(o->ts_ms, INT64_C(1700000000000)); /* seconds understood */
	ck_assert(o->open);
	ck_assert_int_eq(user_open_size_at(&um, "123", SIDE_BID, 420000), 10000000);
	/* an update with only some fields, numbers as "", a timestamp in ms */
	apply("[{\"event_type\":\"order\",\"type\":\"UPDATE\",\"id\":\"0xo1\",\"price\":\"\","
	      "\"size_matched\":\"4\",\"timestamp\":1700000000123}]",
	      2);
	ck_assert_uint_eq(um.norders, 1);
	ck_assert_int_eq(o->price, 420000);
	ck_assert_int_eq(o->size_matched, 4000000);
	ck_assert_int_eq(o->ts_ms, INT64_C(1700000000123));
	ck_assert_int_eq(user_open_size_at(&um, "123", SIDE_BID, 420000), 6000000);
	apply("{\"event_type\":\"order\",\"type\":\"CANCELLATION\",\"id\":\"0xo1\"}", 3);
	ck_assert(!o->open);
	ck_assert_uint_eq(user_open_orders(&um), 0);
	ck_assert_int_eq(user_open_size_at(&um, "123", SIDE_BID, 420000), 0);
}
END_TEST

START_TEST(events_without_fields_or_id_are_tolerated)
{
	ck_assert_int_eq(apply("{\"event_type\":\"order\",\"id\":\"0xo2\"}", 1), 1);
	ck_assert_int_eq(um.orders[0].side, -1);
	ck_assert_int_eq(um.orders[0].price, -1);
	ck_assert_int_eq(apply("{\"event_type\":\"trade\"}", 1), 0);
	ck_assert_int_eq(apply("not json", 1), 0);
	ck_assert_int_eq(apply("{\"event_type\":\"trade\",\"id\":\"t\",\"price\":7,"
	                       "\"size\":\"x\",\"status\":\"\"}",
	                       1),
	                 1);
	ck_assert_int_eq(um.trades[0].price, -1); /* 7 is not a price */
	ck_assert_int_eq(um.trades[0].size, -1);
	ck_assert_int_eq(um.trades[0].nhist, 0);
	ck_assert_uint_eq(um.malformed, 2);
	ck_assert_int_eq(apply("PONG", 1), 0);
}
END_TEST

static void trade_frame(char *f, size_t cap, const char *status)
{
	snprintf(f, cap,
	         "{\"event_type\":\"trade\",\"type\":\"TRADE\",\"id\":\"t1\",\"asset_id\":\"9\","
	         "\"side\":\"SELL\",\"price\":\"0.5\",\"size\":\"3\",\"match_time\":"
	         "\"1700000001\",\"status\":\"%s\"}",
	         status);
}

START_TEST(trade_statuses_have_times_and_failed_raises_an_alert)
{
	char f[512];
	trade_frame(f, sizeof f, "MATCHED");
	apply(f, 1 * NS_PER_S);
	apply(f, 2 * NS_PER_S); /* a repeat is not a new status */
	trade_frame(f, sizeof f, "RETRYING");
	apply(f, 3 * NS_PER_S);
	trade_frame(f, sizeof f, "FAILED");
	apply(f, 7 * NS_PER_S);
	struct user_trade *tr = &um.trades[0];
	ck_assert_int_eq(tr->nhist, 3);
	ck_assert_int_eq(tr->hist[1].since_mono_ns - tr->hist[0].since_mono_ns, 2 * NS_PER_S);
	ck_assert_int_eq(tr->st, UT_FAILED);
	ck_assert_int_eq(tr->match_ms, INT64_C(1700000001000));
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_FAILED), 1);
	apply(f, 8 * NS_PER_S);
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_FAILED), 1);
	/* matchtime (no underscore) in ms, and a free-text status */
	apply("{\"event_type\":\"trade\",\"id\":\"t2\",\"matchtime\":\"1700000002000\","
	      "\"status\":\"DELAYED \\u001b[31m review\"}",
	      1);
	ck_assert_int_eq(um.trades[1].match_ms, INT64_C(1700000002000));
	ck_assert_int_eq(um.trades[1].st, UT_OTHER);
	ck_assert_msg(!strchr(um.trades[1].hist[0].status, 0x1b), "escape kept");
}
END_TEST

START_TEST(stuck_alert_fires_only_after_the_threshold_in_matched_or_mined)
{
	apply("{\"event_type\":\"trade\",\"id\":\"s1\",\"status\":\"MATCHED\"}", NS_PER_S);
	apply("{\"event_type\":\"trade\",\"id\":\"s2\",\"status\":\"CONFIRMED\"}", NS_PER_S);
	user_tick(&um, &m, 5 * NS_PER_S);
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_STUCK), 0);
	user_tick(&um, &m, 6 * NS_PER_S);
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_STUCK), 1);
	user_tick(&um, &m, 20 * NS_PER_S); /* once per status */
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_STUCK), 1);
	apply("{\"event_type\":\"trade\",\"id\":\"s1\",\"status\":\"MINED\"}", 21 * NS_PER_S);
	user_tick(&um, &m, 25 * NS_PER_S);
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_STUCK), 1);
	user_tick(&um, &m, 27 * NS_PER_S);
	ck_assert_uint_eq(alerts_of(ALERT_TRADE_STUCK), 2);
}
END_TEST

START_TEST(snapshot_and_metrics_sections_hold_orders_trades_and_counts)
{
	apply("{\"event_type\":\"order\",\"id\":\"0xo\",\"price\":\"0.3\",\"original_size\":\"5\","
	      "\"status\":\"LIVE\"}",
	      1);
	apply("{\"event_type\":\"trade\",\"id\":\"t\",\"status\":\"MINED\"}", 1);
	json_t *root = json_object();
	export_user_json(&m, root);
	json_t *u = json_object_get(root, "user");
	ck_assert_uint_eq(json_array_size(json_object_get(u, "open_orders")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(u, "open_orders"), 0), "price")),
	                 "0.3");
	ck_assert_uint_eq(json_array_size(json_object_get(u, "trades")), 1);
	json_decref(root);
	char buf[2048];
	ck_assert_uint_gt(export_user_metrics(&m, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "clobtop_user_orders_open 1\n") &&
	                  strstr(buf, "clobtop_user_trades{status=\"MINED\"} 1\n"),
	              "metrics: %s", buf);
	ck_assert_uint_eq(export_user_metrics(&m, buf, 64), 0);
}
END_TEST

START_TEST(timestamps_below_1e11_are_seconds)
{
	ck_assert_int_eq(user_ts_to_ms(1700000000), INT64_C(1700000000000));
	ck_assert_int_eq(user_ts_to_ms(INT64_C(1700000000000)), INT64_C(1700000000000));
	ck_assert_int_eq(user_ts_to_ms(0), 0);
}
END_TEST

static Suite *user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("creds");
	tcase_add_test(tc, creds_file_parses_comments_blank_lines_and_equals_in_values);
	tcase_add_test(tc, creds_file_readable_by_group_is_refused_with_a_clear_message);
	tcase_add_test(tc, creds_file_bad_line_or_missing_name_never_shows_a_value);
	tcase_add_test(tc, creds_from_environment_need_all_three);
	tcase_add_test(tc, auth_frame_has_credentials_markets_and_type);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, order_events_merge_and_empty_numbers_keep_known_values);
	tcase_add_test(tc, events_without_fields_or_id_are_tolerated);
	tcase_add_test(tc, trade_statuses_have_times_and_failed_raises_an_alert);
	tcase_add_test(tc, stuck_alert_fires_only_after_the_threshold_in_matched_or_mined);
	tcase_add_test(tc, snapshot_and_metrics_sections_hold_orders_trades_and_counts);
	tcase_add_test(tc, timestamps_below_1e11_are_seconds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(user_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
