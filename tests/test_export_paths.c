/*
 * test_export_paths: where an export lands.  Proves that a write through a symbolic link
 * replaces the link's target and keeps the link, that a device, a FIFO or a directory is
 * refused instead of being replaced by a plain file, that an existing file keeps its mode,
 * and that "-" writes to standard output.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"

static char dir[] = "/tmp/clobtop-export-paths.XXXXXX";

static void in_dir(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

START_TEST(a_symlink_stays_and_its_target_is_replaced)
{
	char target[300], link[300], got[64], err[256];
	in_dir(target, sizeof target, "target.json");
	in_dir(link, sizeof link, "link.json");
	FILE *f = fopen(target, "w");
	fputs("old", f);
	fclose(f);
	chmod(target, 0600);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_msg(export_write_atomic(link, "new", 3, err, sizeof err) == 0, "%s", err);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert_msg(S_ISLNK(st.st_mode), "the link was replaced by a file");
	slurp(target, got, sizeof got);
	ck_assert_str_eq(got, "new");
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	unlink(link);
	unlink(target);
}
END_TEST

START_TEST(devices_fifos_and_directories_are_refused)
{
	char err[256] = "";
	ck_assert_int_eq(export_write_atomic("/dev/null", "x", 1, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "not a regular file"), "got '%s'", err);
	struct stat st;
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));

	char fifo[300];
	in_dir(fifo, sizeof fifo, "fifo");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(export_write_atomic(fifo, "x", 1, err, sizeof err), -1);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	unlink(fifo);

	ck_assert_int_eq(export_write_atomic(dir, "x", 1, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "not a regular file"), "got '%s'", err);

	char dangling[300], nowhere[300];
	in_dir(dangling, sizeof dangling, "dangling");
	in_dir(nowhere, sizeof nowhere, "nowhere/x.json");
	ck_assert_int_eq(symlink(nowhere, dangling), 0);
	ck_assert_int_eq(export_write_atomic(dangling, "x", 1, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "symbolic link"), "got '%s'", err);
	unlink(dangling);
}
END_TEST

START_TEST(dash_writes_to_standard_output)
{
	char out[300], got[64], err[256];
	in_dir(out, sizeof out, "stdout.txt");
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	int rc = export_write_atomic("-", "{\"a\":1}\n", 8, err, sizeof err);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ck_assert_msg(rc == 0, "%s", err);
	slurp(out, got, sizeof got);
	ck_assert_str_eq(got, "{\"a\":1}\n");
	ck_assert_int_eq(access("-", F_OK), -1); /* no file named "-" */
	unlink(out);
}
END_TEST

int main(void)
{
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	Suite *s = suite_create("export_paths");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, a_symlink_stays_and_its_target_is_replaced);
	tcase_add_test(tc, devices_fifos_and_directories_are_refused);
	tcase_add_test(tc, dash_writes_to_standard_output);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rmdir(dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
