/*
 * redisurl: where the Redis output goes, parsed from --redis URL.
 *
 *   redis://[[user]:pass@]host[:port][/db]     (port 6379 and db 0 when left out)
 *   unix:///path/to/redis.sock[?db=N]
 *
 * The user and password may be percent-encoded.  When the URL carries no password,
 * the one in REDISCLI_AUTH (passed in by the caller) is used, as redis-cli does.
 * The password is never printed: redisurl_display() is the only text of a URL that may
 * reach the screen, a log or an export.  Pure functions; safe from any thread.
 */
#ifndef CLOBTOP_REDISURL_H
#define CLOBTOP_REDISURL_H

#include <stdbool.h>
#include <stddef.h>

#define REDISURL_HOST_MAX     256
#define REDISURL_PATH_MAX     108 /* sun_path */
#define REDISURL_CRED_MAX     256
#define REDISURL_DEFAULT_PORT 6379

enum redisurl_kind {
	REDISURL_TCP = 0,  /* host:port */
	REDISURL_UNIX = 1, /* a Unix-domain socket path */
};

struct redisurl {
	enum redisurl_kind kind;      /* TCP or Unix socket */
	char host[REDISURL_HOST_MAX]; /* TCP: host name or address, no brackets */
	int port;                     /* TCP: 1..65535 */
	char path[REDISURL_PATH_MAX]; /* UNIX: absolute socket path */
	char user[REDISURL_CRED_MAX]; /* ACL user, "" for the default user */
	char pass[REDISURL_CRED_MAX]; /* password, "" when none; NEVER print */
	bool have_pass;               /* a password was given (URL or REDISCLI_AUTH) */
	bool pass_from_env;           /* it came from REDISCLI_AUTH */
	int db;                       /* SELECT index, 0..999999 */
};

/* Parses url.  env_pass is REDISCLI_AUTH's value or NULL.  Returns 0, or -1 with a
 * message in err (which never contains the password). */
int redisurl_parse(const char *url, const char *env_pass, struct redisurl *out, char *err,
                   size_t errlen);

/* The URL for display with the password replaced by "***" (and a note when it came from
 * REDISCLI_AUTH).  Returns the length written; always NUL-terminated when cap > 0. */
size_t redisurl_display(const struct redisurl *u, char *buf, size_t cap);

#endif
