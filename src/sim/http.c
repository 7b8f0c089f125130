/*
 * http: clobsim's HTTP side: request heads and bodies, the routes (CLOB /book and
 * /books via restsrv.c, Gamma /markets, /state, /stats, /health, /fault) and the
 * WebSocket upgrade to /ws/market or /ws/user.
 *
 * Every plain request gets one answer and the connection closes (Connection: close);
 * bodies come from rest.c, restsrv.c, faults.c or the counters here.  A request body is
 * read only with a Content-Length of at most REST_BODY_MAX bytes (else 413; chunked,
 * 411).  It never answers a request it could not parse with anything but 400, and never
 * writes to a socket (conn.c does).
 * Called only from the poll loop (clobsim is single-threaded).
 */
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "rest.h"
#include "simclock.h"

static void http_reply(struct server *s, struct client *c, int status, const char *ctype,
                       const char *extra, const char *body, size_t blen)
{
	const char *reason = status == 200   ? "OK"
	                     : status == 400 ? "Bad Request"
	                     : status == 404 ? "Not Found"
	                     : status == 405 ? "Method Not Allowed"
	                     : status == 411 ? "Length Required"
	                     : status == 413 ? "Content Too Large"
	                     : status == 426 ? "Upgrade Required"
	                     : status == 429 ? "Too Many Requests"
	                                     : "Internal Server Error";
	char head[512];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
	                 "Connection: close\r\nServer: clobsim\r\n\r\n",
	                 status, reason, ctype, blen, extra ? extra : "");

	sbuf_add(&c->out, head, (size_t)n);
	sbuf_add(&c->out, body, blen);
	c->st = C_CLOSING;
	s->st.http_requests++;
}

static void http_json(struct server *s, struct client *c, int status, struct sbuf *b)
{
	http_reply(s, c, status, "application/json", NULL, b->p ? b->p : "", b->len);
}

static void stats_json(struct server *s, struct sbuf *b)
{
	char tmp[768];
	size_t ws = 0, subscribed = 0;
	double up = (double)(sim_mono_ns() - s->t_start) / 1e9;

	for (size_t i = 0; i < s->nc; i++) {
		ws += s->c[i]->st == C_WS;
		subscribed += s->c[i]->subscribed;
	}
	snprintf(tmp, sizeof tmp,
	         "{\"uptime_s\":%.3f,\"connections\":%zu,\"ws_connections\":%zu,"
	         "\"subscribed\":%zu,\"connections_total\":%llu,\"frames_generated\":%llu,"
	         "\"frames_sent\":%llu,\"bytes_sent\":%llu,\"frames_received\":%llu,"
	         "\"dropped_slow\":%llu,\"http_requests\":%llu,\"faults\":%llu,"
	         "\"rate_target\":%s}\n",
	         up, s->nc, ws, subscribed, (unsigned long long)s->st.connections,
	         (unsigned long long)s->st.frames_generated, (unsigned long long)s->st.frames_sent,
	         (unsigned long long)s->st.bytes_sent, (unsigned long long)s->st.frames_received,
	         (unsigned long long)s->st.dropped_slow, (unsigned long long)s->st.http_requests,
	         (unsigned long long)s->st.faults, s->cfg->rate_max ? "\"max\"" : "null");
	if (!s->cfg->rate_max) {
		char *q = strstr(tmp, "null}");
		if (q)
			snprintf(q, sizeof tmp - (size_t)(q - tmp), "%.0f}\n", s->cfg->rate);
	}
	sbuf_adds(b, tmp);
	if (b->len >= 2 && !memcmp(b->p + b->len - 2, "}\n", 2)) {
		b->len -= 2;
		restsrv_stats(s, b);
		SBUF_LIT(b, "}\n");
	}
}

/* GET /markets[?clob_token_ids=ID,...][&closed=true] */
static int get_markets(struct server *s, const char *target, struct sbuf *b)
{
	char arg[2048];
	bool closed = rest_query(target, "closed", arg, sizeof arg) && !strcmp(arg, "true");

	if (rest_query(target, "clob_token_ids", arg, sizeof arg))
		return rest_markets(&s->gen, arg, closed, b);
	return rest_markets(&s->gen, NULL, closed, b);
}

/* The body and status of a GET for path (target without its query). */
static int route_get(struct server *s, const char *path, const char *target, struct sbuf *b)
{
	char arg[2048];
	int64_t now = sim_real_ms();

	if (!strcmp(path, "/health")) {
		SBUF_LIT(b, "{\"status\":\"ok\"}\n");
		return 200;
	}
	if (!strcmp(path, "/markets"))
		return get_markets(s, target, b);
	if (!strncmp(path, "/markets/slug/", 14)) {
		snprintf(arg, sizeof arg, "%s", path + 14);
		rest_urldecode(arg);
		return rest_market_slug(&s->gen, arg, b);
	}
	if (!strcmp(path, "/state"))
		return rest_state(&s->gen, s->url, now, b);
	if (!strcmp(path, "/stats")) {
		stats_json(s, b);
		return 200;
	}
	if (!strcmp(path, "/fault"))
		return fault_now(s, target, b);
	SBUF_LIT(b, "{\"error\":\"not found\"}\n");
	return 404;
}

static void route_http(struct server *s, struct client *c, const struct http_req *r,
                       const char *path)
{
	struct sbuf *b = &s->scratch;

	sbuf_reset(b);
	sim_log("client %llu: %s %s", (unsigned long long)c->id, r->method, r->target);
	if (strcmp(r->method, "GET") != 0) {
		SBUF_LIT(b, "{\"error\":\"only GET\"}");
		http_json(s, c, 405, b);
		return;
	}
	int status = route_get(s, path, r->target, b);
	http_json(s, c, status, b);
}

/* Upgrade to a WebSocket session on /ws/market or /ws/user, or refuse. */
static void upgrade(struct server *s, struct client *c, const struct http_req *r, const char *path)
{
	char accept[WS_ACCEPT_LEN + 1], resp[256];

	sim_log("client %llu: upgrade %s", (unsigned long long)c->id, r->target);
	if (strcmp(path, "/ws/market") != 0 && strcmp(path, "/ws/user") != 0) {
		http_reply(s, c, 404, "text/plain", NULL, "Not Found\n", 10);
		return;
	}
	if (strcmp(r->method, "GET") != 0 || !r->http11 || !r->conn_upgrade ||
	    strlen(r->key) != 24) {
		http_reply(s, c, 400, "text/plain", NULL, "bad websocket handshake\n", 24);
		return;
	}
	if (r->ws_version != 13) {
		http_reply(s, c, 426, "text/plain", "Sec-WebSocket-Version: 13\r\n",
		           "unsupported websocket version\n", 30);
		return;
	}
	ws_accept_key(r->key, strlen(r->key), accept);
	int n = snprintf(resp, sizeof resp,
	                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
	                 accept);
	sbuf_add(&c->out, resp, (size_t)n);
	c->st = C_WS;
	c->user_channel = strcmp(path, "/ws/user") == 0;
	ws_rx_init(&c->rx, true, s->cfg->max_msg);
	if (!channel_open(s, c)) {
		conn_kill(c, "out of memory");
		return;
	}
	channel_on_bytes(s, c);
}

/* The body of the request whose head is head bytes: 1 when it is all here (*blen its
 * length), 0 when more must come, -1 when an error answer was queued. */
static int request_body(struct server *s, struct client *c, const struct http_req *r, long head,
                        size_t *blen)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	static const char e411[] = "{\"error\":\"a body needs Content-Length\"}";
	static const char e413[] = "{\"error\":\"body larger than 65536 bytes\"}";

	*blen = 0;
	if (r->chunked || r->body_len == -2 || r->body_len > REST_BODY_MAX) {
		sbuf_reset(&c->in);
		if (r->chunked)
			http_reply(s, c, 411, "application/json", NULL, e411, sizeof e411 - 1);
		else if (r->body_len == -2)
			http_reply(s, c, 400, "text/plain", NULL, "bad request\n", 12);
		else
			http_reply(s, c, 413, "application/json", NULL, e413, sizeof e413 - 1);
		return -1;
	}
	if (r->body_len <= 0)
		return 1;
	if (sbuf_pending(&c->in) - (size_t)head < (size_t)r->body_len) {
		if (r->expect_100 && !c->sent_continue) {
			c->sent_continue = true;
			SBUF_LIT(&c->out, cont);
		}
		return 0;
	}
	*blen = (size_t)r->body_len;
	return 1;
}

void http_on_bytes(struct server *s, struct client *c)
{
	struct http_req r;
	long head;
	char path[1024], extra[64];
	size_t blen;

	if (c->rest_due)
		return; /* a held REST answer: restsrv_pump comes back when it is due */
	head = ws_parse_request(c->in.p ? c->in.p + c->in.off : "", sbuf_pending(&c->in), MAX_HEAD,
	                        &r);
	if (head == 0)
		return;
	if (head < 0) {
		sbuf_reset(&c->in);
		http_reply(s, c, 400, "text/plain", NULL, "bad request\n", 12);
		return;
	}
	if (request_body(s, c, &r, head, &blen) <= 0)
		return;
	snprintf(path, sizeof path, "%s", r.target);
	path[strcspn(path, "?")] = '\0';
	if (!r.upgrade_ws) {
		int st = restsrv_route(s, c, &r, path, c->in.p + c->in.off + head, blen, extra,
		                       sizeof extra);
		if (st < 0)
			return; /* held by restslow, its bytes left in c->in */
		if (st > 0) {
			sbuf_consume(&c->in, (size_t)head + blen);
			http_reply(s, c, st, "application/json", extra[0] ? extra : NULL,
			           s->scratch.p ? s->scratch.p : "", s->scratch.len);
			return;
		}
	}
	sbuf_consume(&c->in, (size_t)head + blen);
	if (r.upgrade_ws)
		upgrade(s, c, &r, path);
	else
		route_http(s, c, &r, path);
}
