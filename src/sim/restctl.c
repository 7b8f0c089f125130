/*
 * restctl: /books body parser, request limiter and REST fault arming (see restctl.h).
 *
 * Never trusts its input: bodies are parsed by jansson within REST_BODY_MAX bytes,
 * numbers are range-checked, and ids are copied with their length bounded.  Never reads
 * a clock (the caller passes the time).  clobsim is single-threaded: only its one thread
 * (or a test) calls this.
 */
#include "restctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

enum rest_parse restctl_parse_ids(const char *body, size_t n, struct rest_ids *ids, char *err,
                                  size_t errcap)
{
	json_error_t je;
	json_t *a, *v;
	size_t i;

	ids->n = 0;
	if (n > REST_BODY_MAX) {
		snprintf(err, errcap, "body larger than %d bytes", REST_BODY_MAX);
		return REST_IDS_INVALID;
	}
	a = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_array(a)) {
		snprintf(err, errcap, "Invalid payload: expected [{\"token_id\":\"...\"},...]");
		json_decref(a);
		return REST_IDS_INVALID;
	}
	if (json_array_size(a) > REST_BOOKS_MAX) {
		ids->n = json_array_size(a) > INT32_MAX ? INT32_MAX : (int)json_array_size(a);
		snprintf(err, errcap, "too many token ids: %zu (at most %d per request)",
		         json_array_size(a), REST_BOOKS_MAX);
		json_decref(a);
		return REST_IDS_TOO_MANY;
	}
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(json_object_get(v, "token_id"));
		if (!json_is_object(v) || !s) {
			snprintf(err, errcap, "Invalid payload: entry %zu has no string token_id",
			         i);
			json_decref(a);
			ids->n = 0;
			return REST_IDS_INVALID;
		}
		size_t len = strlen(s);
		if (len >= REST_ID_CAP)
			len = 0; /* no token has so long an id: unknown, left out of the answer */
		memcpy(ids->id[i], s, len);
		ids->id[i][len] = '\0';
		ids->n++;
	}
	json_decref(a);
	return REST_IDS_OK;
}

int rlimit_init(struct rlimit *rl, uint32_t limit, int64_t window_ns)
{
	memset(rl, 0, sizeof *rl);
	rl->window = window_ns;
	if (limit > REST_LIMIT_MAX)
		limit = REST_LIMIT_MAX;
	rl->limit = limit;
	if (limit && !(rl->t = calloc(limit, sizeof *rl->t)))
		return -1;
	return 0;
}

void rlimit_free(struct rlimit *rl)
{
	free(rl->t);
	memset(rl, 0, sizeof *rl);
}

int rlimit_take(struct rlimit *rl, int64_t now_ns)
{
	if (!rl->limit)
		return 0;
	while (rl->n && now_ns - rl->t[rl->head] >= rl->window) {
		rl->head = (rl->head + 1) % rl->limit;
		rl->n--;
	}
	if (rl->n < rl->limit) {
		rl->t[(rl->head + rl->n) % rl->limit] = now_ns;
		rl->n++;
		return 0;
	}
	int64_t wait = rl->t[rl->head] + rl->window - now_ns; /* ns until the oldest leaves */
	int64_t secs = (wait + 999999999) / 1000000000;
	return secs < 1 ? 1 : secs > INT32_MAX ? INT32_MAX : (int)secs;
}

static const char *const kind_names[RF_KINDS] = {"rest500", "rest429", "restslow", "restwrong"};

int restctl_kind(const char *name)
{
	for (int k = 0; k < RF_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

const char *restctl_kind_name(int kind)
{
	return kind >= 0 && kind < RF_KINDS ? kind_names[kind] : "?";
}

/* A whole number in [lo, hi] from text; false when it is anything else. */
static bool parse_range(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int restctl_arm(struct rest_faults *f, int kind, const char *count, const char *param, char *err,
                size_t errcap)
{
	long long n = 1, v = 0;

	if (kind < 0 || kind >= RF_KINDS) {
		snprintf(err, errcap, "kind must be rest500, rest429, restslow or restwrong");
		return -1;
	}
	if (count && !parse_range(count, 1, 1000000000, &n)) {
		snprintf(err, errcap, "count must be a whole number from 1 to 1000000000");
		return -1;
	}
	if (kind == RF_429) {
		if (param && !parse_range(param, 1, 86400, &v)) {
			snprintf(err, errcap, "retry_after must be whole seconds from 1 to 86400");
			return -1;
		}
		f->retry_after = param ? (int)v : 1;
	} else if (kind == RF_SLOW) {
		if (!param || !parse_range(param, 1, REST_SLOW_MS_MAX, &v)) {
			snprintf(err, errcap, "restslow needs ms from 1 to %d", REST_SLOW_MS_MAX);
			return -1;
		}
		f->slow_ms = (int)v;
	} else if (kind == RF_WRONG) {
		size_t len = param ? strlen(param) : 0;
		if (len >= REST_ID_CAP) {
			snprintf(err, errcap, "asset_id longer than %d bytes", REST_ID_CAP - 1);
			return -1;
		}
		memcpy(f->wrong_asset, param ? param : "", len);
		f->wrong_asset[len] = '\0';
	}
	f->left[kind] = (uint64_t)n;
	return 0;
}

int restctl_arm_spec(struct rest_faults *f, const char *spec, char *err, size_t errcap)
{
	char buf[REST_ID_CAP + 64], *count, *param;

	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errcap, "too long");
		return -1;
	}
	strcpy(buf, spec);
	count = strrchr(buf, ':');
	if (count)
		*count++ = '\0';
	param = strchr(buf, '=');
	if (param)
		*param++ = '\0';
	int kind = restctl_kind(buf);
	if (kind < 0 || (param && kind == RF_500)) {
		snprintf(err, errcap,
		         "expected rest500[:N], rest429[=S][:N], restslow=MS[:N] or "
		         "restwrong[=ASSET][:N]");
		return -1;
	}
	return restctl_arm(f, kind, count, param, err, errcap);
}

bool restctl_take(struct rest_faults *f, int kind)
{
	if (kind < 0 || kind >= RF_KINDS || !f->left[kind])
		return false;
	f->left[kind]--;
	return true;
}
