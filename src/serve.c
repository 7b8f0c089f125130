/*
 * serve: the HTTP API's publication, made on the UI thread.  See serve.h.
 */
#include "serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool serve_healthy(const struct market_state *m, char *reason, size_t cap)
{
	const struct conn_info *c = &m->conn;
	if (!c->alive) {
		snprintf(reason, cap, "feed down (%s)%s%s", conn_kind_name(c->event),
		         c->last_error[0] ? ": " : "", c->last_error);
		return false;
	}
	size_t n = 0, stale = 0;
	for (size_t i = 0; i < m->nassets; i++) {
		if (!m->assets[i].subscribed)
			continue;
		n++;
		stale += m->assets[i].state == ASSET_STALE;
	}
	if (n > 0 && stale == n) {
		snprintf(reason, cap, "all %zu assets stale (no update for --stale-alert)", n);
		return false;
	}
	snprintf(reason, cap, "%s, %zu assets, %zu stale",
	         strcmp(m->mode, "replay") == 0 ? "replaying" : "connected", n, stale);
	return true;
}

/* The server's own counters, appended to the model's metrics. */
static char *with_http_metrics(const struct httpd *h, const char *text, size_t len, size_t *out)
{
	struct httpd_stats st;
	httpd_stats(h, &st);
	char tail[1024];
	int n = snprintf(tail, sizeof(tail),
	                 "# HELP clobtop_http_requests_total HTTP API requests answered.\n"
	                 "# TYPE clobtop_http_requests_total counter\n"
	                 "clobtop_http_requests_total %" PRIu64 "\n"
	                 "# HELP clobtop_http_errors_total HTTP API answers with an error status.\n"
	                 "# TYPE clobtop_http_errors_total counter\n"
	                 "clobtop_http_errors_total{class=\"4xx\"} %" PRIu64 "\n"
	                 "clobtop_http_errors_total{class=\"5xx\"} %" PRIu64 "\n"
	                 "# HELP clobtop_http_connections_total HTTP API connections accepted.\n"
	                 "# TYPE clobtop_http_connections_total counter\n"
	                 "clobtop_http_connections_total %" PRIu64 "\n"
	                 "# HELP clobtop_http_connections_open HTTP API connections open.\n"
	                 "# TYPE clobtop_http_connections_open gauge\n"
	                 "clobtop_http_connections_open %" PRIu64 "\n",
	                 st.requests, st.client_errors, st.server_errors, st.conns_total,
	                 st.conns_open);
	char *all = malloc(len + (size_t)n + 1);
	if (!all)
		return NULL;
	memcpy(all, text, len);
	memcpy(all + len, tail, (size_t)n + 1);
	*out = len + (size_t)n;
	return all;
}

int serve_publish(struct httpd *h, const struct market_state *m, const struct export_options *o,
                  char *err, size_t errlen)
{
	struct export_options all = *o;
	all.depth = 0; /* /vwap walks the whole book */
	char reason[HTTPD_REASON_MAX];
	struct httpd_doc doc = {.healthy = serve_healthy(m, reason, sizeof(reason)),
	                        .reason = reason};
	size_t mlen = 0;
	char *snap = export_snapshot_string(m, &all);
	char *metrics = export_metrics_string(m, o, &mlen);
	char *full = metrics ? with_http_metrics(h, metrics, mlen, &doc.metrics_len) : NULL;
	int rc = -1;
	if (snap && full) {
		doc.snapshot = snap;
		doc.snapshot_len = strlen(snap);
		doc.metrics = full;
		rc = httpd_publish(h, &doc);
	}
	if (rc != 0)
		snprintf(err, errlen, "out of memory publishing to the HTTP API");
	free(snap);
	free(metrics);
	free(full);
	return rc;
}
