/*
 * Tests for redisurl: every accepted form, the defaults, REDISCLI_AUTH, malformed URLs
 * rejected with a message that never contains the password, and the display form.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "redisurl.h"

#define NLV(a) (sizeof(a) / sizeof((a)[0]))

struct good {
	const char *url, *env;
	int kind;
	const char *host;
	int port;
	const char *path, *user, *pass;
	int db;
	const char *shown;
};

static const struct good goods[] = {
    {"redis://localhost", NULL, REDISURL_TCP, "localhost", 6379, "", "", "", 0,
     "redis://localhost:6379/0"},
    {"redis://127.0.0.1:7000/3", NULL, REDISURL_TCP, "127.0.0.1", 7000, "", "", "", 3,
     "redis://127.0.0.1:7000/3"},
    {"redis://:s3cret@h:1/", NULL, REDISURL_TCP, "h", 1, "", "", "s3cret", 0, "redis://:***@h:1/0"},
    {"redis://bob:p%40ss%3Aw@redis.example.com:6380/15", NULL, REDISURL_TCP, "redis.example.com",
     6380, "", "bob", "p@ss:w", 15, "redis://bob:***@redis.example.com:6380/15"},
    {"redis://bob@h", "fromenv", REDISURL_TCP, "h", 6379, "", "bob", "fromenv", 0,
     "redis://bob@h:6379/0 (password from REDISCLI_AUTH)"},
    {"redis://:urlpass@h", "fromenv", REDISURL_TCP, "h", 6379, "", "", "urlpass", 0,
     "redis://:***@h:6379/0"},
    {"redis://[::1]:6390", NULL, REDISURL_TCP, "::1", 6390, "", "", "", 0, "redis://[::1]:6390/0"},
    {"unix:///run/redis/redis.sock", NULL, REDISURL_UNIX, "", 0, "/run/redis/redis.sock", "", "", 0,
     "unix:///run/redis/redis.sock"},
    {"unix:///tmp/r.sock?db=2", "envpw", REDISURL_UNIX, "", 0, "/tmp/r.sock", "", "envpw", 2,
     "unix:///tmp/r.sock?db=2 (password from REDISCLI_AUTH)"},
};

START_TEST(good_urls_parse_into_their_parts)
{
	const struct good *g = &goods[_i];
	struct redisurl u;
	char err[200] = "";
	ck_assert_msg(redisurl_parse(g->url, g->env, &u, err, sizeof(err)) == 0, "%s: %s", g->url,
	              err);
	ck_assert_int_eq(u.kind, g->kind);
	ck_assert_str_eq(u.host, g->host);
	if (g->kind == REDISURL_TCP)
		ck_assert_int_eq(u.port, g->port);
	ck_assert_str_eq(u.path, g->path);
	ck_assert_str_eq(u.user, g->user);
	ck_assert_str_eq(u.pass, g->pass);
	ck_assert_int_eq(u.have_pass, g->pass[0] != '\0');
	ck_assert_int_eq(u.db, g->db);
	char shown[400];
	redisurl_display(&u, shown, sizeof(shown));
	ck_assert_str_eq(shown, g->shown);
	if (g->pass[0])
		ck_assert_msg(strstr(shown, g->pass) == NULL, "password shown in %s", shown);
}
END_TEST

static const char *const bads[] = {
    "",
    "http://localhost:6379",
    "rediss://h:6379",
    "redis://",
    "redis://:pw@",
    "redis://h:0",
    "redis://h:65536",
    "redis://h:port",
    "redis://h:",
    "redis://h:6379/x",
    "redis://h:6379/-1",
    "redis://h:6379/1?x=1",
    "redis://h o:6379",
    "redis://[::1",
    "redis://[]:1",
    "redis://[::1]x",
    "redis://:bad%zzsecret@h",
    "redis://:trunc%4@h",
    "redis://:ctl%0Asecret@h",
    "unix://relative.sock",
    "unix:///",
    "unix:///tmp/r.sock?db=x",
    "unix:///tmp/r.sock?foo=1",
};

START_TEST(malformed_urls_are_rejected_without_showing_the_password)
{
	struct redisurl u;
	char err[200] = "";
	ck_assert_msg(redisurl_parse(bads[_i], NULL, &u, err, sizeof(err)) == -1, "accepted '%s'",
	              bads[_i]);
	ck_assert_msg(strncmp(err, "--redis: ", 9) == 0 && strlen(err) > 12, "no message: '%s'",
	              err);
	ck_assert_msg(strstr(err, "secret") == NULL, "password in message: %s", err);
	ck_assert_int_eq(u.have_pass, 0);
	ck_assert_str_eq(u.pass, "");
}
END_TEST

START_TEST(a_password_longer_than_the_buffer_is_rejected)
{
	char url[700] = "redis://:";
	memset(url + 9, 'a', 600);
	strcpy(url + 609, "@h");
	struct redisurl u;
	char err[200];
	ck_assert_int_eq(redisurl_parse(url, NULL, &u, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "aaaa") == NULL, "%s", err);
}
END_TEST

START_TEST(display_truncates_safely_in_a_small_buffer)
{
	struct redisurl u;
	char err[200], small[12];
	ck_assert_int_eq(
	    redisurl_parse("redis://:pw@longhostname.example:6379", NULL, &u, err, sizeof(err)), 0);
	size_t n = redisurl_display(&u, small, sizeof(small));
	ck_assert_uint_eq(n, sizeof(small) - 1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

static Suite *redisurl_suite(void)
{
	Suite *s = suite_create("redisurl");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, good_urls_parse_into_their_parts, 0, (int)NLV(goods));
	tcase_add_loop_test(tc, malformed_urls_are_rejected_without_showing_the_password, 0,
	                    (int)NLV(bads));
	tcase_add_test(tc, a_password_longer_than_the_buffer_is_rejected);
	tcase_add_test(tc, display_truncates_safely_in_a_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(redisurl_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
