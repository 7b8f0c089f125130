/*
 * http: clobsim's HTTP side: request heads, the routes (CLOB /book, Gamma /markets,
 * /state, /stats, /health, /fault) and the WebSocket upgrade to /ws/market or /ws/user.
 *
 * Every plain request gets one answer and the connection closes (Connection: close);
 * bodies come from rest.c, faults.c or the counters here.  It never answers a request
 * it could not parse with anything but 400, and never writes to a socket (conn.c does).
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
	                     : status == 426 ? "Upgrade Required"
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
	if (!strcmp(path, "/book")) {
		if (rest_query(target, "token_id", arg, sizeof arg))
			return rest_book(&s->gen, arg, now, b);
		SBUF_LIT(b, "{\"error\":\"Invalid payload\"}");
		return 400;
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
	if (!strcmp(path, "/clients")) {
		clients_json(s, b);
		return 200;
	}
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

void http_on_bytes(struct server *s, struct client *c)
{
	struct http_req r;
	long head = ws_parse_request(c->in.p ? c->in.p + c->in.off : "", sbuf_pending(&c->in),
	                             MAX_HEAD, &r);
	char path[1024];

	if (head == 0)
		return;
	if (head < 0) {
		sbuf_reset(&c->in);
		http_reply(s, c, 400, "text/plain", NULL, "bad request\n", 12);
		return;
	}
	sbuf_consume(&c->in, (size_t)head);
	snprintf(path, sizeof path, "%s", r.target);
	path[strcspn(path, "?")] = '\0';
	if (r.upgrade_ws)
		upgrade(s, c, &r, path);
	else
		route_http(s, c, &r, path);
}
