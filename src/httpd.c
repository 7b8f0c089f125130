/*
 * httpd: the read-only HTTP query API on libmicrohttpd's threads.  See httpd.h for the
 * contract.
 *
 * Publishing without a lock: the current document is an atomic pointer.  A request pins
 * (h->pins), loads the pointer, takes a reference and unpins: a few instructions, never
 * any I/O.  The publisher swaps the pointer and keeps the superseded document until it
 * sees no pin, at which point every request that loaded it holds a reference of its own;
 * then it drops the publisher's reference, and the last request to finish frees it.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "httpdoc.h"

#define RETIRED_MAX 16   /* superseded documents waiting for no pin before a forced wait */
#define BLOCK_SIZE  4096 /* bytes MHD asks a document body for at a time */

struct httpd {
	struct MHD_Daemon *mhd;            /* the server and its threads */
	uint16_t port;                     /* bound */
	int64_t max_age_ns;                /* health: a publish must be younger; 0 = no limit */
	_Atomic(struct hdoc *) cur;        /* what new requests see; NULL before a publish */
	atomic_uint pins;                  /* requests between loading cur and their reference */
	struct hdoc *retired[RETIRED_MAX]; /* superseded, publisher's reference still held */
	size_t nretired;                   /* used slots of retired (publisher only) */
	atomic_uint_fast64_t publishes;    /* see struct httpd_stats */
	atomic_uint_fast64_t requests;
	atomic_uint_fast64_t client_errors;
	atomic_uint_fast64_t server_errors;
	atomic_uint_fast64_t conns_total;
	atomic_uint_fast64_t conns_open;
	atomic_uint_fast64_t retired_max;
};

/* ---- the listening address ---- */

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}

/* "PORT", "HOST:PORT" or "[V6]:PORT", numeric addresses or "localhost". */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen, char *err,
                        size_t errlen)
{
	char host[64] = "127.0.0.1";
	const char *port = spec;
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	if (!spec || !*spec) {
		snprintf(err, errlen, "--listen needs ADDR:PORT (e.g. 127.0.0.1:9464)");
		return -1;
	}
	if (colon) {
		const char *h = spec;
		size_t hl = (size_t)(colon - spec);
		if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
			h++;
			hl -= 2;
		}
		if (hl == 0 || hl >= sizeof(host)) {
			snprintf(err, errlen, "--listen %s: the address is empty or too long",
			         spec);
			return -1;
		}
		memcpy(host, h, hl);
		host[hl] = '\0';
		port = colon + 1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	char *end;
	errno = 0;
	unsigned long p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || port[0] == '-' || port[0] == '+') {
		snprintf(err, errlen, "--listen %s: the port must be a number from 0 to 65535",
		         spec);
		return -1;
	}
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	                         .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0 || !ai || ai->ai_addrlen > sizeof(*ss)) {
		snprintf(err, errlen, "--listen %s: %s is not a numeric IPv4 or IPv6 address", spec,
		         host);
		if (ai)
			freeaddrinfo(ai);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int httpd_check_listen(const struct httpd_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_listen(cfg->listen, &ss, &len, err, errlen) != 0)
		return -1;
	if (!cfg->listen_remote && !is_loopback(&ss)) {
		snprintf(err, errlen,
		         "--listen %s is not a loopback address: the API has no authentication, so "
		         "serving other hosts needs --listen-remote as well",
		         cfg->listen);
		return -1;
	}
	return 0;
}

static int open_listener(const struct httpd_config *cfg, uint16_t *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (httpd_check_listen(cfg, err, errlen) != 0 ||
	    parse_listen(cfg->listen, &ss, &len, err, errlen) != 0)
		return -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(err, errlen, "--listen %s: %s", cfg->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* ---- documents ---- */

static struct hdoc *doc_acquire(struct httpd *h)
{
	atomic_fetch_add(&h->pins, 1);
	struct hdoc *d = atomic_load(&h->cur);
	if (d)
		hdoc_ref(d);
	atomic_fetch_sub(&h->pins, 1);
	return d;
}

/* No pin seen after the swap: every request that loaded a retired document has its own
 * reference by now, so the publisher's can go. */
static void retire(struct httpd *h, struct hdoc *old)
{
	h->retired[h->nretired++] = old;
	if (h->nretired > atomic_load(&h->retired_max))
		atomic_store(&h->retired_max, h->nretired);
	if (h->nretired == RETIRED_MAX)
		while (atomic_load(&h->pins)) /* a pin lasts a few instructions, no I/O */
			sched_yield();
	if (atomic_load(&h->pins))
		return;
	for (size_t i = 0; i < h->nretired; i++)
		hdoc_unref(h->retired[i]);
	h->nretired = 0;
}

int httpd_publish(struct httpd *h, const struct httpd_doc *doc)
{
	struct hdoc *d = hdoc_new(doc, clock_mono_ns());
	if (!d)
		return -1;
	struct hdoc *old = atomic_exchange(&h->cur, d);
	atomic_fetch_add(&h->publishes, 1);
	if (old)
		retire(h, old);
	return 0;
}

/* ---- responses ---- */

struct body {
	struct hdoc *doc; /* reference held until MHD frees the response */
	const char *p;    /* bytes inside doc */
	size_t len;       /* bytes */
};

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	const struct body *b = cls;
	if (pos >= b->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = b->len - (size_t)pos < max ? b->len - (size_t)pos : max;
	memcpy(buf, b->p + pos, n);
	return (ssize_t)n;
}

static void body_free(void *cls)
{
	struct body *b = cls;
	hdoc_unref(b->doc);
	free(b);
}

static enum MHD_Result send_response(struct httpd *h, struct MHD_Connection *c, unsigned status,
                                     const char *type, struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	atomic_fetch_add(&h->requests, 1);
	if (status >= 500)
		atomic_fetch_add(&h->server_errors, 1);
	else if (status >= 400)
		atomic_fetch_add(&h->client_errors, 1);
	return rc;
}

/* Bytes of doc (which the response keeps alive); takes over the caller's reference. */
static enum MHD_Result send_doc(struct httpd *h, struct MHD_Connection *c, unsigned status,
                                const char *type, struct hdoc *doc, const char *p, size_t len)
{
	struct body *b = malloc(sizeof(*b));
	if (!b) {
		hdoc_unref(doc);
		return MHD_NO;
	}
	*b = (struct body){.doc = doc, .p = p, .len = len};
	struct MHD_Response *r =
	    MHD_create_response_from_callback(len, BLOCK_SIZE, body_read, b, body_free);
	if (!r)
		body_free(b);
	return send_response(h, c, status, type, r);
}

static enum MHD_Result send_text(struct httpd *h, struct MHD_Connection *c, unsigned status,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_text(struct httpd *h, struct MHD_Connection *c, unsigned status,
                                 const char *fmt, ...)
{
	char text[HTTPD_REASON_MAX + 200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(text) - 2)
		n = (int)sizeof(text) - 2;
	text[n++] = '\n';
	struct MHD_Response *r =
	    MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_COPY);
	return send_response(h, c, status, "text/plain; charset=utf-8", r);
}

/* ---- routes ---- */

#define TYPE_JSON    "application/json"
#define TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result route_healthz(struct httpd *h, struct MHD_Connection *c, struct hdoc *d)
{
	if (!d)
		return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		                 "starting: nothing published yet");
	int64_t age = clock_mono_ns() - d->published_ns;
	bool healthy = d->healthy, stale = h->max_age_ns > 0 && age > h->max_age_ns;
	char reason[HTTPD_REASON_MAX];
	snprintf(reason, sizeof(reason), "%s", d->reason);
	hdoc_unref(d);
	if (stale)
		return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		                 "no update published for %lld ms (clobtop is stuck?)",
		                 (long long)(age / NS_PER_MS));
	return send_text(h, c, healthy ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "%s", reason);
}

static enum MHD_Result route_book(struct httpd *h, struct MHD_Connection *c, struct hdoc *d,
                                  const char *id)
{
	if (!token_id_valid(id, strlen(id))) {
		hdoc_unref(d);
		return send_text(h, c, MHD_HTTP_BAD_REQUEST,
		                 "an asset id is 1 to %d decimal digits", TOKEN_ID_MAX);
	}
	bool ok;
	const struct hdoc_asset *a = hdoc_asset(d, id, &ok);
	if (!a) {
		hdoc_unref(d);
		return ok ? send_text(h, c, MHD_HTTP_NOT_FOUND, "asset %s is not in the book", id)
		          : send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                      "the published snapshot could not be indexed");
	}
	return send_doc(h, c, MHD_HTTP_OK, TYPE_JSON, d, a->json, a->json_len);
}

static json_t *price_or_null(int64_t v)
{
	char buf[NUM_BUF];
	if (v == PRICE_NONE)
		return json_null();
	num_format(v, buf, sizeof(buf));
	return json_string(buf);
}

/* The fill cost of a taker order: BUY takes the asks, SELL the bids. */
static json_t *vwap_json(const struct hdoc_asset *a, bool buy, int64_t size)
{
	enum side taken = buy ? SIDE_ASK : SIDE_BID;
	int64_t filled, vwap;
	int64_t notional = book_vwap(&a->book, taken, size, &filled, &vwap);
	return json_pack("{s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:o}", "asset_id", a->id, "side",
	                 buy ? "BUY" : "SELL", "size", price_or_null(size), "filled",
	                 price_or_null(filled), "sufficient", filled == size, "vwap",
	                 price_or_null(vwap), "notional", price_or_null(notional), "best",
	                 price_or_null(book_best(&a->book, taken)));
}

static enum MHD_Result route_vwap(struct httpd *h, struct MHD_Connection *c, struct hdoc *d)
{
	const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "asset_id");
	const char *side = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "side");
	const char *size = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size");
	int64_t sz = 0;
	bool buy = side && strcasecmp(side, "BUY") == 0;
	const char *bad = NULL;
	if (!id || !token_id_valid(id, strlen(id)))
		bad = "asset_id must be 1 to 78 decimal digits";
	else if (!side || (!buy && strcasecmp(side, "SELL") != 0))
		bad = "side must be BUY or SELL";
	else if (!size || num_parse(size, strlen(size), &sz) != NUM_OK || sz <= 0)
		bad = "size must be a positive decimal number of shares (6 decimals at most)";
	if (bad) {
		hdoc_unref(d);
		return send_text(h, c, MHD_HTTP_BAD_REQUEST, "%s", bad);
	}
	bool ok;
	const struct hdoc_asset *a = hdoc_asset(d, id, &ok);
	json_t *j = a ? vwap_json(a, buy, sz) : NULL;
	hdoc_unref(d);
	if (!a)
		return ok ? send_text(h, c, MHD_HTTP_NOT_FOUND, "asset %s is not in the book", id)
		          : send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                      "the published snapshot could not be indexed");
	char *text = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!text)
		return send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r)
		free(text);
	return send_response(h, c, MHD_HTTP_OK, TYPE_JSON, r);
}

static enum MHD_Result route(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	struct hdoc *d = doc_acquire(h);
	if (strcmp(url, "/healthz") == 0)
		return route_healthz(h, c, d);
	bool known = strcmp(url, "/metrics") == 0 || strcmp(url, "/snapshot") == 0 ||
	             strncmp(url, "/book/", 6) == 0 || strcmp(url, "/vwap") == 0;
	if (!known || !d) {
		if (d)
			hdoc_unref(d);
		return known ? send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		                         "starting: nothing published yet")
		             : send_text(h, c, MHD_HTTP_NOT_FOUND,
		                         "no such path: try /metrics, /snapshot, /book/<asset_id>, "
		                         "/vwap?asset_id=&side=BUY|SELL&size=, /healthz");
	}
	if (strcmp(url, "/metrics") == 0)
		return send_doc(h, c, MHD_HTTP_OK, TYPE_METRICS, d, d->metrics, d->metrics_len);
	if (strcmp(url, "/snapshot") == 0)
		return send_doc(h, c, MHD_HTTP_OK, TYPE_JSON, d, d->snapshot, d->snapshot_len);
	if (strcmp(url, "/vwap") == 0)
		return route_vwap(h, c, d);
	return route_book(h, c, d, url + 6);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
	(void)version;
	(void)upload;
	(void)req_cls;
	struct httpd *h = cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		*upload_size = 0;
		return send_text(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are served");
	}
	return route(h, c, url);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
	(void)c;
	(void)socket_ctx;
	struct httpd *h = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&h->conns_total, 1);
		atomic_fetch_add(&h->conns_open, 1);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		atomic_fetch_sub(&h->conns_open, 1);
	}
}

/* ---- life cycle ---- */

struct httpd *httpd_start(const struct httpd_config *cfg, char *err, size_t errlen)
{
	struct httpd *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&h->cur, NULL);
	h->max_age_ns = cfg->max_publish_age_ns;
	int fd = open_listener(cfg, &h->port, err, errlen);
	if (fd < 0) {
		free(h);
		return NULL;
	}
	unsigned threads = cfg->threads ? cfg->threads : HTTPD_DEFAULT_THREADS;
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_LISTEN_SOCKET, fd, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns ? cfg->max_conns : HTTPD_DEFAULT_CONNS,
	     NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT,
	     cfg->timeout_s ? cfg->timeout_s : HTTPD_DEFAULT_TIMEOUT_S, NULL},
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTPD_REQUEST_MAX, NULL},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h},
	    {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL},
	    {cfg->per_ip ? MHD_OPTION_PER_IP_CONNECTION_LIMIT : MHD_OPTION_END, cfg->per_ip, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	/* An END in the middle ends the array: move the optional ones to the tail. */
	size_t n = 0;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].option != MHD_OPTION_END)
			opts[n++] = opts[i];
	opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	/* MHD_USE_ITC: without it MHD wakes its threads at stop by shutting the listening
	 * socket down, but a thread at its connection limit has taken that socket out of its
	 * epoll set and sleeps until the next connection timeout (seconds, renewed by every
	 * byte a slow client sends).  The ITC is always watched, so a stop is prompt. */
	h->mhd =
	    MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC, 0, NULL,
	                     NULL, on_request, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(err, errlen, "--listen %s: libmicrohttpd could not start its threads",
		         cfg->listen);
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

uint16_t httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_stats(const struct httpd *h, struct httpd_stats *out)
{
	struct httpd *m = (struct httpd *)h; /* atomics are read through non-const pointers */
	*out = (struct httpd_stats){
	    .publishes = atomic_load(&m->publishes),
	    .requests = atomic_load(&m->requests),
	    .client_errors = atomic_load(&m->client_errors),
	    .server_errors = atomic_load(&m->server_errors),
	    .conns_total = atomic_load(&m->conns_total),
	    .conns_open = atomic_load(&m->conns_open),
	    .retired_max = atomic_load(&m->retired_max),
	};
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	/* Wakes every thread through its ITC; each shuts its connections down and closes
	 * them without waiting for a client.  Joins them: every response's reference is back. */
	MHD_stop_daemon(h->mhd);
	hdoc_unref(atomic_load(&h->cur));
	for (size_t i = 0; i < h->nretired; i++)
		hdoc_unref(h->retired[i]);
	free(h);
}
