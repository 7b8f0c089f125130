/*
 * export_conn: the connections section of the snapshot and metrics (see export_conn.h).
 */
#include "export_conn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_conn.h"

static json_t *conn_json(const struct market_state *m, const struct export_options *o, size_t k,
                         const struct market_conn *c)
{
	int64_t now_s = market_now_s(m, o->now_mono_ns);
	struct lat_summary lat;
	lat_window_summary(c->feed_ms, now_s, STATS_WINDOW_SECS, &lat);
	json_t *age = c->last_frame_mono_ns
	                  ? json_integer((o->now_mono_ns - c->last_frame_mono_ns) / NS_PER_MS)
	                  : json_null();
	return json_pack("{s:I, s:b, s:s, s:b, s:I, s:I, s:f, s:o, s:o, s:I, s:I, s:I, s:o}", "id",
	                 (json_int_t)k, "open", c->open, "state", conn_kind_name(c->info->event),
	                 "alive", c->info->alive, "assets", (json_int_t)c->nassets, "frames",
	                 (json_int_t)c->frames, "msgs_per_s", c->msgs_per_s, "feed_latency_p95_ms",
	                 lat.count ? json_integer(lat.p95) : json_null(), "last_frame_ms_ago", age,
	                 "reconnects", (json_int_t)c->info->reconnects, "drops",
	                 (json_int_t)c->drops, "gaps", (json_int_t)c->gaps, "last_error",
	                 c->info->last_error[0] ? json_string(c->info->last_error) : json_null());
}

json_t *export_conn_json(const struct market_state *m, const struct export_options *o)
{
	json_t *a = json_array();
	for (size_t k = 0; a && k < m->nconns; k++) {
		const struct market_conn *c = market_conn_get(m, k);
		if (c)
			json_array_append_new(a, conn_json(m, o, k, c));
	}
	return a;
}

struct text {
	char *p;    /* NUL-terminated */
	size_t len; /* bytes before the NUL */
	bool oom;   /* an append failed */
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || t->oom) {
		t->oom = true;
		return;
	}
	char *p = realloc(t->p, t->len + (size_t)n + 1);
	if (!p) {
		t->oom = true;
		return;
	}
	memcpy(p + t->len, line, (size_t)n + 1);
	t->p = p;
	t->len += (size_t)n;
}

/* One family: HELP, TYPE, then one sample per open slot. */
static void family(struct text *t, const struct market_state *m, const char *name, const char *type,
                   const char *help, int what)
{
	add(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (size_t k = 0; k < m->nconns; k++) {
		const struct market_conn *c = market_conn_get(m, k);
		if (!c || (!c->open && what != 1 && what != 2 && what != 3))
			continue;
		uint64_t v = what == 0   ? (uint64_t)c->info->alive
		             : what == 1 ? c->frames
		             : what == 2 ? c->info->reconnects
		             : what == 3 ? c->drops
		                         : (uint64_t)c->nassets;
		add(t, "%s{conn=\"%zu\"} %" PRIu64 "\n", name, k, v);
	}
}

char *export_conn_metrics(const struct market_state *m, const struct export_options *o)
{
	(void)o;
	struct text t = {calloc(1, 1), 0, false};
	if (!t.p)
		return NULL;
	if (m->nconns) {
		family(&t, m, "clobtop_connection_up", "gauge",
		       "Whether this feed connection is connected and alive.", 0);
		family(&t, m, "clobtop_connection_messages_total", "counter",
		       "Feed messages applied from this connection.", 1);
		family(&t, m, "clobtop_connection_reconnects_total", "counter",
		       "Reconnections of this connection.", 2);
		family(&t, m, "clobtop_connection_drops_total", "counter",
		       "Records this connection's ring dropped (full).", 3);
		family(&t, m, "clobtop_connection_assets", "gauge",
		       "Assets subscribed on this connection.", 4);
	}
	if (t.oom) {
		free(t.p);
		return NULL;
	}
	return t.p;
}
