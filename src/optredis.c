/*
 * optredis: checks of the hand-on options (see optredis.h).  Main thread only.
 */
#include "optredis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "fillcost.h"
#include "redisurl.h"
#include "sanitize.h"

int optredis_kinds(const char *list, uint32_t *mask, char *err, size_t errlen)
{
	*mask = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ", ");
		int k = -1;
		if (n == 3 && strncmp(p, "all", 3) == 0)
			*mask |= (UINT32_C(1) << ALERT_KIND_COUNT) - 1;
		for (int i = 0; i < ALERT_KIND_COUNT && k < 0; i++) {
			const char *name = alert_kind_name((enum alert_kind)i);
			if (strlen(name) == n && strncmp(p, name, n) == 0)
				k = i;
		}
		if (k >= 0) {
			*mask |= UINT32_C(1) << k;
		} else if (n && !(n == 3 && strncmp(p, "all", 3) == 0)) {
			char shown[64];
			sanitize_text(shown, sizeof(shown), p, n);
			snprintf(err, errlen,
			         "--on-alert-kinds: '%s' is not an alert kind (all, stale, "
			         "crossed, drift, gap, connection, freeze, export, ...; see "
			         "clobtop(1))",
			         shown);
			return -1;
		}
		p += n;
		p += strspn(p, ", ");
	}
	if (!*mask) {
		snprintf(err, errlen, "--on-alert-kinds names no alert kind");
		return -1;
	}
	return 0;
}

int optredis_severity(const char *s)
{
	for (int i = 0; i < ALERT_SEV_COUNT; i++)
		if (strcmp(s, alert_severity_name((enum alert_severity)i)) == 0)
			return i;
	return -1;
}

int optredis_check(const struct redis_options *r, char *err, size_t errlen)
{
	char why[256];
	if (r->url) {
		struct redisurl *u = calloc(1, sizeof(*u));
		int rc =
		    u ? redisurl_parse(r->url, getenv("REDISCLI_AUTH"), u, why, sizeof(why)) : -1;
		free(u);
		if (rc != 0) {
			snprintf(err, errlen, "--redis: %s", u ? why : "out of memory");
			return -1;
		}
	}
	if (r->stream && (!r->stream[0] || strlen(r->stream) > 200)) {
		snprintf(err, errlen, "--redis-stream wants a key of 1 to 200 bytes");
		return -1;
	}
	struct fill_size sz[FILLCOST_MAX_SIZES];
	if (r->depth_sizes &&
	    fillcost_parse_sizes(r->depth_sizes, sz, FILLCOST_MAX_SIZES, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--depth-sizes: %s", why);
		return -1;
	}
	uint32_t mask;
	if (optredis_kinds(r->on_alert_kinds, &mask, err, errlen) != 0)
		return -1;
	if (optredis_severity(r->on_alert_severity) < 0) {
		char shown[64];
		sanitize_text(shown, sizeof(shown), r->on_alert_severity,
		              strlen(r->on_alert_severity));
		snprintf(err, errlen, "--on-alert-severity wants info, warn or crit, not '%s'",
		         shown);
		return -1;
	}
	if (r->on_alert && !r->on_alert[0]) {
		snprintf(err, errlen, "--on-alert wants a command");
		return -1;
	}
	return 0;
}
