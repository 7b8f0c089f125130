/*
 * net: clobsim's single-threaded poll() server: listening socket, connections (plain
 * or TLS), HTTP routing, the market-channel session, flow pacing, replay and faults.
 *
 * One loop owns everything, so nothing needs a lock.  Every socket is non-blocking and
 * every connection has its own output buffer: a slow reader must never stall the loop
 * or the other readers; past --max-buffer unsent bytes it is dropped and logged.  Faults
 * happen only when asked for (flags or GET /fault).
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "rest.h"
#include "tape.h"
#include "ws.h"

#define MAX_HEAD      16384        /* bytes of an HTTP request head */
#define READ_CHUNK    16384        /* bytes read per read() call */
#define GEN_WATERMARK (4u << 20)   /* pending bytes under which --rate max generates */
#define LINGER_NS     2000000000LL /* wait for the peer's FIN after our close, ns */
#define FAULT_LOG_MAX 20           /* fault events logged per connection */

enum cstate {
	C_TLS,     /* TLS handshake in progress */
	C_HTTP,    /* reading a request head */
	C_WS,      /* WebSocket session */
	C_CLOSING, /* flushing, then shutdown and wait for the peer's FIN */
};

struct client {
	uint64_t id;            /* connection number, from 1 */
	int fd;                 /* socket */
	SSL *ssl;               /* TLS session, or NULL */
	enum cstate st;         /* where the connection is */
	bool user_channel;      /* connected to /ws/user */
	bool dead;              /* to be reaped at the end of the loop */
	bool abrupt;            /* close without a close frame once the output is flushed */
	bool shut;              /* shutdown(SHUT_WR) done while closing */
	int64_t close_deadline; /* monotonic ns: give up waiting for the peer */
	struct sbuf in;         /* received, unprocessed bytes */
	struct sbuf out;        /* bytes queued for the socket */
	struct ws_rx rx;        /* frame reassembly */
	bool subscribed;        /* the initial subscription was received */
	bool custom;            /* custom_feature_enabled was asked for */
	uint8_t *sub;           /* per token: subscribed (heap, gen ntokens) */
	uint64_t data_sent;     /* data frames queued (faults count these) */
	uint64_t pc_seen;       /* price_changes since the last withheld one */
	bool drop_armed;        /* withhold the next top-changing price_change */
	bool stalled;           /* send nothing more (fault) */
	bool frozen;            /* send only PONG (fault) */
	bool freeze_done;       /* --freeze-after already fired on this connection */
	int fault_logs;         /* fault events logged so far */
	double wbucket;         /* --slow-write: bytes that may be written now */
	int64_t wlast;          /* monotonic ns of the last refill */
	bool replaying;         /* receiving the tape */
	size_t rp_pos;          /* next tape frame */
	int64_t rp_t0;          /* monotonic ns the tape started for this connection */
	bool ssl_want_write;    /* TLS needs POLLOUT to make progress on a read */
};

struct stats {
	uint64_t frames_generated; /* synthetic frames produced */
	uint64_t frames_sent;      /* data frames queued to connections */
	uint64_t bytes_sent;       /* bytes written to sockets */
	uint64_t frames_received;  /* client WebSocket messages */
	uint64_t connections;      /* accepted in total */
	uint64_t dropped_slow;     /* connections dropped for a full output buffer */
	uint64_t http_requests;    /* non-WebSocket requests answered */
	uint64_t faults;           /* fault events injected */
};

struct server {
	const struct sim_cfg *cfg; /* options */
	int lfd;                   /* listening socket */
	int port;                  /* bound port */
	SSL_CTX *tls;              /* TLS context, or NULL for plain */
	struct gen gen;            /* synthetic truth */
	struct tape tape;          /* --replay recording */
	bool replay;               /* serving the tape */
	struct client **c;         /* connections (heap array of pointers) */
	size_t nc;                 /* entries in c */
	size_t ccap;               /* entries allocated */
	uint64_t next_id;          /* id of the next connection */
	struct pollfd *pfd;        /* poll set (heap) */
	size_t pfd_cap;            /* entries allocated */
	struct stats st;           /* counters for /stats */
	int64_t t_start;           /* monotonic ns at start */
	int64_t gen_t0;            /* monotonic ns pacing started */
	uint64_t gen_done;         /* frames generated since gen_t0 */
	int64_t next_close_all;    /* monotonic ns of the next --close-every, 0 off */
	int64_t next_announce;     /* monotonic ns of the next new_market, 0 off */
	int64_t next_resolve;      /* monotonic ns of the next resolution, 0 off */
	bool paused;               /* GET /fault?kind=pause: the truth stands still */
	char *oversize;            /* the oversize frame (heap, lazily built) */
	size_t oversize_len;       /* its bytes */
	struct sbuf scratch;       /* dump arrays and HTTP bodies */
	char url[64];              /* ws(s)://127.0.0.1:PORT/ws/market */
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* --- log ----------------------------------------------------------------------------- */

static FILE *log_fp;

int sim_log_open(const char *path)
{
	if (!path) {
		log_fp = stderr;
		return 0;
	}
	log_fp = fopen(path, "a");
	if (!log_fp) {
		log_fp = stderr;
		return -1;
	}
	setvbuf(log_fp, NULL, _IOLBF, 0);
	return 0;
}

void sim_log_close(void)
{
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	log_fp = NULL;
}

void sim_log(const char *fmt, ...)
{
	FILE *f = log_fp ? log_fp : stderr;
	va_list ap;

	fputs("clobsim: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

void sim_log_frame(uint64_t client, const char *what, const uint8_t *p, size_t n)
{
	char esc[4096 + 8];
	size_t w = 0;

	for (size_t i = 0; i < n && w + 5 < 4096; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			esc[w++] = (char)c;
		} else {
			static const char hx[] = "0123456789abcdef";
			esc[w++] = '\\';
			esc[w++] = 'x';
			esc[w++] = hx[c >> 4];
			esc[w++] = hx[c & 15];
		}
	}
	esc[w] = '\0';
	sim_log("client %llu recv %s %zu bytes: %s%s", (unsigned long long)client, what, n, esc,
	        w + 5 >= 4096 ? "..." : "");
}

/* --- output -------------------------------------------------------------------------- */

static bool fault_applies(const struct server *s, const struct client *c)
{
	return s->cfg->fault.client == 0 || s->cfg->fault.client == c->id;
}

static void client_kill(struct server *s, struct client *c, const char *why)
{
	(void)s;
	if (c->dead)
		return;
	if (why)
		sim_log("client %llu closed: %s", (unsigned long long)c->id, why);
	c->dead = true;
}

static void queue_frame_raw(struct client *c, uint8_t op, bool fin, const void *p, size_t n)
{
	uint8_t h[WS_MAX_HEADER];
	size_t hl = ws_frame_header(h, fin, op, n, NULL);

	sbuf_add(&c->out, h, hl);
	sbuf_add(&c->out, p, n);
}

/* A whole text message, split into fragments when --fragment asks. */
static void queue_text(struct server *s, struct client *c, const void *p, size_t n)
{
	if (s->cfg->fault.fragment && n >= 3 && fault_applies(s, c)) {
		size_t a = n / 3, b = n / 3;
		const uint8_t *q = p;
		queue_frame_raw(c, WS_OP_TEXT, false, q, a);
		queue_frame_raw(c, WS_OP_CONT, false, q + a, b);
		queue_frame_raw(c, WS_OP_CONT, true, q + a + b, n - a - b);
		return;
	}
	queue_frame_raw(c, WS_OP_TEXT, true, p, n);
}

static void check_backlog(struct server *s, struct client *c)
{
	size_t limit = s->cfg->max_buffer;

	if (s->oversize_len && limit < s->oversize_len + (1u << 20))
		limit = s->oversize_len + (1u << 20);
	if (c->out.oom || sbuf_pending(&c->out) > limit) {
		char why[96];
		snprintf(why, sizeof why, "slow reader: %zu bytes unsent (limit %zu)",
		         sbuf_pending(&c->out), limit);
		s->st.dropped_slow++;
		client_kill(s, c, why);
	}
}

static void ws_close_with(struct server *s, struct client *c, uint16_t code, const char *reason)
{
	uint8_t p[WS_MAX_CONTROL];
	size_t rl = strlen(reason);

	if (c->st == C_CLOSING || c->dead)
		return;
	if (rl > WS_MAX_CONTROL - 2)
		rl = WS_MAX_CONTROL - 2;
	p[0] = (uint8_t)(code >> 8);
	p[1] = (uint8_t)code;
	memcpy(p + 2, reason, rl);
	queue_frame_raw(c, WS_OP_CLOSE, true, p, rl + 2);
	sim_log("client %llu: sending close %u \"%s\"", (unsigned long long)c->id, code, reason);
	c->st = C_CLOSING;
	c->stalled = false; /* a close must get out even from a stalled connection */
	(void)s;
}

static void fault_log(struct client *c, const char *what)
{
	if (c->fault_logs++ < FAULT_LOG_MAX)
		sim_log("client %llu: fault %s", (unsigned long long)c->id, what);
}

static void build_oversize(struct server *s)
{
	size_t n = s->cfg->fault.oversize_bytes;
	static const char head[] = "{\"event_type\":\"clobsim_padding\",\"padding\":\"";

	if (s->oversize || n < sizeof head + 2)
		return;
	s->oversize = malloc(n);
	if (!s->oversize)
		return;
	memcpy(s->oversize, head, sizeof head - 1);
	memset(s->oversize + sizeof head - 1, 'x', n - (sizeof head - 1) - 2);
	memcpy(s->oversize + n - 2, "\"}", 2);
	s->oversize_len = n;
}

static void fault_garbage(struct server *s, struct client *c)
{
	static const char g[] = "{\"event_type\":\"book\",\"asset_id\":\x01garbage]]} not json";
	queue_text(s, c, g, sizeof g - 1);
	s->st.faults++;
	fault_log(c, "garbage frame");
}

static void fault_truncate(struct server *s, struct client *c, const char *p, size_t n)
{
	static const char dflt[] = "{\"event_type\":\"price_change\",\"market\":\"0x";
	if (n < 4) {
		p = dflt;
		n = sizeof dflt - 1;
	}
	queue_text(s, c, p, n / 2);
	s->st.faults++;
	fault_log(c, "truncated frame");
}

static void fault_oversize(struct server *s, struct client *c)
{
	build_oversize(s);
	if (!s->oversize)
		return;
	queue_text(s, c, s->oversize, s->oversize_len);
	s->st.faults++;
	fault_log(c, "oversize frame");
}

static void fault_close(struct server *s, struct client *c, const char *why)
{
	s->st.faults++;
	sim_log("client %llu: fault abrupt close (%s)", (unsigned long long)c->id, why);
	c->abrupt = true;
	c->st = C_CLOSING;
}

/* Queue one data frame for a connection, applying the per-connection faults. */
static void send_data(struct server *s, struct client *c, const char *p, size_t n,
                      bool price_change, bool top_changed)
{
	const struct sim_faults *f = &s->cfg->fault;
	bool fa;

	if (c->dead || c->st != C_WS || c->stalled || c->frozen || c->abrupt)
		return;
	fa = fault_applies(s, c);
	if (fa && price_change) {
		if (f->drop_every && ++c->pc_seen >= f->drop_every)
			c->drop_armed = true;
		if (c->drop_armed && top_changed) {
			c->drop_armed = false;
			c->pc_seen = 0;
			s->st.faults++;
			/* Always logged (not capped): tests count executed drops. */
			sim_log("client %llu: fault withheld a price_change",
			        (unsigned long long)c->id);
			return;
		}
	}
	queue_text(s, c, p, n);
	c->data_sent++;
	s->st.frames_sent++;
	if (fa) {
		uint64_t k = c->data_sent;
		if (f->garbage_every && k % f->garbage_every == 0)
			fault_garbage(s, c);
		if (f->truncate_every && k % f->truncate_every == 0)
			fault_truncate(s, c, p, n);
		if (f->oversize_every && k % f->oversize_every == 0)
			fault_oversize(s, c);
		if (f->close_after && k >= f->close_after) {
			fault_close(s, c, "--close-after");
			return;
		}
		if (f->stall_after && k >= f->stall_after && !c->stalled) {
			c->stalled = true;
			s->st.faults++;
			fault_log(c, "stalled (no more bytes, socket kept open)");
		}
		if (f->freeze_after && k >= f->freeze_after && !c->freeze_done) {
			c->frozen = c->freeze_done = true;
			s->st.faults++;
			fault_log(c, "frozen (PONG only)");
		}
	}
	check_backlog(s, c);
}

/* --- market channel ------------------------------------------------------------------ */

static int ntokens(const struct server *s)
{
	return s->gen.nmarkets * 2;
}

static bool market_subscribed(const struct client *c, int mi)
{
	return c->sub && (c->sub[mi * 2] || c->sub[mi * 2 + 1]);
}

static void sub_set(struct server *s, struct client *c, int t, bool on)
{
	int mi = t / 2;
	bool before = market_subscribed(c, mi);

	c->sub[t] = on;
	bool after = market_subscribed(c, mi);
	if (before != after)
		s->gen.m[mi].nsub += after ? 1 : -1;
}

static void sub_clear(struct server *s, struct client *c)
{
	if (!c->sub)
		return;
	for (int t = 0; t < ntokens(s); t++)
		if (c->sub[t])
			sub_set(s, c, t, false);
}

/* Apply a list of asset ids; on subscribe, answer with the books of the newly
 * subscribed known tokens as one array frame, or [] when none of them is known. */
static void apply_assets(struct server *s, struct client *c, json_t *ids, bool subscribe, bool dump)
{
	struct sbuf *b = &s->scratch;
	size_t i;
	json_t *v;
	int books = 0, unknown = 0;
	int64_t now = real_ms();

	sbuf_reset(b);
	sbuf_addc(b, '[');
	json_array_foreach(ids, i, v)
	{
		const char *id = json_string_value(v);
		int t;

		if (!id) {
			unknown++;
			continue;
		}
		t = gen_find_token(&s->gen, id, strlen(id));
		if (t < 0 || (subscribe && s->gen.m[t / 2].closed)) {
			unknown++;
			continue;
		}
		if (!subscribe) {
			if (c->sub[t])
				sub_set(s, c, t, false);
			continue;
		}
		if (c->sub[t])
			continue; /* already subscribed: no new snapshot */
		sub_set(s, c, t, true);
		if (books++)
			sbuf_addc(b, ',');
		gen_book_json(&s->gen, t, now, true, b);
	}
	sbuf_addc(b, ']');
	if (!subscribe || !dump || s->replay)
		return;
	if (books || unknown)
		send_data(s, c, b->p, b->len, false, false);
}

static bool is_text(const uint8_t *p, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

/* PONG and INVALID OPERATION: also queued while stalled (they leave on resume), and
 * while frozen (a frozen feed still answers PING). */
static void send_control_text(struct server *s, struct client *c, const char *t)
{
	if (c->st != C_WS)
		return;
	queue_text(s, c, t, strlen(t));
	check_backlog(s, c);
}

static void on_text(struct server *s, struct client *c, const uint8_t *p, size_t n)
{
	json_t *j, *ids;
	bool custom;

	sim_log_frame(c->id, "text", p, n);
	if (c->user_channel) {
		ws_close_with(s, c, WS_CLOSE_POLICY, "user channel not supported by clobsim");
		return;
	}
	if (is_text(p, n, "PING")) {
		if (!c->subscribed)
			ws_close_with(s, c, WS_CLOSE_POLICY, "invalid subscription payload");
		else
			send_control_text(s, c, "PONG");
		return;
	}
	j = json_loadb((const char *)p, n, 0, NULL);
	ids = json_object_get(j, "assets_ids");
	if (!json_is_object(j) || (ids && !json_is_array(ids))) {
		json_decref(j);
		if (!c->subscribed)
			ws_close_with(s, c, WS_CLOSE_POLICY, "invalid subscription payload");
		else
			send_control_text(s, c, "INVALID OPERATION");
		return;
	}
	if (ids && (int)json_array_size(ids) > s->cfg->max_assets) {
		json_decref(j);
		sim_log("client %llu: %zu asset ids in one frame (limit %d)",
		        (unsigned long long)c->id, json_array_size(ids), s->cfg->max_assets);
		fault_close(s, c, "too many asset ids in one frame");
		return;
	}
	custom = json_is_true(json_object_get(j, "custom_feature_enabled"));
	if (!c->subscribed) {
		json_t *type = json_object_get(j, "type");
		if (!ids || !json_is_string(type) ||
		    strcasecmp(json_string_value(type), "market") != 0) {
			json_decref(j);
			ws_close_with(s, c, WS_CLOSE_POLICY, "invalid subscription payload");
			return;
		}
		c->subscribed = true;
		c->custom = custom;
		apply_assets(s, c, ids, true, json_is_true(json_object_get(j, "initial_dump")));
		if (s->replay) {
			c->replaying = true;
			c->rp_pos = 0;
			c->rp_t0 = mono_ns();
		}
		json_decref(j);
		return;
	}
	json_t *op = json_object_get(j, "operation");
	const char *ops = json_string_value(op);
	if (json_object_get(j, "type") || !ids || !ops ||
	    (strcasecmp(ops, "subscribe") != 0 && strcasecmp(ops, "unsubscribe") != 0)) {
		json_decref(j);
		send_control_text(s, c, "INVALID OPERATION");
		return;
	}
	if (custom)
		c->custom = true;
	if (c->frozen && strcasecmp(ops, "subscribe") == 0) {
		/* As on the live service, a fresh subscription ends a silent freeze. */
		c->frozen = false;
		fault_log(c, "freeze lifted by a subscribe operation");
	}
	apply_assets(s, c, ids, strcasecmp(ops, "subscribe") == 0, true);
	json_decref(j);
}

static void on_ws_bytes(struct server *s, struct client *c)
{
	while (c->st == C_WS && !c->dead) {
		struct ws_event ev;
		size_t used;
		int r = ws_rx_next(&c->rx, (uint8_t *)c->in.p + c->in.off, sbuf_pending(&c->in),
		                   &used, &ev);

		sbuf_consume(&c->in, used);
		if (r == WS_RX_NEED)
			return;
		if (r < 0) {
			sim_log("client %llu: protocol error, closing with %d",
			        (unsigned long long)c->id, -r);
			ws_close_with(s, c, (uint16_t)-r, "protocol error");
			return;
		}
		s->st.frames_received++;
		switch (ev.opcode) {
		case WS_OP_TEXT:
			on_text(s, c, ev.data, ev.len);
			break;
		case WS_OP_BINARY:
			sim_log_frame(c->id, "binary", ev.data, ev.len);
			ws_close_with(s, c, WS_CLOSE_UNSUPPORTED, "binary frames are not accepted");
			break;
		case WS_OP_PING:
			queue_frame_raw(c, WS_OP_PONG, true, ev.data, ev.len);
			break;
		case WS_OP_PONG:
			break;
		case WS_OP_CLOSE:
			sim_log("client %llu: received close %u", (unsigned long long)c->id,
			        ev.close_code);
			ws_close_with(s, c,
			              ev.close_code == WS_CLOSE_NO_STATUS ? WS_CLOSE_NORMAL
			                                                  : ev.close_code,
			              "");
			break;
		default:
			break;
		}
	}
}

/* --- HTTP ---------------------------------------------------------------------------- */

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
	double up = (double)(mono_ns() - s->t_start) / 1e9;

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

/* GET /fault?kind=K[&client=N]: one fault now, on the matching connections. */
static int fault_now(struct server *s, const char *target, struct sbuf *b)
{
	char kind[32] = "", cl[24] = "";
	uint64_t only = 0;
	int hit = 0;

	rest_query(target, "kind", kind, sizeof kind);
	if (rest_query(target, "client", cl, sizeof cl))
		only = strtoull(cl, NULL, 10);
	if (!strcmp(kind, "cross")) {
		s->gen.want_cross = true;
		hit = 1;
	} else if (!strcmp(kind, "wrongbbo")) {
		s->gen.want_wrong_bbo = true;
		hit = 1;
	} else if (!strcmp(kind, "newmarket")) {
		s->next_announce = 1;
		hit = 1;
	} else if (!strcmp(kind, "resolve")) {
		s->next_resolve = 1;
		hit = 1;
	} else if (!strcmp(kind, "pause") || !strcmp(kind, "play")) {
		/* Not a fault but a test control: with the flow paused the truth stands
		 * still, so a client's books can be compared with /state at leisure. */
		s->paused = kind[1] == 'a';
		s->gen_t0 = mono_ns();
		s->gen_done = 0;
		hit = 1;
	} else {
		static const char *const kinds[] = {"close",    "stall",    "freeze", "garbage",
		                                    "truncate", "oversize", "drop",   "resume"};
		bool known = false;
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			known = known || !strcmp(kind, kinds[k]);
		if (!known) {
			SBUF_LIT(b,
			         "{\"ok\":false,\"error\":\"kind must be one of close stall freeze "
			         "garbage truncate oversize drop resume cross wrongbbo newmarket "
			         "resolve pause play\"}\n");
			return 400;
		}
		for (size_t i = 0; i < s->nc; i++) {
			struct client *c = s->c[i];
			if (c->st != C_WS || !c->subscribed || c->dead || (only && c->id != only))
				continue;
			hit++;
			if (!strcmp(kind, "close"))
				fault_close(s, c, "GET /fault");
			else if (!strcmp(kind, "stall"))
				c->stalled = true;
			else if (!strcmp(kind, "freeze"))
				c->frozen = true;
			else if (!strcmp(kind, "garbage"))
				fault_garbage(s, c);
			else if (!strcmp(kind, "truncate"))
				fault_truncate(s, c, NULL, 0);
			else if (!strcmp(kind, "oversize"))
				fault_oversize(s, c);
			else if (!strcmp(kind, "drop"))
				c->drop_armed = true;
			else if (!strcmp(kind, "resume"))
				c->stalled = c->frozen = false;
			if (strcmp(kind, "close") && strcmp(kind, "garbage") &&
			    strcmp(kind, "truncate") && strcmp(kind, "oversize"))
				fault_log(c, kind);
		}
	}
	if (!strcmp(kind, "cross") || !strcmp(kind, "wrongbbo") || !strcmp(kind, "stall") ||
	    !strcmp(kind, "freeze") || !strcmp(kind, "drop"))
		s->st.faults += (uint64_t)hit;
	sim_log("GET /fault kind=%s: %d target(s)", kind, hit);
	char tmp[128];
	snprintf(tmp, sizeof tmp, "{\"ok\":true,\"kind\":\"%s\",\"targets\":%d}\n", kind, hit);
	sbuf_adds(b, tmp);
	return 200;
}

static void route_http(struct server *s, struct client *c, const struct http_req *r)
{
	char path[1024], arg[2048];
	struct sbuf *b = &s->scratch;
	int status;
	int64_t now = real_ms();

	snprintf(path, sizeof path, "%s", r->target);
	path[strcspn(path, "?")] = '\0';
	sbuf_reset(b);
	sim_log("client %llu: %s %s", (unsigned long long)c->id, r->method, r->target);

	if (strcmp(r->method, "GET") != 0) {
		SBUF_LIT(b, "{\"error\":\"only GET\"}");
		http_json(s, c, 405, b);
		return;
	}
	if (!strcmp(path, "/health")) {
		SBUF_LIT(b, "{\"status\":\"ok\"}\n");
		status = 200;
	} else if (!strcmp(path, "/book")) {
		if (!rest_query(r->target, "token_id", arg, sizeof arg)) {
			SBUF_LIT(b, "{\"error\":\"Invalid payload\"}");
			status = 400;
		} else {
			status = rest_book(&s->gen, arg, now, b);
		}
	} else if (!strcmp(path, "/markets")) {
		bool closed =
		    rest_query(r->target, "closed", arg, sizeof arg) && !strcmp(arg, "true");
		if (rest_query(r->target, "clob_token_ids", arg, sizeof arg))
			status = rest_markets(&s->gen, arg, closed, b);
		else
			status = rest_markets(&s->gen, NULL, closed, b);
	} else if (!strncmp(path, "/markets/slug/", 14)) {
		snprintf(arg, sizeof arg, "%s", path + 14);
		rest_urldecode(arg);
		status = rest_market_slug(&s->gen, arg, b);
	} else if (!strcmp(path, "/state")) {
		status = rest_state(&s->gen, s->url, now, b);
	} else if (!strcmp(path, "/stats")) {
		stats_json(s, b);
		status = 200;
	} else if (!strcmp(path, "/fault")) {
		status = fault_now(s, r->target, b);
	} else {
		SBUF_LIT(b, "{\"error\":\"not found\"}\n");
		status = 404;
	}
	http_json(s, c, status, b);
}

static void on_http_bytes(struct server *s, struct client *c)
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

	if (!r.upgrade_ws) {
		route_http(s, c, &r);
		return;
	}
	sim_log("client %llu: upgrade %s", (unsigned long long)c->id, r.target);
	if (strcmp(path, "/ws/market") != 0 && strcmp(path, "/ws/user") != 0) {
		http_reply(s, c, 404, "text/plain", NULL, "Not Found\n", 10);
		return;
	}
	if (strcmp(r.method, "GET") != 0 || !r.http11 || !r.conn_upgrade || strlen(r.key) != 24) {
		http_reply(s, c, 400, "text/plain", NULL, "bad websocket handshake\n", 24);
		return;
	}
	if (r.ws_version != 13) {
		http_reply(s, c, 426, "text/plain", "Sec-WebSocket-Version: 13\r\n",
		           "unsupported websocket version\n", 30);
		return;
	}
	char accept[WS_ACCEPT_LEN + 1], resp[256];
	ws_accept_key(r.key, strlen(r.key), accept);
	int n = snprintf(resp, sizeof resp,
	                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
	                 accept);
	sbuf_add(&c->out, resp, (size_t)n);
	c->st = C_WS;
	c->user_channel = strcmp(path, "/ws/user") == 0;
	ws_rx_init(&c->rx, true, s->cfg->max_msg);
	c->sub = calloc((size_t)ntokens(s), 1);
	if (!c->sub) {
		client_kill(s, c, "out of memory");
		return;
	}
	on_ws_bytes(s, c);
}

/* --- sockets ------------------------------------------------------------------------- */

static void client_free(struct server *s, struct client *c)
{
	sub_clear(s, c);
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	sbuf_free(&c->in);
	sbuf_free(&c->out);
	ws_rx_free(&c->rx);
	free(c->sub);
	free(c);
}

static void do_accept(struct server *s)
{
	for (;;) {
		struct sockaddr_in a;
		socklen_t al = sizeof a;
		int fd = accept4(s->lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int one = 1;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				sim_log("accept: %s", strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (s->nc == s->ccap) {
			size_t nc = s->ccap ? s->ccap * 2 : 16;
			struct client **p = realloc(s->c, nc * sizeof *p);
			if (!p) {
				close(fd);
				return;
			}
			s->c = p;
			s->ccap = nc;
		}
		struct client *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->id = s->next_id++;
		c->st = s->tls ? C_TLS : C_HTTP;
		c->wlast = mono_ns();
		if (s->tls) {
			c->ssl = SSL_new(s->tls);
			if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
				client_free(s, c);
				continue;
			}
			SSL_set_accept_state(c->ssl);
		}
		s->c[s->nc++] = c;
		s->st.connections++;
		sim_log("client %llu connected from %s:%u%s", (unsigned long long)c->id,
		        inet_ntoa(a.sin_addr), ntohs(a.sin_port), s->tls ? " (tls)" : "");
	}
}

static void tls_error(struct server *s, struct client *c, const char *what)
{
	char buf[200];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	char why[300];
	snprintf(why, sizeof why, "%s: %s", what, e ? buf : "connection closed");
	client_kill(s, c, why);
}

/* Read what is available.  Returns false when the connection ended. */
static bool client_read(struct server *s, struct client *c)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n;

		if (!sbuf_reserve(&c->in, READ_CHUNK)) {
			client_kill(s, c, "out of memory");
			return false;
		}
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_read(c->ssl, c->in.p + c->in.len, READ_CHUNK);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					return true;
				if (e == SSL_ERROR_WANT_WRITE) {
					c->ssl_want_write = true;
					return true;
				}
				if (e == SSL_ERROR_ZERO_RETURN) {
					client_kill(
					    s, c, c->st == C_CLOSING ? NULL : "peer closed (tls)");
					return false;
				}
				tls_error(s, c, "tls read");
				return false;
			}
			n = r;
		} else {
			n = read(c->fd, c->in.p + c->in.len, READ_CHUNK);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return true;
				client_kill(s, c, strerror(errno));
				return false;
			}
			if (n == 0) {
				client_kill(
				    s, c, c->st == C_CLOSING ? NULL : "peer closed the connection");
				return false;
			}
		}
		c->in.len += (size_t)n;
		if (c->st == C_CLOSING) /* draining until the peer's FIN */
			sbuf_reset(&c->in);
		if (sbuf_pending(&c->in) > s->cfg->max_msg + MAX_HEAD + 64) {
			/* the ws decoder refuses big frames early; this caps HTTP heads too */
			if (c->st == C_HTTP)
				return true;
		}
		if ((size_t)n < READ_CHUNK)
			return true;
	}
	return true;
}

static void client_write(struct server *s, struct client *c, int64_t now)
{
	while (sbuf_pending(&c->out) && !c->dead) {
		size_t n = sbuf_pending(&c->out);
		ssize_t w;

		if (c->stalled && c->st == C_WS)
			return;
		if (s->cfg->fault.slow_write && fault_applies(s, c)) {
			double rate = (double)s->cfg->fault.slow_write;
			c->wbucket += rate * (double)(now - c->wlast) / 1e9;
			c->wlast = now;
			if (c->wbucket > rate)
				c->wbucket = rate;
			if (c->wbucket < 1)
				return;
			if ((double)n > c->wbucket)
				n = (size_t)c->wbucket;
		}
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_write(c->ssl, c->out.p + c->out.off,
			                  n > INT32_MAX ? INT32_MAX : (int)n);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					return;
				tls_error(s, c, "tls write");
				return;
			}
			w = r;
		} else {
			w = send(c->fd, c->out.p + c->out.off, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return;
				client_kill(s, c, strerror(errno));
				return;
			}
		}
		if (s->cfg->fault.slow_write && fault_applies(s, c))
			c->wbucket -= (double)w;
		sbuf_consume(&c->out, (size_t)w);
		s->st.bytes_sent += (uint64_t)w;
	}
	if (c->st == C_CLOSING && !sbuf_pending(&c->out) && !c->dead) {
		if (c->abrupt) {
			client_kill(s, c, "abrupt close (fault)");
			return;
		}
		if (!c->shut) {
			c->shut = true;
			if (c->ssl)
				SSL_shutdown(c->ssl);
			shutdown(c->fd, SHUT_WR);
			c->close_deadline = now + LINGER_NS;
		}
	}
}

static void client_io(struct server *s, struct client *c, short rev)
{
	if (rev & (POLLIN | POLLHUP | POLLERR) || (c->ssl_want_write && (rev & POLLOUT))) {
		c->ssl_want_write = false;
		if (c->st == C_TLS) {
			ERR_clear_error();
			int r = SSL_accept(c->ssl);
			if (r == 1) {
				c->st = C_HTTP;
			} else {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE)
					c->ssl_want_write = true;
				else if (e != SSL_ERROR_WANT_READ)
					tls_error(s, c, "tls handshake");
				return;
			}
		}
		if (!client_read(s, c))
			return;
		if (c->st == C_HTTP)
			on_http_bytes(s, c);
		else if (c->st == C_WS)
			on_ws_bytes(s, c);
	}
}

/* --- flow ---------------------------------------------------------------------------- */

static void distribute(struct server *s)
{
	struct gen *g = &s->gen;

	for (int i = 0; i < g->nmsg; i++) {
		const struct gen_msg *m = &g->msg[i];
		const char *p = g->out.p + m->off;

		for (size_t k = 0; k < s->nc; k++) {
			struct client *c = s->c[k];
			if (!c->subscribed || (m->custom && !c->custom))
				continue;
			if (!m->global && !market_subscribed(c, m->market))
				continue;
			send_data(s, c, p, m->len, m->kind == GEN_PRICE_CHANGE, m->top_changed);
		}
	}
}

static bool readers_hungry(const struct server *s)
{
	bool any = false;

	for (size_t k = 0; k < s->nc; k++) {
		const struct client *c = s->c[k];
		if (!c->subscribed || c->dead || c->st != C_WS || c->stalled || c->frozen)
			continue;
		if (sbuf_pending(&c->out) >= GEN_WATERMARK)
			return false;
		any = true;
	}
	return any;
}

static void pump_flow(struct server *s, int64_t now)
{
	int64_t now_ms = real_ms();
	uint64_t due;

	if (s->replay || s->paused)
		return;
	if (s->cfg->rate_max) {
		due = readers_hungry(s) ? 2048 : 0;
	} else if (s->cfg->rate > 0) {
		double want = (double)(now - s->gen_t0) / 1e9 * s->cfg->rate;
		double cap = s->cfg->rate * 0.05 + 1;
		if (want - (double)s->gen_done > cap) {
			/* we fell behind (a stop of the process): do not burst to catch up */
			s->gen_done = (uint64_t)(want - cap);
		}
		due = want > (double)s->gen_done ? (uint64_t)(want - (double)s->gen_done) : 0;
	} else {
		due = 0;
	}
	while (due > 0) {
		int f = gen_step(&s->gen, now_ms, false);
		if (f <= 0)
			break;
		distribute(s);
		s->st.frames_generated += (uint64_t)f;
		s->gen_done += (uint64_t)f;
		due = (uint64_t)f >= due ? 0 : due - (uint64_t)f;
	}
}

static void pump_replay(struct server *s, int64_t now)
{
	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		while (c->replaying && !c->dead && c->st == C_WS) {
			const struct tape_frame *f;

			if (c->rp_pos >= s->tape.n) {
				c->replaying = false;
				sim_log("client %llu: replay finished (%zu frames)",
				        (unsigned long long)c->id, s->tape.n);
				break;
			}
			f = &s->tape.frame[c->rp_pos];
			if (!s->cfg->speed_max &&
			    (double)(now - c->rp_t0) * s->cfg->speed < (double)f->t_ns)
				break;
			if (sbuf_pending(&c->out) >= GEN_WATERMARK)
				break;
			if (c->stalled || c->frozen) {
				c->rp_pos++;
				continue;
			}
			send_data(s, c, f->text, f->len, f->price_change, true);
			c->rp_pos++;
		}
	}
}

static void pump_timers(struct server *s, int64_t now)
{
	const struct sim_cfg *cfg = s->cfg;

	if (s->next_close_all && now >= s->next_close_all) {
		s->next_close_all = now + (int64_t)(cfg->fault.close_every * 1e9);
		for (size_t k = 0; k < s->nc; k++) {
			struct client *c = s->c[k];
			if (c->st == C_WS && !c->dead && fault_applies(s, c))
				fault_close(s, c, "--close-every");
		}
	}
	if (s->next_announce && now >= s->next_announce && !s->replay && !s->paused) {
		s->next_announce =
		    cfg->new_market_every > 0 ? now + (int64_t)(cfg->new_market_every * 1e9) : 0;
		if (gen_announce(&s->gen, real_ms()) > 0) {
			s->st.frames_generated++;
			distribute(s);
		}
	}
	if (s->next_resolve && now >= s->next_resolve && !s->replay && !s->paused) {
		s->next_resolve =
		    cfg->resolve_every > 0 ? now + (int64_t)(cfg->resolve_every * 1e9) : 0;
		if (gen_resolve(&s->gen, real_ms()) > 0) {
			s->st.frames_generated++;
			distribute(s);
		}
	}
}

static void reap(struct server *s, int64_t now)
{
	size_t w = 0;

	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		if (!c->dead && c->shut && now >= c->close_deadline)
			client_kill(s, c, NULL);
		if (c->dead) {
			client_free(s, c);
			continue;
		}
		s->c[w++] = c;
	}
	s->nc = w;
}

/* --- set-up -------------------------------------------------------------------------- */

static int listen_on(struct server *s, int port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int one = 1;

	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(s->lfd, 128) < 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	return 0;
}

static int tls_setup(struct server *s)
{
	const struct sim_cfg *cfg = s->cfg;

	s->tls = SSL_CTX_new(TLS_server_method());
	if (!s->tls)
		return -1;
	SSL_CTX_set_min_proto_version(s->tls, TLS1_2_VERSION);
	SSL_CTX_set_mode(s->tls,
	                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(s->tls, cfg->tls_cert) != 1) {
		fprintf(stderr, "clobsim: cannot load certificate %s\n", cfg->tls_cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(s->tls, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(s->tls) != 1) {
		fprintf(stderr, "clobsim: cannot load private key %s (or it does not match %s)\n",
		        cfg->tls_key, cfg->tls_cert);
		return -1;
	}
	return 0;
}

static int write_text_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

static void write_state(struct server *s)
{
	struct sbuf b = {0};

	rest_state(&s->gen, s->url, real_ms(), &b);
	if (!b.p || write_text_file(s->cfg->state_file, b.p, b.len) != 0)
		sim_log("cannot write state file %s: %s", s->cfg->state_file, strerror(errno));
	else
		sim_log("state written to %s", s->cfg->state_file);
	sbuf_free(&b);
}

static int poll_timeout(const struct server *s)
{
	if (!s->replay && (s->cfg->rate > 0 || s->cfg->rate_max))
		return 1;
	for (size_t k = 0; k < s->nc; k++)
		if (s->c[k]->replaying || (s->cfg->fault.slow_write && sbuf_pending(&s->c[k]->out)))
			return 1;
	return 20;
}

int net_run(const struct sim_cfg *cfg)
{
	static struct server srv;
	struct server *s = &srv;
	struct sigaction sa;
	char err[256];
	int rc = 0;

	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->next_id = 1;
	s->lfd = -1;
	if (gen_init(&s->gen, &cfg->gen) != 0) {
		fprintf(stderr, "clobsim: cannot set up %d markets\n", cfg->gen.markets);
		return 1;
	}
	if (cfg->assets_out) {
		FILE *f = fopen(cfg->assets_out, "w");
		if (!f) {
			fprintf(stderr, "clobsim: cannot write %s: %s\n", cfg->assets_out,
				strerror(errno));
			gen_free(&s->gen);
			return 1;
		}
		for (int i = 0; i < s->gen.nmarkets; i++)
			for (int k = 0; k < 2 && s->gen.m[i].visible; k++)
				fprintf(f, "%s %s \u00b7 %s\n", s->gen.m[i].token[k],
					s->gen.m[i].outcome[k], s->gen.m[i].question);
		if (fclose(f) != 0) {
			fprintf(stderr, "clobsim: cannot write %s\n", cfg->assets_out);
			gen_free(&s->gen);
			return 1;
		}
	}
	if (cfg->replay) {
		if (tape_load(&s->tape, cfg->replay, err, sizeof err) != 0) {
			fprintf(stderr, "clobsim: %s\n", err);
			gen_free(&s->gen);
			return 1;
		}
		s->replay = true;
	}
	if (cfg->tls_cert && tls_setup(s) != 0) {
		ERR_print_errors_fp(stderr);
		gen_free(&s->gen);
		return 1;
	}
	if (listen_on(s, cfg->port) != 0) {
		fprintf(stderr, "clobsim: cannot listen on 127.0.0.1:%d: %s\n", cfg->port,
		        strerror(errno));
		return 1;
	}
	snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d/ws/market", s->tls ? "wss" : "ws",
	         s->port);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	printf("clobsim: listening on 127.0.0.1:%d\n", s->port);
	fflush(stdout);
	if (cfg->port_file) {
		char pb[16];
		int n = snprintf(pb, sizeof pb, "%d\n", s->port);
		if (write_text_file(cfg->port_file, pb, (size_t)n) != 0)
			sim_log("cannot write port file %s: %s", cfg->port_file, strerror(errno));
	}
	sim_log("serving %s (%d markets, %s)", s->url, cfg->gen.markets,
	        s->replay ? "replay" : "synthetic flow");

	s->t_start = s->gen_t0 = mono_ns();
	if (cfg->fault.close_every > 0)
		s->next_close_all = s->t_start + (int64_t)(cfg->fault.close_every * 1e9);
	if (cfg->new_market_every > 0)
		s->next_announce = s->t_start + (int64_t)(cfg->new_market_every * 1e9);
	if (cfg->resolve_every > 0)
		s->next_resolve = s->t_start + (int64_t)(cfg->resolve_every * 1e9);

	while (!stop_flag) {
		size_t np = s->nc + 1;
		int64_t now;

		if (np > s->pfd_cap) {
			struct pollfd *p = realloc(s->pfd, np * 2 * sizeof *p);
			if (!p) {
				rc = 1;
				break;
			}
			s->pfd = p;
			s->pfd_cap = np * 2;
		}
		s->pfd[0].fd = s->lfd;
		s->pfd[0].events = POLLIN;
		s->pfd[0].revents = 0;
		for (size_t k = 0; k < s->nc; k++) {
			struct client *c = s->c[k];
			s->pfd[k + 1].fd = c->fd;
			s->pfd[k + 1].events = POLLIN;
			if ((sbuf_pending(&c->out) && !(c->stalled && c->st == C_WS)) ||
			    c->ssl_want_write)
				s->pfd[k + 1].events |= POLLOUT;
			s->pfd[k + 1].revents = 0;
		}
		if (poll(s->pfd, (nfds_t)np, poll_timeout(s)) < 0 && errno != EINTR) {
			sim_log("poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		now = mono_ns();
		/* new connections are appended past np: they get their first poll next round */
		for (size_t k = 0; k + 1 < np; k++)
			if (s->pfd[k + 1].revents)
				client_io(s, s->c[k], s->pfd[k + 1].revents);
		if (s->pfd[0].revents & POLLIN)
			do_accept(s);
		pump_timers(s, now);
		pump_flow(s, now);
		pump_replay(s, now);
		for (size_t k = 0; k < s->nc; k++)
			if (s->c[k]->st != C_TLS)
				client_write(s, s->c[k], now);
		reap(s, now);
		if (cfg->duration > 0 && now - s->t_start >= (int64_t)(cfg->duration * 1e9)) {
			sim_log("duration of %.3g s reached", cfg->duration);
			break;
		}
	}
	if (stop_flag)
		sim_log("signal received, shutting down");
	if (cfg->state_file)
		write_state(s);
	sim_log("sent %llu frames, %llu bytes; generated %llu; %llu connections",
	        (unsigned long long)s->st.frames_sent, (unsigned long long)s->st.bytes_sent,
	        (unsigned long long)s->st.frames_generated, (unsigned long long)s->st.connections);
	for (size_t k = 0; k < s->nc; k++)
		client_free(s, s->c[k]);
	free(s->c);
	free(s->pfd);
	free(s->oversize);
	sbuf_free(&s->scratch);
	if (s->tls)
		SSL_CTX_free(s->tls);
	if (s->lfd >= 0)
		close(s->lfd);
	tape_free(&s->tape);
	gen_free(&s->gen);
	return rc;
}
