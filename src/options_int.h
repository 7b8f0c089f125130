/*
 * options_int: what options.c and optcheck.c share, and nothing else includes.
 * Main thread only.
 */
#ifndef CLOBTOP_OPTIONS_INT_H
#define CLOBTOP_OPTIONS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* A message into err (printf-style). */
void options_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An operator's argument quoted back in a message: sanitised into buf. */
const char *options_shown(const char *s, char *buf, size_t cap);
/* Milliseconds as seconds for a message: "30", "0.25". */
void options_fmt_secs(char *buf, size_t cap, int64_t ms);
/* The checks across options, after parsing; fills derived defaults (--max-message). */
int options_check(struct options *o, char *err, size_t errlen);

#endif
