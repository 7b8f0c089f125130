/*
 * redisurl: --redis URL parsing and its printable form (see redisurl.h).  Never prints
 * or returns the password in any message.
 */
#include "redisurl.h"

#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *msg)
{
	if (errlen > 0)
		snprintf(err, errlen, "--redis: %s", msg);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len) into out (cap bytes with the NUL).  False when malformed, too
 * long, or it decodes to a NUL or control byte. */
static bool decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return false;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= cap)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

/* Decimal in [lo, hi] from s[0..len); false when empty, not digits or out of range. */
static bool parse_int(const char *s, size_t len, long lo, long hi, int *out)
{
	if (len == 0 || len > 9)
		return false;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static bool host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* host[:port] or [v6]:port in s[0..len). */
static int parse_hostport(const char *s, size_t len, struct redisurl *u, char *err, size_t el)
{
	const char *hs = s, *end = s + len, *colon = NULL;
	size_t hl;
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb || rb == s + 1)
			return fail(err, el, "unterminated or empty [IPv6] host");
		hs = s + 1;
		hl = (size_t)(rb - hs);
		for (size_t i = 0; i < hl; i++)
			if (!(hexval(hs[i]) >= 0 || hs[i] == ':' || hs[i] == '.'))
				return fail(err, el, "bad character in [IPv6] host");
		if (rb + 1 < end && rb[1] != ':')
			return fail(err, el, "expected ':port' after [IPv6] host");
		colon = rb + 1 < end ? rb + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		hl = colon ? (size_t)(colon - s) : len;
		for (size_t i = 0; i < hl; i++)
			if (!host_char_ok(s[i]))
				return fail(err, el, "bad character in host name");
	}
	if (hl == 0)
		return fail(err, el, "no host in URL");
	if (hl >= sizeof(u->host))
		return fail(err, el, "host name too long");
	memcpy(u->host, hs, hl);
	u->host[hl] = '\0';
	u->port = REDISURL_DEFAULT_PORT;
	if (colon && !parse_int(colon + 1, (size_t)(end - colon - 1), 1, 65535, &u->port))
		return fail(err, el, "port must be a number from 1 to 65535");
	return 0;
}

/* [user][:pass] in s[0..len). */
static int parse_userinfo(const char *s, size_t len, struct redisurl *u, char *err, size_t el)
{
	const char *colon = memchr(s, ':', len);
	size_t ul = colon ? (size_t)(colon - s) : len;
	if (!decode(s, ul, u->user, sizeof(u->user)))
		return fail(err, el, "malformed or too long user name");
	if (colon) {
		size_t pl = (size_t)(s + len - colon - 1);
		if (!decode(colon + 1, pl, u->pass, sizeof(u->pass)))
			return fail(err, el, "malformed or too long password (not shown)");
		u->have_pass = pl > 0;
	}
	return 0;
}

static int parse_tcp(const char *s, struct redisurl *u, char *err, size_t el)
{
	const char *slash = strchr(s, '/');
	size_t auth_len = slash ? (size_t)(slash - s) : strlen(s);
	if (strpbrk(s, "?#"))
		return fail(err, el,
		            "query strings and fragments are not supported in redis:// URLs");
	/* The password may contain '@' only percent-encoded; the last '@' ends userinfo. */
	const char *at = NULL;
	for (const char *p = s; p < s + auth_len; p++)
		if (*p == '@')
			at = p;
	const char *hp = s;
	if (at) {
		if (parse_userinfo(s, (size_t)(at - s), u, err, el) < 0)
			return -1;
		hp = at + 1;
	}
	if (parse_hostport(hp, (size_t)(s + auth_len - hp), u, err, el) < 0)
		return -1;
	if (slash && slash[1] != '\0' &&
	    !parse_int(slash + 1, strlen(slash + 1), 0, 999999, &u->db))
		return fail(err, el, "database must be a number after '/' (redis://host:port/0)");
	return 0;
}

static int parse_unix(const char *s, struct redisurl *u, char *err, size_t el)
{
	if (s[0] != '/')
		return fail(err, el, "unix:// needs an absolute path (unix:///run/redis.sock)");
	const char *q = strchr(s, '?');
	size_t pl = q ? (size_t)(q - s) : strlen(s);
	if (pl < 2 || pl >= sizeof(u->path))
		return fail(err, el, "socket path empty or too long");
	for (size_t i = 0; i < pl; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(err, el, "control character in socket path");
	memcpy(u->path, s, pl);
	u->path[pl] = '\0';
	if (q &&
	    (strncmp(q, "?db=", 4) != 0 || !parse_int(q + 4, strlen(q + 4), 0, 999999, &u->db)))
		return fail(err, el, "the only query unix:// takes is ?db=N");
	return 0;
}

int redisurl_parse(const char *url, const char *env_pass, struct redisurl *out, char *err,
                   size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!url || !*url)
		return fail(err, errlen, "empty URL");
	int rc;
	if (strncmp(url, "redis://", 8) == 0) {
		out->kind = REDISURL_TCP;
		rc = parse_tcp(url + 8, out, err, errlen);
	} else if (strncmp(url, "unix://", 7) == 0) {
		out->kind = REDISURL_UNIX;
		rc = parse_unix(url + 7, out, err, errlen);
	} else {
		rc = fail(err, errlen,
		          "URL must start with redis:// or unix:// (rediss:// is not "
		          "supported)");
	}
	if (rc == 0 && !out->have_pass && env_pass && *env_pass) {
		if (!decode(env_pass, strlen(env_pass), out->pass, sizeof(out->pass)))
			rc = fail(err, errlen,
			          "REDISCLI_AUTH is too long or has control characters");
		out->have_pass = out->pass_from_env = rc == 0;
	}
	if (rc < 0) {
		/* Leave no copy of a secret behind in a rejected result. */
		memset(out->pass, 0, sizeof(out->pass));
		out->have_pass = false;
	}
	return rc;
}

size_t redisurl_display(const struct redisurl *u, char *buf, size_t cap)
{
	char auth[REDISURL_CRED_MAX + 8] = "";
	if (u->user[0] || (u->have_pass && !u->pass_from_env))
		snprintf(auth, sizeof(auth), "%s%s@", u->user,
		         u->have_pass && !u->pass_from_env ? ":***" : "");
	const char *env = u->pass_from_env ? " (password from REDISCLI_AUTH)" : "";
	int n;
	if (u->kind == REDISURL_UNIX)
		n = u->db ? snprintf(buf, cap, "unix://%s?db=%d%s", u->path, u->db, env)
		          : snprintf(buf, cap, "unix://%s%s", u->path, env);
	else
		n = snprintf(buf, cap, "redis://%s%s%s%s:%d/%d%s", auth,
		             strchr(u->host, ':') ? "[" : "", u->host,
		             strchr(u->host, ':') ? "]" : "", u->port, u->db, env);
	if (n < 0)
		n = 0;
	return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}
