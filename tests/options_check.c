/*
 * options_check: the option tests' command-line parser.  See options_check.h.
 */
#include "options_check.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>

#define ARGS_MAX 64 /* arguments of one parse, "clobtop" included */

static char store[ARGS_MAX][512]; /* the arguments of the last parse */

enum options_status options_check_parse(struct options *o, char *out, size_t outlen, char *err,
                                        size_t errlen, const char *first, ...)
{
	static char *argv[ARGS_MAX + 1];
	va_list ap;
	va_start(ap, first);
	int argc = 0;
	argv[argc++] = strcpy(store[0], "clobtop");
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, ARGS_MAX);
		snprintf(store[argc], sizeof(store[argc]), "%s", a);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	if (out)
		memset(out, 0, outlen);
	FILE *f = out ? fmemopen(out, outlen - 1, "w") : fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(f);
	err[0] = '\0';
	options_free(o); /* the previous parse's asset list */
	enum options_status st = options_parse(o, argc, argv, f, err, errlen);
	fclose(f);
	return st;
}

bool options_check_owns(const char *p)
{
	return p >= store[0] && p < store[ARGS_MAX];
}

const char *options_check_file(const char *dir, const char *name, const char *content)
{
	static char path[8][256];
	static int which;
	char *p = path[which++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	return p;
}
