/*
 * options_check: parses a clobtop command line for the option tests (test_options,
 * test_config), with the Check assertions both make of the outcome.  The argument strings
 * stay alive until the next parse, since struct options points into them.
 *
 * Test code only; never linked into clobtop.  One thread.
 */
#ifndef CLOBTOP_OPTIONS_CHECK_H
#define CLOBTOP_OPTIONS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "options.h"

/* Frees *o, then parses "clobtop" and the NULL-terminated arguments from first into it.
 * --help and --version output lands in out (outlen bytes, NUL-terminated; out NULL: thrown
 * away); the message of a refusal in err. */
enum options_status options_check_parse(struct options *o, char *out, size_t outlen, char *err,
                                        size_t errlen, const char *first, ...);

/* Whether p points into the argument strings of the last parse. */
bool options_check_owns(const char *p);

/* With parse(first, ..., NULL) and char err[] in the including test: */

#define ck_run(...)                                                                                \
	do {                                                                                       \
		enum options_status st_ = parse(__VA_ARGS__, (const char *)NULL);                  \
		ck_assert_msg(st_ == OPTIONS_RUN,                                                  \
		              "expected the options to be accepted, got status %d: %s", (int)st_,  \
		              err);                                                                \
	} while (0)

/* Refused, with a message containing want, on one line and free of escapes. */
#define ck_refused(want, ...)                                                                      \
	do {                                                                                       \
		enum options_status st_ = parse(__VA_ARGS__, (const char *)NULL);                  \
		ck_assert_msg(st_ == OPTIONS_ERROR, "expected refusal (%s), got status %d", want,  \
		              (int)st_);                                                           \
		ck_assert_msg(strstr(err, want), "expected '%s' in the message, got '%s'", want,   \
		              err);                                                                \
		ck_assert_msg(!strchr(err, '\n') && !strchr(err, '\033'),                          \
		              "message not one clean line: %s", err);                              \
	} while (0)

/* Writes content to dir/name and returns the path (one of 8 static buffers, reused in
 * turn); fails the test when the file cannot be written. */
const char *options_check_file(const char *dir, const char *name, const char *content);

#endif
