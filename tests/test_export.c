/*
 * test_export: what clobtop writes about its model keeps its contract.  Proves that a
 * snapshot (clobtop.snapshot/1) has its schema, canonical decimal prices, best-first
 * levels, null for an empty side and honours --depth; that a snapshot file is replaced
 * atomically, a missing directory or a full disk is reported and the previous file kept
 * with no temporary left behind; and that the metrics file is Prometheus text with its
 * labels escaped.
 */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "export.h"
#include "market.h"
#include "model_fixture.h"

/* ---- snapshot ---- */

/* The snapshot's text (*text, to free) and its JSON (to decref). */
static json_t *snapshot_parsed(struct market_state *m, char **text, const char *what)
{
	struct export_options o = {.depth = 0,
	                           .url = "ws://x",
	                           .now_mono_ns = clock_mono_ns(),
	                           .now_real_ns = clock_real_ns()};
	char *s = export_snapshot_string(m, &o);
	ck_assert_ptr_nonnull(s);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	ck_assert_msg(j != NULL, "%s: snapshot is not JSON: %s", what, e.text);
	*text = s;
	return j;
}

static json_t *snapshot_of(struct market_state *m)
{
	char *s;
	json_t *j = snapshot_parsed(m, &s, "snapshot");
	free(s);
	return j;
}

START_TEST(snapshot_has_schema_canonical_prices_and_best_first_levels)
{
	struct market_state *m = new_market(NULL);
	snprintf(m->mode, sizeof(m->mode), "replay");
	apply_frame(m, book_frame);
	json_t *j = snapshot_of(m);
	ck_assert_str_eq(json_string_value(json_object_get(j, "schema")), "clobtop.snapshot/1");
	const char *gen = json_string_value(json_object_get(j, "generated_at"));
	ck_assert_msg(gen && strlen(gen) == 24 && gen[10] == 'T' && gen[23] == 'Z',
	              "generated_at %s", gen);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "source"), "mode")),
	                 "replay");
	json_t *a = json_array_get(json_object_get(j, "assets"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(a, "asset_id")), "111");
	ck_assert_str_eq(json_string_value(json_object_get(a, "best_bid")), "0.45");
	ck_assert_str_eq(json_string_value(json_object_get(a, "best_ask")), "0.55");
	ck_assert_str_eq(json_string_value(json_object_get(a, "spread")), "0.1");
	ck_assert_str_eq(json_string_value(json_object_get(a, "mid")), "0.5");
	ck_assert_str_eq(json_string_value(json_object_get(a, "tick_size")), "0.01");
	ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "fresh");
	json_t *bids = json_object_get(a, "bids"), *asks = json_object_get(a, "asks");
	ck_assert_uint_eq(json_array_size(bids), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(bids, 0), "price")),
	                 "0.45");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(bids, 1), "price")),
	                 "0.4");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(asks, 0), "price")),
	                 "0.55");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(asks, 0), "size")), "3");
	json_t *c = json_object_get(j, "counters");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "frames")), 1);
	ck_assert(json_is_object(json_object_get(json_object_get(j, "latency"), "feed_ms")));
	ck_assert(json_is_array(json_object_get(j, "alerts")));
	json_decref(j);
	del_market(m);
}
END_TEST

START_TEST(snapshot_empty_side_is_null_and_depth_limits_levels)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, "{\"event_type\":\"book\",\"asset_id\":\"5\",\"market\":\"0x1\",\"bids\":[{"
	               "\"price\":\"0.1\",\"size\":\"1\"},{\"price\":\"0.2\",\"size\":\"1\"},{"
	               "\"price\":\"0.3\",\"size\":\"1\"}],\"asks\":[]}");
	struct export_options o = {
	    .depth = 2, .now_mono_ns = clock_mono_ns(), .now_real_ns = clock_real_ns()};
	char *s = export_snapshot_string(m, &o);
	json_t *j = json_loads(s, 0, NULL);
	json_t *a = json_array_get(json_object_get(j, "assets"), 0);
	ck_assert(json_is_null(json_object_get(a, "best_ask")));
	ck_assert(json_is_null(json_object_get(a, "spread")));
	ck_assert_uint_eq(json_array_size(json_object_get(a, "bids")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(a, "best_bid")), "0.3");
	json_decref(j);
	free(s);
	del_market(m);
}
END_TEST

/* The assets are dumped one at a time (10,000 books as one tree took 250 MB): the text
 * must still be exactly what one tree of the whole snapshot dumps to. */
static void expect_one_tree_text(struct market_state *m, size_t nassets, const char *what)
{
	char *s;
	json_t *j = snapshot_parsed(m, &s, what);
	char *again = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	ck_assert_msg(strcmp(s, again) == 0, "%s: the text differs from one tree's:\n%s\n---\n%s",
	              what, s, again);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "assets")), nassets);
	const char *prev = NULL, *order[] = {"latency", "assets", "connections"};
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
	{
		if (k < 3 && strcmp(key, order[k]) == 0)
			k++;
		else if (k > 0 && k < 3)
			ck_abort_msg("%s: \"%s\" after \"%s\", expected \"%s\"", what, key, prev,
			             order[k]);
		prev = key;
	}
	ck_assert_msg(k == 3, "%s: latency, assets, connections not in order", what);
	free(again);
	free(s);
	json_decref(j);
}

START_TEST(snapshot_text_is_one_tree_dump_with_assets_streamed)
{
	struct market_state *m = new_market(NULL);
	expect_one_tree_text(m, 0, "no assets");
	apply_frame(m, book_frame);
	expect_one_tree_text(m, 1, "one asset");
	ck_assert_ptr_nonnull(market_add(m, "222", "a \"quoted\"\nlabel"));
	ck_assert_ptr_nonnull(market_add(m, "333", NULL));
	ck_assert_ptr_nonnull(market_add(m, "444", NULL));
	market_remove(m, "333");
	expect_one_tree_text(m, 3, "three subscribed, one not");
	del_market(m);
}
END_TEST

START_TEST(export_write_is_atomic_and_reports_missing_directory)
{
	char dir[] = "/tmp/clobtop-test.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	ck_assert_int_eq(export_write_atomic(path, "old\n", 4, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/nodir/snap.json", dir);
	ck_assert_int_eq(export_write_atomic(path, "x", 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No such file or directory") != NULL, "message: %s", err);
	/* No temporary files are left behind. */
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A full disk: the file-size limit makes write() fail as ENOSPC would, mid-file. */
START_TEST(export_on_full_disk_fails_cleanly_and_keeps_the_old_file)
{
	char dir[] = "/tmp/clobtop-test.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	ck_assert_int_eq(export_write_atomic(path, "previous\n", 9, err, sizeof(err)), 0);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 16, .rlim_max = RLIM_INFINITY};
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	char big[4096];
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(export_write_atomic(path, big, sizeof(big), err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cannot write") != NULL, "message: %s", err);
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	FILE *f = fopen(path, "r");
	char got[32] = "";
	ck_assert_ptr_nonnull(fgets(got, sizeof(got), f));
	fclose(f);
	ck_assert_str_eq(got, "previous\n");
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1 && rm -rf %s", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(metrics_file_is_prometheus_text_with_escaped_labels)
{
	struct market_state *m = new_market(NULL);
	market_add(m, "111", "say \"hi\"\\");
	apply_frame(m, book_frame);
	char path[] = "/tmp/clobtop-metrics.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	struct export_options o = {.now_mono_ns = clock_mono_ns(), .now_real_ns = clock_real_ns()};
	char err[256];
	ck_assert_int_eq(export_metrics(m, &o, path, err, sizeof(err)), 0);
	FILE *f = fopen(path, "r");
	char text[16384];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(path);
	ck_assert_ptr_nonnull(
	    strstr(text, "# TYPE clobtop_frames_total counter\nclobtop_frames_total 1\n"));
	ck_assert_msg(
	    strstr(text,
	           "clobtop_asset_best_bid{asset_id=\"111\",label=\"say \\\"hi\\\"\\\\\"} 0.45\n"),
	    "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "clobtop_asset_spread{asset_id=\"111\""));
	del_market(m);
}
END_TEST

/* The whole exchange in one scrape: counts by state for all, series for a bounded set. */
START_TEST(metrics_cap_the_per_asset_series_and_count_every_state)
{
	struct market_state *m = new_market(NULL);
	char id[16];
	for (int i = 0; i < EXPORT_METRICS_MAX_ASSETS + 5; i++) {
		snprintf(id, sizeof id, "%d", 100000 + i);
		ck_assert_ptr_nonnull(market_add(m, id, NULL));
	}
	struct export_options o = {.url = "ws://x", .now_mono_ns = 1, .now_real_ns = 1};
	size_t len = 0;
	char *t = export_metrics_string(m, &o, &len);
	ck_assert_ptr_nonnull(t);
	size_t series = 0;
	for (const char *p = t; (p = strstr(p, "\nclobtop_asset_state{")); p++)
		series++;
	ck_assert_uint_eq(series, EXPORT_METRICS_MAX_ASSETS);
	ck_assert_ptr_nonnull(strstr(t, "\nclobtop_asset_series_dropped 5\n"));
	char want[64];
	snprintf(want, sizeof want, "\nclobtop_assets{state=\"awaiting_snapshot\"} %d\n",
	         EXPORT_METRICS_MAX_ASSETS + 5);
	ck_assert_msg(strstr(t, want) != NULL, "no count of every awaiting asset");
	free(t);
	del_market(m);
}
END_TEST

static Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("snapshot");
	tcase_add_test(tc, snapshot_has_schema_canonical_prices_and_best_first_levels);
	tcase_add_test(tc, snapshot_empty_side_is_null_and_depth_limits_levels);
	tcase_add_test(tc, snapshot_text_is_one_tree_dump_with_assets_streamed);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, export_write_is_atomic_and_reports_missing_directory);
	tcase_add_test(tc, export_on_full_disk_fails_cleanly_and_keeps_the_old_file);
	tcase_add_test(tc, metrics_file_is_prometheus_text_with_escaped_labels);
	tcase_add_test(tc, metrics_cap_the_per_asset_series_and_count_every_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(export_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
