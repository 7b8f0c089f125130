/*
 * optredis: the options that hand the books on (--redis*, --depth-sizes, --on-alert*) and
 * their checks.  The options table (options.c) stores the text and numbers here; the
 * checks parse them once at start so a mistake is reported then, and the run loop's side
 * (app_redis.c) parses them again into what it uses.  Nothing parsed is kept in struct
 * options, so it stays plain text and numbers.
 *
 * Never prints the Redis password: every message comes from redisurl_parse, which leaves
 * it out.  Main thread only.
 */
#ifndef CLOBTOP_OPTREDIS_H
#define CLOBTOP_OPTREDIS_H

#include <stddef.h>
#include <stdint.h>

struct redis_options {
	const char *url;               /* --redis URL, NULL: no Redis output */
	const char *stream;            /* --redis-stream KEY, NULL: none */
	const char *depth_sizes;       /* --depth-sizes LIST, NULL: no fill cost */
	const char *on_alert;          /* --on-alert CMD, NULL: no hooks */
	const char *on_alert_kinds;    /* --on-alert-kinds LIST ("all") */
	const char *on_alert_severity; /* --on-alert-severity info|warn|crit */
	int64_t interval_ms;           /* --redis-interval: per asset, 0 = every change */
	int64_t stream_maxlen;         /* --redis-stream-maxlen: XADD MAXLEN ~ */
	int64_t on_alert_timeout_ms;   /* --on-alert-timeout */
	int64_t on_alert_rate;         /* --on-alert-rate: hooks started per minute, all kinds */
};

/* Parses --on-alert-kinds ("all", or kind names separated by commas) into a bit mask of
 * enum alert_kind.  0, or -1 with a message in err. */
int optredis_kinds(const char *list, uint32_t *mask, char *err, size_t errlen);

/* --on-alert-severity: 0 info, 1 warn, 2 crit (enum alert_severity), or -1. */
int optredis_severity(const char *s);

/* The checks across these options.  0, or -1 with a message in err. */
int optredis_check(const struct redis_options *r, char *err, size_t errlen);

#endif
