/*
 * export_rest: snapshot and metrics of the REST truth (see export_rest.h).  UI thread.
 */
#include "export_rest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "market_rest.h"
#include "stats.h"

void export_rest_asset(const struct market_state *m, const struct asset *a,
                       const struct export_options *o, json_t *j)
{
	(void)m;
	const struct asset_rest *r = &a->rest;
	json_object_set_new(j, "book_source", json_string(book_source_name(r->source)));
	(void)o;
	/* A time, not an age: the same in every document published of this state. */
	json_object_set_new(j, "book_source_time_ms",
	                    r->source_real_ns ? json_integer(r->source_real_ns / NS_PER_MS)
	                                      : json_null());
	json_object_set_new(j, "book_rest_ts_ms",
	                    r->book_ts_ms ? json_integer(r->book_ts_ms) : json_null());
	json_object_set_new(j, "rest_books", json_integer((json_int_t)r->rest_books));
	json_object_set_new(j, "rest_dropped_older", json_integer((json_int_t)r->dropped_older));
}

static void iso_time(int64_t real_ns, char *buf, size_t cap)
{
	time_t t = (time_t)(real_ns / NS_PER_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void export_rest_snapshot(const struct market_state *m, const struct export_options *o,
                          json_t *root)
{
	const struct market_rest *r = m->rest;
	if (!r) {
		json_object_set_new(root, "rest", json_null());
		json_object_set_new(root, "audit", json_null());
		return;
	}
	const struct audit_stats *s = &r->audit;
	json_t *last = json_null();
	if (s->last_real_ns) {
		char t[40];
		iso_time(s->last_real_ns, t, sizeof(t));
		last = json_pack("{s:s, s:s, s:s}", "asset", s->last_asset, "level", s->last_level,
		                 "time", t);
	}
	json_object_set_new(root, "audit",
	                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "every_ms",
	                              (json_int_t)r->o.audit_every_ms, "done", (json_int_t)s->done,
	                              "agreed", (json_int_t)s->agreed, "mismatched",
	                              (json_int_t)s->mismatched, "rechecks",
	                              (json_int_t)s->rechecks, "errors", (json_int_t)s->errors,
	                              "last_mismatch", last));
	struct lat_summary l;
	lat_window_summary(r->lat_ms, market_now_s(m, o->now_mono_ns), STATS_WINDOW_SECS, &l);
	const struct rest_counters *w = &r->wc;
	json_object_set_new(
	    root, "rest",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	              "s:{s:I, s:I, s:I}}",
	              "requests", (json_int_t)w->requests, "req_book", (json_int_t)w->req_book,
	              "req_books", (json_int_t)w->req_books, "books", (json_int_t)w->books,
	              "errors", (json_int_t)w->errors, "throttled", (json_int_t)w->http_429,
	              "paused_ms", (json_int_t)w->paused_ms, "resyncs", (json_int_t)r->resyncs,
	              "resynced", (json_int_t)r->resynced, "socket_fallbacks",
	              (json_int_t)r->socket_fallbacks, "polls", (json_int_t)r->polls, "polled",
	              (json_int_t)r->polled, "dropped_older", (json_int_t)r->dropped_older,
	              "answer_errors", (json_int_t)r->errors, "queued", (json_int_t)w->queued,
	              "latency_ms", "p50", (json_int_t)l.p50, "p99", (json_int_t)l.p99, "max",
	              (json_int_t)l.max));
}

/* Appends to *p (length *len); false when memory ran out. */
static bool add(char **p, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool add(char **p, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *q = n < 0 ? NULL : realloc(*p, *len + (size_t)n + 1);
	if (!q)
		return false;
	va_start(ap, fmt);
	vsnprintf(q + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*p = q;
	*len += (size_t)n;
	return true;
}

char *export_rest_metrics(const struct market_state *m, const struct export_options *o)
{
	(void)o;
	char *p = calloc(1, 1);
	size_t len = 0;
	const struct market_rest *r = m->rest;
	if (!p || !r)
		return p;
	const struct audit_stats *s = &r->audit;
	const struct rest_counters *w = &r->wc;
	bool ok = add(&p, &len,
	              "# HELP clobtop_audits_total Books compared with the REST book, by result.\n"
	              "# TYPE clobtop_audits_total counter\n"
	              "clobtop_audits_total{result=\"agreed\"} %" PRIu64 "\n"
	              "clobtop_audits_total{result=\"mismatched\"} %" PRIu64 "\n"
	              "# HELP clobtop_audit_mismatches_total Confirmed audit mismatches.\n"
	              "# TYPE clobtop_audit_mismatches_total counter\n"
	              "clobtop_audit_mismatches_total %" PRIu64 "\n",
	              s->agreed, s->mismatched, s->mismatched);
	ok = ok && add(&p, &len,
	               "# HELP clobtop_rest_requests_total REST requests sent, by kind.\n"
	               "# TYPE clobtop_rest_requests_total counter\n"
	               "clobtop_rest_requests_total{kind=\"book\"} %" PRIu64 "\n"
	               "clobtop_rest_requests_total{kind=\"books\"} %" PRIu64 "\n"
	               "# HELP clobtop_rest_throttled_total REST answers 429 (Too Many Requests).\n"
	               "# TYPE clobtop_rest_throttled_total counter\n"
	               "clobtop_rest_throttled_total %" PRIu64 "\n"
	               "# HELP clobtop_rest_resyncs_total Resyncs asked of REST.\n"
	               "# TYPE clobtop_rest_resyncs_total counter\n"
	               "clobtop_rest_resyncs_total %" PRIu64 "\n"
	               "# HELP clobtop_rest_polls_total Fallback books asked of REST.\n"
	               "# TYPE clobtop_rest_polls_total counter\n"
	               "clobtop_rest_polls_total %" PRIu64 "\n",
	               w->req_book, w->req_books, w->http_429, r->resyncs, r->polls);
	if (!ok) {
		free(p);
		return NULL;
	}
	return p;
}
