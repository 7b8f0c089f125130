/*
 * log: clobsim's log, the test suite's window on what clients sent and what clobsim did.
 *
 * Line-oriented, flushed per line, every line prefixed "clobsim: "; it must never print
 * a raw control byte from the network.  clobsim is single-threaded: only its one thread
 * calls these.
 */
#ifndef CLOBSIM_LOG_H
#define CLOBSIM_LOG_H

#include <stddef.h>
#include <stdint.h>

/* Open the log (NULL = stderr).  Returns 0 or -1. */
int sim_log_open(const char *path);
void sim_log_close(void);
/* One line, prefixed "clobsim: " and flushed. */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A client's frame, escaped so no control byte reaches a terminal, cut at 4 KiB. */
void sim_log_frame(uint64_t client, const char *what, const uint8_t *p, size_t n);

#endif
