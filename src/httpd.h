/*
 * httpd: the read-only HTTP query API (--listen ADDR:PORT), served by libmicrohttpd on
 * its own threads.
 *
 *   GET /metrics          the Prometheus text the UI thread rendered (--metrics-file's text)
 *   GET /snapshot         the clobtop.snapshot/1 JSON
 *   GET /book/<asset_id>  that asset's entry of the snapshot (400 bad id, 404 unknown)
 *   GET /vwap?asset_id=&side=BUY|SELL&size=   fill cost of a taker order, exact fixed point
 *   GET /healthz          200 "ok" while healthy, 503 and the reason otherwise
 * HEAD is answered like GET without the body; any other method gets 405.
 *
 * The server never reads the model.  The UI thread renders the documents once per refresh
 * and hands them to httpd_publish(), which copies them into one immutable, reference
 * counted document and swaps a pointer: a request takes a reference to the current copy
 * and keeps it until its response is sent, so a slow client holds an old copy, never a
 * lock.  Publishing takes no lock and never waits for a client.  Per-asset lookups go
 * through an index built on an HTTP thread the first time a document is asked for one.
 *
 * Only what is published is served: the snapshot (market data), metrics and health.  It
 * must never be given user-channel data or credentials.  Connections, per-IP connections,
 * request size and idle time are bounded.  A non-loopback address is refused unless the
 * caller passes listen_remote (the API has no authentication).
 *
 * Threads: httpd_start, httpd_publish and httpd_stop from one thread (the UI thread);
 * httpd_stats and httpd_port from any thread.
 */
#ifndef CLOBTOP_HTTPD_H
#define CLOBTOP_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPD_REASON_MAX 200 /* bytes of a health reason kept, with the NUL */

struct httpd_config {
	const char *listen; /* "ADDR:PORT", "[V6]:PORT" or "PORT" (127.0.0.1); port 0 = any */
	bool listen_remote; /* allow a non-loopback address */
	unsigned max_conns; /* open connections at once; 0 = HTTPD_DEFAULT_CONNS */
	unsigned per_ip;    /* connections per client address; 0 = no per-IP limit */
	unsigned timeout_s; /* idle connection timeout, s; 0 = HTTPD_DEFAULT_TIMEOUT_S */
	unsigned threads;   /* polling threads; 0 = HTTPD_DEFAULT_THREADS */
	int64_t max_publish_age_ns; /* /healthz is 503 when the last publish is older; 0 = never */
};

#define HTTPD_DEFAULT_CONNS     256
#define HTTPD_DEFAULT_TIMEOUT_S 10
#define HTTPD_DEFAULT_THREADS   2
#define HTTPD_REQUEST_MAX       16384 /* bytes of request line + headers per connection */

/* What the UI thread publishes; every pointer is borrowed for the call only. */
struct httpd_doc {
	const char *snapshot; /* clobtop.snapshot/1 JSON, as export_snapshot_string() makes it */
	size_t snapshot_len;  /* bytes */
	const char *metrics;  /* Prometheus text exposition */
	size_t metrics_len;   /* bytes */
	bool healthy;         /* feed connected and fresh enough */
	const char *reason;   /* why (not) healthy, one line; NULL = "ok" / "unhealthy" */
};

struct httpd_stats {
	uint64_t publishes;     /* documents published */
	uint64_t requests;      /* requests answered */
	uint64_t client_errors; /* 4xx answers */
	uint64_t server_errors; /* 5xx answers (503 included) */
	uint64_t conns_total;   /* connections accepted */
	uint64_t conns_open;    /* connections open now */
	uint64_t retired_max;   /* most superseded documents ever waiting to be freed */
};

struct httpd;

/* Parses cfg->listen and checks the loopback rule without binding.  Returns 0, or -1 with
 * a message the operator can act on in err (never NULL, errlen > 0, here and below). */
int httpd_check_listen(const struct httpd_config *cfg, char *err, size_t errlen);

/* Binds, listens and starts the server threads.  NULL with a message in err. */
struct httpd *httpd_start(const struct httpd_config *cfg, char *err, size_t errlen);

/* The port bound (useful with port 0). */
uint16_t httpd_port(const struct httpd *h);

/* Copies doc and makes it the one every new request sees.  Returns 0, or -1 when memory
 * ran out (the previous document stays). */
int httpd_publish(struct httpd *h, const struct httpd_doc *doc);

void httpd_stats(const struct httpd *h, struct httpd_stats *out);

/* Stops the threads, closes every connection and frees everything, promptly: it never
 * waits for a client (slow or idle ones included).  NULL is a no-op. */
void httpd_stop(struct httpd *h);

#endif
