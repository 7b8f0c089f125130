/*
 * wire: the frames clobtop sends on the market channel (the initial subscription, and the
 * later subscribe and unsubscribe operations; PING is the bare text "PING") and the user
 * channel's auth frame.  What comes back is proto's business.
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
/* The user channel's first frame: auth, then the condition ids (omitted when n is 0).
 * It holds the secret: the caller wipes buf once it is sent. */
size_t wire_fmt_user(char *buf, size_t cap, const char *key, const char *secret,
                     const char *passphrase, const char *const *markets, size_t n);

#endif
