/*
 * usercreds: the user channel's API credentials (key, secret, passphrase) and the one
 * place that reads them: the environment (CLOB_API_KEY, CLOB_SECRET, CLOB_PASS_PHRASE) or
 * a file of NAME=value lines with those names.  Never the command line.
 *
 * Must never print, log or copy a credential anywhere but into the auth frame it builds;
 * every buffer that held one is wiped (explicit_bzero) when done with.  A credentials file
 * is refused unless owned by the user and unreadable by group and others (clobsim, a test
 * server, may skip that check).
 *
 * Threads: usercreds_load* on the main thread before any other thread starts;
 * usercreds_auth_frame on the user feed thread (the struct is read-only by then);
 * usercreds_wipe after that thread has stopped.
 */
#ifndef CLOBTOP_USERCREDS_H
#define CLOBTOP_USERCREDS_H

#include <stdbool.h>
#include <stddef.h>

#define USERCREDS_MAX 256 /* bytes of one credential, NUL included */

struct usercreds {
	char key[USERCREDS_MAX];        /* CLOB_API_KEY */
	char secret[USERCREDS_MAX];     /* CLOB_SECRET */
	char passphrase[USERCREDS_MAX]; /* CLOB_PASS_PHRASE */
};

/* Reads a NAME=value file ('#' comments and blank lines allowed; the value runs to the
 * end of the line).  With check_perms, a file not owned by the user or readable by group
 * or others is refused.  Returns 0, or -1 with a message in err naming the file (never
 * a value). */
int usercreds_load_file(struct usercreds *c, const char *path, bool check_perms, char *err,
                        size_t errlen);
/* From the environment; all three must be set.  Returns 0, or -1 with a message. */
int usercreds_load_env(struct usercreds *c, char *err, size_t errlen);
/* True when all three are non-empty. */
bool usercreds_complete(const struct usercreds *c);
/* The user channel's first frame into buf: the auth object, the markets (omitted when
 * n is 0) and "type":"user".  Returns its length, or 0 when it does not fit.  The caller
 * wipes buf after sending it. */
size_t usercreds_auth_frame(const struct usercreds *c, char *buf, size_t cap,
                            const char *const *markets, size_t n);
/* Constant-time comparison of two credential sets (clobsim's check). */
bool usercreds_equal(const struct usercreds *a, const struct usercreds *b);
void usercreds_wipe(struct usercreds *c);

#endif
