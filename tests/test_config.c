/*
 * test_config: the config file and the saved view.  Every option the table holds can be
 * set in the file and means there what it means on the command line; the command line
 * wins; watchlists subscribe their assets; a bad line is refused as FILE:LINE with its text
 * sanitised; BOM, comments and quoted values; what is not a regular file is refused; the
 * state file survives a round trip, and a corrupt one is ignored with a warning.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "options.h"
#include "options_check.h"
#include "statefile.h"

static struct options o;
static char err[1024];
static char tmpdir[64];

/* Parses "clobtop" followed by the NULL-terminated arguments into o. */
#define parse(...) options_check_parse(&o, NULL, 0, err, sizeof(err), __VA_ARGS__)

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	unsetenv("NO_COLOR");
	char home[128];
	snprintf(home, sizeof(home), "%s/home", tmpdir);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
}

static void teardown(void)
{
	char cmd[128];
	options_free(&o);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_file(const char *name, const char *content)
{
	return options_check_file(tmpdir, name, content);
}

/* A value each option accepts that is not its default, by option or argument name. */
static const char *sample(const char *name, const char *arg, const char *file)
{
	static const struct {
		const char *key, *value;
	} by_name[] = {{"ping-interval", "5"},
	               {"stale-warn", "5"},
	               {"lat-warn", "3"},
	               {"export-dir", "/tmp"},
	               {"rest-url", "http://127.0.0.1:9"},
	               {"watchlist", "w"},
	               {"redis", "redis://127.0.0.1:9/0"},
	               {"redis-stream", "s"},
	               {"depth-sizes", "100,$5"},
	               {"on-alert", "true"},
	               {"on-alert-kinds", "gap,stale"},
	               {"on-alert-severity", "crit"}},
	  by_arg[] = {{"URL", "ws://127.0.0.1:9/x"},
	              {"PATH", "/bin/true"},
	              {"X|max", "2"},
	              {"ID[=LABEL]", "123=lbl"},
	              {"S", "45"},
	              {"N", "3"},
	              {"MS", "700"},
	              {"BYTES", "64k"},
	              {"ADDR:PORT", "127.0.0.1:0"},
	              {"SLUG", "fed-decision-in-october"}};
	if (!arg)
		return "yes";
	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (strcmp(name, by_name[i].key) == 0)
			return by_name[i].value;
	if (strcmp(arg, "FILE") == 0)
		return file;
	for (size_t i = 0; i < sizeof(by_arg) / sizeof(by_arg[0]); i++)
		if (strcmp(arg, by_arg[i].key) == 0)
			return by_arg[i].value;
	ck_abort_msg("--%s %s: no sample value in test_config.c; add one so the test proves it "
	             "can be set in the config file",
	             name, arg);
	return NULL;
}

/* Settings (everything before the asset list) of two parses are the same: equal bytes,
 * or, where a string pointer differs, equal strings. */
static bool same_settings(const struct options *a, const struct options *b)
{
	const unsigned char *pa = (const void *)a, *pb = (const void *)b;
	for (size_t i = 0; i < offsetof(struct options, assets); i += sizeof(void *)) {
		const char *sa, *sb;
		memcpy(&sa, pa + i, sizeof(sa));
		memcpy(&sb, pb + i, sizeof(sb));
		if (sa != sb && (!options_check_owns(sb) || strcmp(sa, sb) != 0))
			return false;
	}
	return true;
}

static void assets_text(const struct options *x, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < x->assets.n; i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s=%s;", x->assets.ids[i],
		         x->assets.labels[i] ? x->assets.labels[i] : "");
}

START_TEST(every_option_can_be_set_in_the_file_and_means_the_same_there)
{
	char file[256], base[256]; /* tmp_file's names are reused after eight calls */
	snprintf(file, sizeof(file), "%s", tmp_file("data", "123 lbl\n"));
	snprintf(base, sizeof(base), "%s", tmp_file("base", "[watchlist w]\n123 lbl\n"));
	static struct options dflt, cmd;
	char line[1024], a_cmd[512], a_file[512];
	size_t tried = 0;
	ck_run("--config", base);
	memcpy(&dflt, &o, sizeof(o));
	for (size_t i = 0; i < options_count(); i++) {
		const char *arg, *name = options_name(i, &arg);
		if (!name)
			continue;
		const char *v = sample(name, arg, file);
		char flag[80];
		snprintf(flag, sizeof(flag), "--%s", name);
		if (arg)
			ck_run("--config", base, flag, v);
		else
			ck_run("--config", base, flag);
		memcpy(&cmd, &o, sizeof(o));
		assets_text(&o, a_cmd, sizeof(a_cmd));
		snprintf(line, sizeof(line), "# set one option\n%s = %s\n[watchlist w]\n123 lbl\n",
		         name, v);
		ck_run("--config", tmp_file("one", line));
		assets_text(&o, a_file, sizeof(a_file));
		ck_assert_msg(same_settings(&o, &cmd), "'%s = %s' in the file differs from %s %s",
		              name, v, flag, arg ? v : "");
		ck_assert_msg(strcmp(a_file, a_cmd) == 0,
		              "%s = %s: assets %s from the file, %s from the command line", name, v,
		              a_file, a_cmd);
		ck_assert_msg(!same_settings(&o, &dflt) || o.assets.n != 0,
		              "'%s = %s' in the file changed nothing", name, v);
		tried++;
	}
	ck_assert_uint_ge(tried, 35);
	ck_assert_ptr_null(options_name(options_count(), &(const char *){NULL}));
}
END_TEST

START_TEST(command_line_wins_over_the_file)
{
	const char *cfg = tmp_file("c", "levels = 3\nno-color\nasset = 111=from-file\n"
	                                "headless = yes\n");
	ck_run("--config", cfg);
	ck_assert_int_eq(o.ui.book_levels, 3);
	ck_assert(o.ui.no_color && o.headless);
	ck_assert_uint_eq(o.assets.n, 1);
	ck_assert_str_eq(o.assets.labels[0], "from-file");
	ck_run("--config", cfg, "--levels", "5", "--no-color=no", "--headless=false", "--asset",
	       "222");
	ck_assert_int_eq(o.ui.book_levels, 5);
	ck_assert(!o.ui.no_color && !o.headless);
	ck_assert_uint_eq(o.assets.n, 1); /* the command line's assets replace the file's */
	ck_assert_str_eq(o.assets.ids[0], "222");
	ck_refused("--no-color is a flag: it takes yes or no, not 'maybe'", "--config", cfg,
	           "--no-color=maybe");
	/* The later of two lines wins, as on the command line. */
	ck_run("--config", tmp_file("twice", "levels = 3\nlevels = 4\n"));
	ck_assert_int_eq(o.ui.book_levels, 4);
}
END_TEST

START_TEST(default_file_and_its_locations)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	ck_run("--headless"); /* no file there: fine */
	ck_assert_str_eq(o.conf.path, "");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/xdg/clobtop", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	tmp_file("xdg/clobtop/config", "levels = 7\n");
	ck_run("--headless");
	ck_assert_int_eq(o.ui.book_levels, 7);
	ck_run("--headless", "--no-config");
	ck_assert_int_eq(o.ui.book_levels, 10);
	/* A relative XDG_CONFIG_HOME is ignored, as the spec says: then ~/.config. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	snprintf(dir, sizeof(dir), "%s/home/.config/clobtop", tmpdir);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	tmp_file("home/.config/clobtop/config", "levels = 8\n");
	ck_run("--headless");
	ck_assert_int_eq(o.ui.book_levels, 8);
	/* Not a regular file: refused, whether named or found. */
	ck_assert_int_eq(unlink(strcat(dir, "/config")), 0);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_refused("not a regular file (a directory)", "--headless");
	ck_refused("/dev/null: not a regular file", "--config", "/dev/null");
	ck_refused("cannot open", "--config", "/nonexistent/clobtop.conf");
	ck_refused("--config and --no-config: choose one", "--config", "x", "--no-config");
}
END_TEST

START_TEST(watchlists_subscribe_their_assets)
{
	const char *cfg = tmp_file("w", "[watchlist crypto]\n"
	                                "# comment\n"
	                                "123 BTC up # a comment\n"
	                                "456\n"
	                                "\n"
	                                "[watchlist  politics ]\n"
	                                "789 Election\n");
	ck_run("--config", cfg, "--watchlist", "politics", "--watchlist", "crypto", "--asset",
	       "5=five");
	char a[256];
	assets_text(&o, a, sizeof(a));
	ck_assert_str_eq(a, "5=five;789=Election;123=BTC up;456=;");
	ck_refused("--watchlist sport: no [watchlist sport] in", "--config", cfg, "--watchlist",
	           "sport");
	ck_refused("--watchlist crypto: no config file was read (--no-config)", "--no-config",
	           "--watchlist", "crypto");
	/* A default watchlist in the file; the command line's assets replace it. */
	cfg = tmp_file("w2", "watchlist = crypto\n[watchlist crypto]\n123\n");
	ck_run("--config", cfg);
	ck_assert_uint_eq(o.assets.n, 1);
	ck_run("--config", cfg, "--asset", "9");
	assets_text(&o, a, sizeof(a));
	ck_assert_str_eq(a, "9=;");
	ck_refused("w3:3: watchlist 'a' is already defined at line 1", "--config",
	           tmp_file("w3", "[watchlist a]\n1\n[watchlist a]\n"));
	ck_refused("w4:3: settings go before the first [watchlist] section", "--config",
	           tmp_file("w4", "[watchlist a]\n1\nlevels = 3\n"));
	ck_refused("w5:2: bad asset id 'abc'", "--config", tmp_file("w5", "[watchlist a]\nabc\n"));
	ck_refused("w6:1: unknown section", "--config", tmp_file("w6", "[colors]\n"));
}
END_TEST

START_TEST(bad_lines_name_file_and_line_sanitised)
{
	ck_refused("e1:3: unknown setting 'levls' (did you mean levels?) (the line: levls = 3)",
	           "--config", tmp_file("e1", "# a\n\nlevls = 3\n"));
	ck_refused("e2:2: unknown setting 'colour'", "--config",
	           tmp_file("e2", "levels = 2\ncolour = red\n"));
	ck_assert_ptr_null(strstr(err, "did you mean"));
	ck_refused("e3:1: --levels wants a whole number", "--config",
	           tmp_file("e3", "levels = x\n"));
	ck_refused("e4:1: 'help' is for the command line", "--config", tmp_file("e4", "help\n"));
	ck_refused("e5:1: 'config' is for the command line", "--config",
	           tmp_file("e5", "config = /x\n"));
	ck_refused("e6:2: 'levels' needs a value: levels = N", "--config",
	           tmp_file("e6", "\nlevels\n"));
	ck_refused("e7:1: control characters", "--config",
	           tmp_file("e7", "sim = \033[31mred\033]0;title\007\n"));
	ck_assert_ptr_null(strchr(err, '\033'));
	ck_assert_ptr_null(strchr(err, '\007'));
	ck_refused("e8:1: expected 'name = value'", "--config", tmp_file("e8", "levels 3\n"));
	ck_refused("e9:1: the quoted value has no closing", "--config",
	           tmp_file("e9", "sim = \"/a b\n"));
	ck_refused("e10:1: text after the closing", "--config", tmp_file("e10", "sim = \"a\" b\n"));
	ck_refused("e11:1: --no-color is a flag", "--config",
	           tmp_file("e11", "no-color = maybe\n"));
	ck_refused("e12:1: only \\\" and \\\\", "--config", tmp_file("e12", "sim = \"a\\nb\"\n"));
	char p13[256];
	snprintf(p13, sizeof(p13), "%s/e13", tmpdir);
	FILE *f = fopen(p13, "w");
	fwrite("levels = 3\nsim = a\0b\n", 1, 22, f);
	fclose(f);
	ck_refused("e13:2: a NUL byte", "--config", p13);
}
END_TEST

START_TEST(bom_comments_and_quoting)
{
	ck_run("--config", tmp_file("q", "\xef\xbb\xbf# a comment first\n"
	                                 "   # indented comment\n"
	                                 "\tlevels\t=\t4   # trailing comment\r\n"
	                                 "sim = \"/opt/my tools/clobsim # not a comment\"  # one\n"
	                                 "gamma = http://127.0.0.1:1/a#frag\n"
	                                 "export-dir = \"/tmp\"\n"
	                                 "record = \"q\\\"uote\\\\d\"\n"
	                                 "no-gamma\n"));
	ck_assert_int_eq(o.ui.book_levels, 4);
	ck_assert_str_eq(o.sim_path, "/opt/my tools/clobsim # not a comment");
	ck_assert_str_eq(o.gamma_url, "http://127.0.0.1:1/a#frag");
	ck_assert_str_eq(o.export_dir, "/tmp");
	ck_assert_str_eq(o.record, "q\"uote\\d");
	ck_assert(o.no_gamma);
	/* A BOM anywhere but at the start is an error, not skipped. */
	ck_refused("b:2:", "--config", tmp_file("b", "levels = 3\n\xef\xbb\xbflevels = 4\n"));
}
END_TEST

START_TEST(quote_gives_back_what_was_written)
{
	const char *values[] = {"plain", "", "two words", "a#b", "q\"x", "back\\slash", " lead"};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char q[64], line[96];
		conffile_quote(q, sizeof(q), values[i]);
		snprintf(line, sizeof(line), "sim = %s\n", q);
		ck_run("--config", tmp_file("rt", line));
		ck_assert_str_eq(o.sim_path, values[i]);
	}
}
END_TEST

START_TEST(suggest_only_close_names)
{
	const char *names[] = {"levels", "refresh", "ring-size", "dead-after"};
	ck_assert_str_eq(conffile_suggest("levls", names, 4), "levels");
	ck_assert_str_eq(conffile_suggest("ring_size", names, 4), "ring-size");
	ck_assert_str_eq(conffile_suggest("dead-afer", names, 4), "dead-after");
	ck_assert_ptr_null(conffile_suggest("colour", names, 4));
	ck_assert_ptr_null(conffile_suggest("x", names, 4));
}
END_TEST

START_TEST(state_round_trip_and_corruption)
{
	char path[256], warn[512];
	snprintf(path, sizeof(path), "%s/st/deep/clobtop/state", tmpdir);
	struct ui_view v = {.sort = "spread"}, back;
	snprintf(v.filter, sizeof(v.filter), "a \"b\" # c \\ d");
	ck_assert_int_eq(statefile_load(path, &back, warn, sizeof(warn)), 0);
	ck_assert_int_eq(statefile_save(path, &v, err, sizeof(err)), 0);
	ck_assert_int_eq(statefile_load(path, &back, warn, sizeof(warn)), 1);
	ck_assert_str_eq(back.sort, "spread");
	ck_assert_str_eq(back.filter, v.filter);
	/* Replaced atomically: no temporary file left beside it. */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s/st/deep/clobtop' | wc -l) -eq 1", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	fputs("version = 1\nsort = \"unterminated\n", f);
	fclose(f);
	ck_assert_int_eq(statefile_load(path, &back, warn, sizeof(warn)), -1);
	ck_assert_msg(strstr(warn, "state:2:"), "warning names the line: %s", warn);
	ck_assert_str_eq(back.sort, "");
	f = fopen(path, "w");
	fputs("version = 9\n", f);
	fclose(f);
	ck_assert_int_eq(statefile_load(path, &back, warn, sizeof(warn)), -1);
	f = fopen(path, "w");
	fputs("version = 1\nfuture = yes\nsort = age\n", f);
	fclose(f);
	ck_assert_int_eq(statefile_load(path, &back, warn, sizeof(warn)), 1);
	ck_assert_str_eq(back.sort, "age");
	/* Where it lives. */
	setenv("XDG_STATE_HOME", "/s", 1);
	ck_assert_int_eq(statefile_path(path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/s/clobtop/state");
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/h", 1);
	ck_assert_int_eq(statefile_path(path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/h/.local/state/clobtop/state");
	unsetenv("HOME");
	ck_assert_int_eq(statefile_path(path, sizeof(path)), -1);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_option_can_be_set_in_the_file_and_means_the_same_there);
	tcase_add_test(tc, command_line_wins_over_the_file);
	tcase_add_test(tc, default_file_and_its_locations);
	tcase_add_test(tc, watchlists_subscribe_their_assets);
	tcase_add_test(tc, bad_lines_name_file_and_line_sanitised);
	tcase_add_test(tc, bom_comments_and_quoting);
	tcase_add_test(tc, quote_gives_back_what_was_written);
	tcase_add_test(tc, suggest_only_close_names);
	tcase_add_test(tc, state_round_trip_and_corruption);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
