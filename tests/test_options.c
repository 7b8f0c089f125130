/*
 * test_options: clobtop's command line.  Every option reaches its field, the defaults
 * are the ones the modules document, bad values are refused with a message naming the
 * option, options are checked against each other (timers, ring and message sizes,
 * standard input's owner) and against the file system (directories to write into,
 * files to read), and the assets file is parsed with its comments, BOM and errors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "options_check.h"
#include "ring.h"

static struct options o;
static char err[1024];
static char outbuf[16384];

/* Parses "clobtop" followed by the NULL-terminated arguments into o; --help/--version output
 * lands in outbuf. */
#define parse(...) options_check_parse(&o, outbuf, sizeof(outbuf), err, sizeof(err), __VA_ARGS__)

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_options.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	unsetenv("NO_COLOR");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_file(const char *name, const char *content)
{
	return options_check_file(tmpdir, name, content);
}

START_TEST(defaults_are_the_documented_ones)
{
	ck_run("--headless");
	struct feed_config fd;
	feed_config_defaults(&fd);
	struct market_config md = {0};
	market_config_defaults(&md);
	ck_assert_str_eq(o.url, "wss://ws-subscriptions-clob.polymarket.com/ws/market");
	ck_assert_str_eq(o.gamma_url, "https://gamma-api.polymarket.com");
	ck_assert_int_eq(o.feed.batch, fd.batch);
	ck_assert_int_eq(o.feed.ping_ms, fd.ping_ms);
	ck_assert_int_eq(o.feed.dead_ms, fd.dead_ms);
	ck_assert_int_eq(o.feed.freeze_ms, fd.freeze_ms);
	ck_assert_int_eq(o.feed.backoff_min_ms, fd.backoff_min_ms);
	ck_assert_int_eq(o.feed.backoff_max_ms, fd.backoff_max_ms);
	ck_assert_int_eq(o.mcfg.stale_warn_ms, md.stale_warn_ms);
	ck_assert_int_eq(o.mcfg.stale_alert_ms, md.stale_alert_ms);
	ck_assert_int_eq(o.mcfg.drift_grace_ms, md.drift_grace_ms);
	ck_assert(o.mcfg.auto_resync);
	ck_assert_uint_eq(o.ring_size, 16u << 20);
	ck_assert_uint_eq(o.feed.max_message, 0); /* each connection's ring decides */
	ck_assert_int_eq(o.ui.refresh_ms, 1000);
	ck_assert_int_eq(o.ui.book_levels, 10);
	ck_assert_int_eq(o.ui.lat_warn_ms, 5);
	ck_assert_int_eq(o.ui.lat_crit_ms, 10);
	ck_assert(o.ui.mouse && !o.ui.no_color);
	ck_assert(o.speed == 0);
	ck_assert_str_eq(o.export_dir, ".");
	ck_assert_int_eq(o.depth, 0);
	ck_assert_int_eq(o.duration_ms, 0);
	ck_assert_int_eq(o.export_every_ms, 0);
	ck_assert(!o.demo && !o.replay && !o.record && !o.metrics_file && !o.export_path);
	ck_assert_uint_eq(o.assets.n, 0);
}
END_TEST

START_TEST(every_valued_option_reaches_its_field)
{
	const char *ca = tmp_file("ca.pem", "x\n");
	ck_run("--headless", "--url", "ws://127.0.0.1:9/ws", "--sim", "/bin/sim", "--gamma",
	       "http://g:1", "--ca-file", ca, "--batch", "7", "--ping-interval", "0.25",
	       "--dead-after", "2", "--freeze-after", "3.5", "--backoff-min", "0.2",
	       "--backoff-max", "9", "--max-message", "64k", "--ring-size", "1M", "--stale-warn",
	       "4", "--stale-alert", "6", "--drift-grace", "0.5", "--refresh", "250", "--levels",
	       "3", "--lat-warn", "7", "--lat-crit", "70", "--duration", "1.5", "--export",
	       "out.json", "--export-dir", tmpdir, "--export-every", "2", "--depth", "5",
	       "--metrics-file", "m.prom", "--record", "rec.jsonl", "--asset", "123=Yes");
	ck_assert_str_eq(o.url, "ws://127.0.0.1:9/ws");
	ck_assert_str_eq(o.sim_path, "/bin/sim");
	ck_assert_str_eq(o.gamma_url, "http://g:1");
	ck_assert_str_eq(o.ca_file, ca);
	ck_assert_int_eq(o.feed.batch, 7);
	ck_assert_int_eq(o.feed.ping_ms, 250);
	ck_assert_int_eq(o.feed.dead_ms, 2000);
	ck_assert_int_eq(o.feed.freeze_ms, 3500);
	ck_assert_int_eq(o.feed.backoff_min_ms, 200);
	ck_assert_int_eq(o.feed.backoff_max_ms, 9000);
	ck_assert_uint_eq(o.feed.max_message, 64 << 10);
	ck_assert_uint_eq(o.ring_size, 1 << 20);
	ck_assert_int_eq(o.mcfg.stale_warn_ms, 4000);
	ck_assert_int_eq(o.mcfg.stale_alert_ms, 6000);
	ck_assert_int_eq(o.mcfg.drift_grace_ms, 500);
	ck_assert_int_eq(o.ui.refresh_ms, 250);
	ck_assert_int_eq(o.ui.book_levels, 3);
	ck_assert_int_eq(o.ui.lat_warn_ms, 7);
	ck_assert_int_eq(o.ui.lat_crit_ms, 70);
	ck_assert_int_eq(o.duration_ms, 1500);
	ck_assert_str_eq(o.export_path, "out.json");
	ck_assert_str_eq(o.export_dir, tmpdir);
	ck_assert_int_eq(o.export_every_ms, 2000);
	ck_assert_int_eq(o.depth, 5);
	ck_assert_str_eq(o.metrics_file, "m.prom");
	ck_assert_str_eq(o.record, "rec.jsonl");
	ck_assert_uint_eq(o.assets.n, 1);
	ck_assert_str_eq(o.assets.ids[0], "123");
	ck_assert_str_eq(o.assets.labels[0], "Yes");
}
END_TEST

START_TEST(flags_and_replay_options_reach_their_fields)
{
	const char *rec = tmp_file("tape.jsonl", "[]\n");
	ck_run("--headless", "--summary", "--insecure", "--no-gamma", "--no-auto-resync",
	       "--no-color", "--no-mouse", "--replay", rec, "--speed", "2.5");
	ck_assert(o.headless && o.summary && o.insecure && o.no_gamma);
	ck_assert(!o.mcfg.auto_resync && o.ui.no_color && !o.ui.mouse);
	ck_assert_str_eq(o.replay, rec);
	ck_assert(o.speed == 2.5);
	ck_run("--headless", "--demo");
	ck_assert(o.demo);
	setenv("NO_COLOR", "1", 1);
	ck_run("--headless");
	ck_assert(o.ui.no_color);
}
END_TEST

START_TEST(bad_values_are_refused_naming_the_option)
{
	ck_refused("--batch", "--batch", "0");
	ck_refused("--batch", "--batch", "12x");
	ck_refused("--levels", "--levels", "-1");
	ck_refused("--refresh", "--refresh", "10");
	ck_refused("--speed", "--speed", "0");
	ck_refused("--speed", "--speed", "fast");
	ck_refused("--stale-warn", "--stale-warn", "ten");
	ck_refused("--depth", "--depth", "");
	ck_refused("--max-message", "--max-message", "-1");
	ck_refused("--max-message", "--max-message", "0");
	ck_refused("--max-message", "--max-message", "12Q");
	ck_refused("--max-message", "--max-message", "99999999999999999999G");
	ck_refused("--ring-size", "--ring-size", "1");
	ck_refused("--duration", "--duration", "0");
	ck_refused("--export-every", "--export-every", "0");
	ck_refused("bad asset id '12a4'", "--asset", "12a4");
	ck_refused("bad asset id", "--asset", "=label");
}
END_TEST

START_TEST(timers_below_their_minimum_are_refused)
{
	ck_refused("--ping-interval", "--headless", "--ping-interval", "0");
	ck_refused("--ping-interval", "--headless", "--ping-interval", "0.05");
	ck_refused("--dead-after", "--headless", "--dead-after", "0");
	ck_refused("--freeze-after", "--headless", "--freeze-after", "0");
	ck_refused("--backoff-min", "--headless", "--backoff-min", "0");
	ck_refused("longer than --ping-interval", "--headless", "--ping-interval", "5",
	           "--dead-after", "5");
	ck_refused("--freeze-after", "--headless", "--ping-interval", "5", "--freeze-after", "4");
	ck_refused("--backoff-max", "--headless", "--backoff-min", "5", "--backoff-max", "1");
	ck_refused("--stale-alert", "--headless", "--stale-warn", "5", "--stale-alert", "1");
	ck_refused("--lat-crit", "--headless", "--lat-warn", "5", "--lat-crit", "1");
	ck_run("--headless", "--ping-interval", "0.2", "--dead-after", "1", "--freeze-after", "1");
}
END_TEST

START_TEST(urls_must_be_websocket_with_a_valid_host_and_port)
{
	const char *good[] = {"ws://127.0.0.1:1/ws/market", "wss://example.com/ws",
	                      "ws://localhost:65535",       "WSS://Host-1.example.org:443/a?b=c",
	                      "ws://[::1]:8080/ws",         "ws://user@host:80/"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_run("--headless", "--url", good[i]);
	const char *bad[] = {"http://example.com/ws",
	                     "ws://",
	                     "ws://:80/x",
	                     "ws://h:0/",
	                     "ws://h:65536/",
	                     "ws://h:8a/",
	                     "ws://h:/",
	                     "wss//h",
	                     "ws://-h/",
	                     "ws://h_%/",
	                     "ws://[::1/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_refused("--url", "--headless", "--url", bad[i]);
	/* The URL does not matter for the other sources. */
	ck_run("--headless", "--demo", "--url", "http://nothing");
}
END_TEST

START_TEST(files_read_must_exist_and_not_be_directories)
{
	ck_refused("--ca-file", "--headless", "--ca-file", "/nonexistent/ca.pem");
	ck_refused("not a regular file", "--headless", "--ca-file", tmpdir);
	ck_refused("not a regular file", "--headless", "--replay", ".");
	ck_refused("--replay", "--headless", "--replay", "/nonexistent/tape");
	ck_refused("not a regular file", "--headless", "--assets-file", ".");
	ck_refused("cannot open assets file", "--headless", "--assets-file", "/nonexistent/a");
}
END_TEST

START_TEST(directories_written_into_are_checked_at_start)
{
	ck_refused("--metrics-file", "--headless", "--metrics-file", "/nonexistent/dir/m.prom");
	ck_refused("--export", "--headless", "--export", "/nonexistent/dir/s.json");
	ck_refused("a directory", "--headless", "--export", tmpdir);
	ck_refused("--export-dir", "--headless", "--export-every", "5", "--export-dir",
	           "/nonexistent/dir");
	ck_refused("--export-dir", "--headless", "--export-dir", "/nonexistent/dir");
	ck_run("--headless", "--metrics-file", "m.prom", "--export", "s.json");
}
END_TEST

START_TEST(max_message_must_fit_the_ring)
{
	ck_refused("--ring-size", "--headless", "--ring-size", "16k", "--max-message", "32k");
	ck_refused("--max-message", "--headless", "--max-message", "8M");
	ck_run("--headless", "--ring-size", "64k", "--max-message", "16k");
	ck_assert_uint_eq(o.feed.max_message, 16 << 10);
	ck_run("--headless", "--ring-size", "16k");
	ck_assert_uint_eq(o.feed.max_message, 0);
}
END_TEST

START_TEST(standard_input_has_one_owner)
{
	ck_refused("--headless", "--replay", "-");
	ck_run("--headless", "--replay", "-");
	ck_assert(options_stdin_is_replay(&o));
	ck_refused("two different sources", "--headless", "--demo", "--replay", "-");
}
END_TEST

START_TEST(unknown_options_and_stray_arguments_get_one_line_and_a_hint)
{
	ck_refused("unknown option '--frobnicate'; try 'clobtop --help'", "--frobnicate");
	ck_refused("unknown option", "-x");
	ck_refused("missing argument to '--url'", "--url");
	ck_refused("unexpected argument 'extra'", "--headless", "extra");
	ck_refused("unknown option '--bogus'", "--bogus\x1b]0;title\a");
	ck_assert_msg(!strchr(err, '\x1b'), "escape byte reached the message: %s", err);
}
END_TEST

START_TEST(help_and_version_are_written_and_stop)
{
	ck_assert_int_eq(parse("--help", NULL), OPTIONS_DONE);
	ck_assert(strstr(outbuf, "Usage: clobtop"));
	ck_assert(strstr(outbuf, "  --ping-interval S"));
	ck_assert(strstr(outbuf, "(default 10)"));
	ck_assert(strstr(outbuf, "Exit status:"));
	ck_assert_int_eq(parse("-V", NULL), OPTIONS_DONE);
	ck_assert(strncmp(outbuf, "clobtop ", 8) == 0);
}
END_TEST

START_TEST(assets_file_comments_bom_and_labels)
{
	const char *f = tmp_file("assets.txt", "\xef\xbb\xbf"
	                                       "111 Yes # the favourite\n"
	                                       "# a comment line\n"
	                                       "\n"
	                                       "  222   Will it rain?  \n"
	                                       "333#no label\n"
	                                       "444\n");
	ck_run("--headless", "--assets-file", f);
	ck_assert_uint_eq(o.assets.n, 4);
	ck_assert_str_eq(o.assets.ids[0], "111");
	ck_assert_str_eq(o.assets.labels[0], "Yes");
	ck_assert_str_eq(o.assets.ids[1], "222");
	ck_assert_str_eq(o.assets.labels[1], "Will it rain?");
	ck_assert_str_eq(o.assets.ids[2], "333");
	ck_assert_ptr_null(o.assets.labels[2]);
	ck_assert_str_eq(o.assets.ids[3], "444");
	ck_assert_ptr_null(o.assets.labels[3]);
}
END_TEST

START_TEST(assets_file_errors_name_file_and_line_and_are_sanitised)
{
	const char *f = tmp_file("bad.txt", "111 ok\n\n12x4 bad\n");
	char want[300];
	snprintf(want, sizeof(want), "%s:3: bad asset id '12x4'", f);
	ck_refused(want, "--headless", "--assets-file", f);
	f = tmp_file("esc.txt", "1\n\x1b[2J\x1b]0;pwned\a99 label\n");
	snprintf(want, sizeof(want), "%s:2:", f);
	ck_refused(want, "--headless", "--assets-file", f);
	ck_assert_msg(!strchr(err, '\x1b') && !strchr(err, '\a'),
	              "raw escape bytes reached the message: %s", err);
	f = tmp_file("long.txt",
	             "1234567890123456789012345678901234567890123456789012345678901234567890"
	             "1234567890123\n");
	snprintf(want, sizeof(want), "%s:1:", f);
	ck_refused(want, "--headless", "--assets-file", f);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_are_the_documented_ones);
	tcase_add_test(tc, every_valued_option_reaches_its_field);
	tcase_add_test(tc, flags_and_replay_options_reach_their_fields);
	tcase_add_test(tc, bad_values_are_refused_naming_the_option);
	tcase_add_test(tc, timers_below_their_minimum_are_refused);
	tcase_add_test(tc, urls_must_be_websocket_with_a_valid_host_and_port);
	tcase_add_test(tc, files_read_must_exist_and_not_be_directories);
	tcase_add_test(tc, directories_written_into_are_checked_at_start);
	tcase_add_test(tc, max_message_must_fit_the_ring);
	tcase_add_test(tc, standard_input_has_one_owner);
	tcase_add_test(tc, unknown_options_and_stray_arguments_get_one_line_and_a_hint);
	tcase_add_test(tc, help_and_version_are_written_and_stop);
	tcase_add_test(tc, assets_file_comments_bom_and_labels);
	tcase_add_test(tc, assets_file_errors_name_file_and_line_and_are_sanitised);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
