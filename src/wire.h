/*
 * wire: the frames clobtop sends on the market channel (the initial subscription, and the
 * later subscribe and unsubscribe operations; PING is the bare text "PING").  What comes
 * back is proto's business.
 *
 * Each function writes a NUL-terminated frame into buf and returns its length, or 0 when
 * it does not fit.  No allocation, no state: any thread.
 */
#ifndef CLOBTOP_WIRE_H
#define CLOBTOP_WIRE_H

#include <stddef.h>

size_t wire_fmt_initial(char *buf, size_t cap, const char *const *ids, size_t n);
size_t wire_fmt_subscribe(char *buf, size_t cap, const char *const *ids, size_t n);
size_t wire_fmt_unsubscribe(char *buf, size_t cap, const char *const *ids, size_t n);

#endif
