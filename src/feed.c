/*
 * feed: the network thread.  One libcurl WebSocket connection (CURLOPT_CONNECT_ONLY = 2,
 * curl_ws_recv / curl_ws_send) to the market channel, driven by one poll() on the socket,
 * the command ring's wake fd and a private stop eventfd, with a timeout taken from the
 * next PING, dead or freeze deadline.
 *
 * It reassembles fragmented messages into one buffer that only grows, stamps each
 * complete message at receipt and pushes it into the data ring; it sends the
 * subscriptions, the keepalive PINGs and the commands coming from the UI; it detects dead
 * and frozen connections and reconnects with capped exponential backoff and full jitter.
 *
 * It must never touch market state and never block on the UI: a full data ring drops
 * data (the ring counts it).  Only connection events are held back (a small queue) and
 * retried, because they are rare and losing one would leave the operator misinformed.
 * Text that came from the network (close reasons, error texts) is sanitised before it
 * goes into a conn_event.
 */
#include "feed.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "curlcfg.h"
#include "mem.h"
#include "wire.h"
#include "sanitize.h"

#define RBUF_INITIAL       (64u * 1024u) /* bytes: first size of the reassembly buffer */
#define RBUF_MIN_ROOM      (16u * 1024u) /* bytes: free space wanted before each recv */
#define CTRL_MAX           128           /* bytes: control frame payloads are <= 125 */
#define PENDING_MAX        32            /* conn events held while the data ring is full */
#define PENDING_RETRY_MS   20            /* ms between retries of held conn events */
#define CONNECT_TIMEOUT_MS 10000L        /* ms for DNS + TCP + TLS + upgrade (or dead_ms) */
#define SEND_TIMEOUT_MS    5000          /* ms a blocked send may wait for the socket */
#define CLOSE_NORMAL       1000          /* RFC 6455 close codes */
#define CLOSE_NO_STATUS    1005          /* never on the wire: close frame without a code */
#define CLOSE_ABNORMAL     1006          /* never on the wire: connection lost without close */

/* Counters shared with other threads; relaxed order is enough for monitoring figures. */
struct feed_counters {
	_Atomic uint64_t frames;     /* complete messages */
	_Atomic uint64_t bytes;      /* payload bytes */
	_Atomic uint64_t pongs;      /* PONG messages */
	_Atomic uint64_t pings;      /* PINGs sent */
	_Atomic uint64_t oversize;   /* messages dropped for size */
	_Atomic uint64_t reconnects; /* connections after the first */
	_Atomic uint64_t sent;       /* subscription frames sent */
};

/* The subscribed set: a plain array of owned strings (not a hot path). */
struct idset {
	char **v;   /* owned, NUL-terminated ids */
	size_t n;   /* ids in use */
	size_t cap; /* slots allocated */
};

enum session_end {
	END_STOP,   /* feed_stop() was called */
	END_CLOSED, /* the peer closed or the connection was lost */
	END_DEAD,   /* no frame for dead_ms */
	END_ERROR,  /* a send or receive failed */
};

struct feed {
	struct feed_config cfg;  /* copy; url and ca_file point at owned copies */
	char *url;               /* owned copy of cfg.url */
	char *ca_file;           /* owned copy of cfg.ca_file, or NULL */
	struct ring *data;       /* producer side: frames and conn events */
	struct ring *cmd;        /* consumer side: commands from the UI */
	pthread_t thread;        /* the feed thread */
	int stop_fd;             /* eventfd written by feed_stop() */
	atomic_bool stop;        /* set by feed_stop() */
	struct feed_counters st; /* see struct feed_stats */

	CURL *curl;                    /* the connection, NULL when disconnected */
	curl_socket_t sock;            /* its socket */
	char errbuf[CURL_ERROR_SIZE];  /* libcurl's own words about the last error */
	bool ever_connected;           /* a connection was opened before */
	int64_t handshake_deadline_ms; /* monotonic ms: connect + upgrade must end by then */
	bool handshake_timed_out;      /* progress_cb aborted perform() for that */

	char *rbuf;          /* reassembly buffer; only grows */
	size_t rcap;         /* bytes allocated */
	size_t rlen;         /* bytes of the current message */
	uint64_t msg_size;   /* bytes of the current message so far (also when skipping) */
	bool skipping;       /* the current message is over max_message: discard the rest */
	char ctrl[CTRL_MAX]; /* payload of the current control frame */
	size_t ctrl_len;     /* bytes in ctrl */

	char *sbuf;       /* outgoing frame being formatted; only grows */
	size_t scap;      /* bytes allocated */
	const char **ids; /* scratch: id pointers of one batch or command; only grows */
	size_t ids_cap;   /* slots allocated */
	char *cbuf;       /* scratch: copy of one command payload; only grows */
	size_t ccap;      /* bytes allocated */

	struct idset subs; /* assets subscribed (or to subscribe at the next connect) */

	struct conn_event pending[PENDING_MAX]; /* conn events the ring refused, oldest first */
	size_t npending;                        /* entries in pending */

	int64_t last_rx_ms;      /* monotonic ms of the last frame of any kind */
	int64_t last_data_ms;    /* monotonic ms of the last message that was not PONG */
	int64_t last_ping_ms;    /* monotonic ms of the last PING sent */
	int64_t since_ms;        /* monotonic ms when the current connection opened */
	bool freeze_fired;       /* one resubscribe done; re-armed by real data */
	int64_t freeze_fired_ms; /* when that resubscribe was sent */
	uint64_t rng;            /* jitter state (splitmix64) */
};

void feed_config_defaults(struct feed_config *c)
{
	memset(c, 0, sizeof(*c));
	/* No default url: the caller names it (clobtop: the option table in options.c). */
	c->batch = 100;
	c->ping_ms = 10000;
	c->dead_ms = 30000;
	c->freeze_ms = 120000;
	c->max_message = (size_t)32 << 20;
	c->backoff_min_ms = 1000;
	c->backoff_max_ms = 60000;
	c->healthy_ms = 60000;
}

static int64_t now_ms(void)
{
	return clock_mono_ns() / NS_PER_MS;
}

static bool stopping(const struct feed *f)
{
	return atomic_load_explicit(&f->stop, memory_order_acquire);
}

static void count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* ---- connection events ---- */

static bool push_conn_now(struct feed *f, const struct conn_event *ev)
{
	struct ring_rec rec = {
	    .len = sizeof(*ev),
	    .kind = REC_CONN,
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = ev,
	};
	return ring_push(f->data, &rec);
}

/* Retries held conn events in order; true when none is left. */
static bool flush_pending(struct feed *f)
{
	size_t done = 0;
	while (done < f->npending && push_conn_now(f, &f->pending[done]))
		done++;
	if (done) {
		memmove(f->pending, f->pending + done,
		        (f->npending - done) * sizeof(f->pending[0]));
		f->npending -= done;
	}
	return f->npending == 0;
}

static void emit(struct feed *f, enum conn_kind kind, int32_t code, int64_t value, const char *text)
{
	struct conn_event ev = {.kind = kind, .code = code, .value = value};
	if (text)
		snprintf(ev.text, sizeof(ev.text), "%s", text);
	if (flush_pending(f) && push_conn_now(f, &ev))
		return;
	if (f->npending == PENDING_MAX) {
		/* The UI has not read for 32 events: keep the newest, they describe now. */
		memmove(f->pending, f->pending + 1, (PENDING_MAX - 1) * sizeof(f->pending[0]));
		f->npending--;
	}
	f->pending[f->npending++] = ev;
}

/* ---- the subscribed set ---- */

static ssize_t idset_find(const struct idset *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return (ssize_t)i;
	return -1;
}

/* True when id was added (false: already there or out of memory). */
static bool idset_add(struct idset *s, const char *id)
{
	if (idset_find(s, id) >= 0)
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return false;
		s->v = v;
		s->cap = cap;
	}
	char *copy = strdup(id);
	if (!copy)
		return false;
	s->v[s->n++] = copy;
	return true;
}

static void idset_remove(struct idset *s, const char *id)
{
	ssize_t i = idset_find(s, id);
	if (i < 0)
		return;
	free(s->v[i]);
	/* Order is kept so that resubscriptions go out in the order the user asked. */
	memmove(s->v + i, s->v + i + 1, (s->n - (size_t)i - 1) * sizeof(*s->v));
	s->n--;
}

static void idset_free(struct idset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- sending ---- */

/* Waits until the socket is writable; false on stop or timeout. */
static bool wait_writable(struct feed *f, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0 || stopping(f))
			return false;
		struct pollfd p[2] = {{.fd = (int)f->sock, .events = POLLOUT},
		                      {.fd = f->stop_fd, .events = POLLIN}};
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR)
			return false;
		if (p[1].revents)
			return false;
		if (p[0].revents)
			return true;
	}
}

static CURLcode ws_send_all(struct feed *f, const char *buf, size_t len, unsigned flags)
{
	int64_t deadline = now_ms() + SEND_TIMEOUT_MS;
	size_t off = 0;
	do {
		size_t sent = 0;
		CURLcode rc = curl_ws_send(f->curl, buf + off, len - off, &sent, 0, flags);
		off += sent;
		if (rc == CURLE_AGAIN) {
			if (!wait_writable(f, deadline))
				return CURLE_SEND_ERROR;
			continue;
		}
		if (rc != CURLE_OK)
			return rc;
	} while (off < len);
	return CURLE_OK;
}

enum frame_shape { FMT_INITIAL, FMT_SUBSCRIBE, FMT_UNSUBSCRIBE };

static size_t format_frame(struct feed *f, enum frame_shape shape, const char *const *ids, size_t n)
{
	size_t need = 128;
	for (size_t i = 0; i < n; i++)
		need += strlen(ids[i]) + 3;
	for (;;) {
		if (!mem_grow((void **)&f->sbuf, &f->scap, need, 1, 16))
			return 0;
		size_t len;
		switch (shape) {
		case FMT_INITIAL:
			len = wire_fmt_initial(f->sbuf, f->scap, ids, n);
			break;
		case FMT_SUBSCRIBE:
			len = wire_fmt_subscribe(f->sbuf, f->scap, ids, n);
			break;
		default:
			len = wire_fmt_unsubscribe(f->sbuf, f->scap, ids, n);
			break;
		}
		if (len)
			return len;
		/* JSON escaping made it longer than estimated. */
		need = f->scap * 2;
		if (need > ((size_t)64 << 20))
			return 0;
	}
}

/* Sends ids as frames of at most batch ids.  The first frame has the initial shape when
 * initial is true; every later one is an operation.  False when the connection failed. */
static bool send_batched(struct feed *f, bool initial, enum frame_shape later,
                         const char *const *ids, size_t n)
{
	size_t batch = (size_t)(f->cfg.batch > 0 ? f->cfg.batch : 100);
	size_t i = 0;
	do {
		size_t k = n - i < batch ? n - i : batch;
		enum frame_shape shape = initial && i == 0 ? FMT_INITIAL : later;
		size_t len = format_frame(f, shape, ids + i, k);
		if (!len) {
			emit(f, CONN_ERROR, 0, 0, "out of memory formatting a subscription frame");
			return false;
		}
		CURLcode rc = ws_send_all(f, f->sbuf, len, CURLWS_TEXT);
		if (rc != CURLE_OK) {
			if (!stopping(f)) {
				char msg[200];
				snprintf(msg, sizeof(msg),
				         "sending a subscription frame failed: %s",
				         curl_easy_strerror(rc));
				emit(f, CONN_ERROR, (int32_t)rc, 0, msg);
			}
			return false;
		}
		count(&f->st.sent, 1);
		i += k;
	} while (i < n);
	return true;
}

static bool send_initial(struct feed *f)
{
	if (!send_batched(f, true, FMT_SUBSCRIBE, (const char *const *)f->subs.v, f->subs.n))
		return false;
	emit(f, CONN_SUBSCRIBED, 0, (int64_t)f->subs.n, NULL);
	return true;
}

static bool send_ping(struct feed *f)
{
	CURLcode rc = ws_send_all(f, "PING", 4, CURLWS_TEXT);
	if (rc != CURLE_OK) {
		if (!stopping(f)) {
			char msg[120];
			snprintf(msg, sizeof(msg), "sending PING failed: %s",
			         curl_easy_strerror(rc));
			emit(f, CONN_ERROR, (int32_t)rc, 0, msg);
		}
		return false;
	}
	count(&f->st.pings, 1);
	f->last_ping_ms = now_ms();
	return true;
}

static void send_close(struct feed *f, int code)
{
	unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
	size_t sent;
	/* Best effort: the connection is being dropped whatever happens. */
	(void)curl_ws_send(f->curl, p, sizeof(p), &sent, 0, CURLWS_CLOSE);
}

/* ---- commands from the UI ---- */

/* Splits the command payload into ids (pointers into f->cbuf); returns how many. */
static size_t split_ids(struct feed *f, const char *src, size_t len)
{
	if (!mem_grow((void **)&f->cbuf, &f->ccap, len + 1, 1, 16))
		return 0;
	memcpy(f->cbuf, src, len);
	f->cbuf[len] = '\0';
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(f->cbuf, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (!mem_grow((void **)&f->ids, &f->ids_cap, n + 1, sizeof(*f->ids), 16))
			break;
		f->ids[n++] = t;
	}
	return n;
}

static void describe(char *dst, size_t cap, const char *verb, const char *const *ids, size_t n,
                     bool queued)
{
	size_t pos =
	    (size_t)snprintf(dst, cap, "%s %zu%s:", verb, n, queued ? " (at connect)" : "");
	for (size_t i = 0; i < n && pos + 1 < cap; i++) {
		int w = snprintf(dst + pos, cap - pos, " %s", ids[i]);
		if (w < 0)
			break;
		pos += (size_t)w;
	}
	if (pos >= cap && cap > 4)
		memcpy(dst + cap - 4, "...", 4);
}

/* Applies one command to the subscribed set and, when connected, to the server.  False
 * when sending failed (the connection must be dropped). */
static bool handle_command(struct feed *f, const struct ring_rec *rec)
{
	if (rec->len < 1)
		return true;
	const char *p = rec->data;
	char op = p[0];
	size_t n = split_ids(f, p + 1, rec->len - 1);
	const char *const *ids = (const char *const *)f->ids;
	bool live = f->curl != NULL;
	bool ok = true;
	char text[sizeof(((struct conn_event *)0)->text)];
	char clean[sizeof(text)];

	if (op == FEED_RECONNECT) {
		/* The operator's "reconnect now": false ends the session or the backoff. */
		emit(f, CONN_SENT, 0, 0, "reconnect requested by the operator");
		return false;
	}
	if (n == 0)
		return true;
	switch (op) {
	case FEED_SUB: {
		/* Subscribing to an id already subscribed gains nothing (no new snapshot). */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (idset_add(&f->subs, ids[i]))
				f->ids[k++] = ids[i];
		if (k && live)
			ok = send_batched(f, false, FMT_SUBSCRIBE, ids, k);
		describe(text, sizeof(text), "subscribe", ids, k, !live);
		n = k;
		break;
	}
	case FEED_UNSUB:
		for (size_t i = 0; i < n; i++)
			idset_remove(&f->subs, ids[i]);
		if (live)
			ok = send_batched(f, false, FMT_UNSUBSCRIBE, ids, n);
		describe(text, sizeof(text), "unsubscribe", ids, n, !live);
		break;
	case FEED_RESYNC:
		for (size_t i = 0; i < n; i++)
			idset_add(&f->subs, ids[i]);
		if (live)
			ok = send_batched(f, false, FMT_UNSUBSCRIBE, ids, n) &&
			     send_batched(f, false, FMT_SUBSCRIBE, ids, n);
		describe(text, sizeof(text), "resync", ids, n, !live);
		break;
	default:
		snprintf(text, sizeof(text), "unknown command op 0x%02x ignored",
		         (unsigned char)op);
		emit(f, CONN_ERROR, 0, 0, text);
		return true;
	}
	if (ok) {
		/* Ids came from the UI, which may have taken them from the network. */
		sanitize_text(clean, sizeof(clean), text, strlen(text));
		emit(f, CONN_SENT, 0, (int64_t)n, clean);
	}
	return ok;
}

/* Drains the command ring.  False when a send failed. */
static bool drain_commands(struct feed *f)
{
	struct ring_rec rec;
	bool ok = true;
	ring_wake_drain(f->cmd);
	while (ring_peek(f->cmd, &rec)) {
		if (rec.kind == REC_CMD && ok)
			ok = handle_command(f, &rec);
		ring_release(f->cmd);
	}
	return ok;
}

/* ---- receiving ---- */

static bool is_pong(const char *p, size_t n)
{
	return n == 4 && memcmp(p, "PONG", 4) == 0;
}

static void deliver(struct feed *f)
{
	struct ring_rec rec = {
	    .len = (uint32_t)f->rlen,
	    .kind = REC_FRAME,
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = f->rbuf,
	};
	bool pong = is_pong(f->rbuf, f->rlen);
	count(&f->st.frames, 1);
	if (pong) {
		count(&f->st.pongs, 1);
	} else {
		f->last_data_ms = rec.t_mono_ns / 1000000;
		f->freeze_fired = false;
	}
	flush_pending(f);
	(void)ring_push(f->data, &rec); /* a full ring drops and counts: never wait */
}

static void report_close(struct feed *f)
{
	int code = CLOSE_NO_STATUS;
	char clean[sizeof(((struct conn_event *)0)->text)];
	clean[0] = '\0';
	if (f->ctrl_len >= 2) {
		code = ((unsigned char)f->ctrl[0] << 8) | (unsigned char)f->ctrl[1];
		sanitize_text(clean, sizeof(clean), f->ctrl + 2, f->ctrl_len - 2);
	}
	emit(f, CONN_CLOSED, code, 0, clean);
	/* Echo the code, as RFC 6455 asks; 1005 must not go on the wire. */
	send_close(f, code == CLOSE_NO_STATUS ? CLOSE_NORMAL : code);
}

/* Ensures room for the next recv into the reassembly buffer. */
static bool reserve(struct feed *f)
{
	if (f->rcap - f->rlen >= RBUF_MIN_ROOM)
		return true;
	size_t want = f->rcap ? f->rcap * 2 : RBUF_INITIAL;
	char *n = realloc(f->rbuf, want);
	if (!n)
		return false;
	f->rbuf = n;
	f->rcap = want;
	return true;
}

enum rx_result {
	RX_IDLE, /* libcurl said CURLE_AGAIN: nothing more until the socket is readable */
	RX_MORE, /* stopped after a burst so timers and commands get a turn: call again */
	RX_END,  /* the connection is over (already reported) */
};

#define RX_BURST 256 /* messages read before the loop looks at timers and commands */

/* Reads until libcurl says CURLE_AGAIN: it may hold data the socket no longer shows, so
 * a readable socket is a hint, not the only reason to read. */
static enum rx_result drain_socket(struct feed *f)
{
	for (unsigned burst = 0; burst < RX_BURST;) {
		if (stopping(f))
			return RX_MORE;
		if (!reserve(f)) {
			emit(f, CONN_ERROR, 0, 0, "out of memory growing the receive buffer");
			return RX_END;
		}
		size_t n = 0;
		const struct curl_ws_frame *m = NULL;
		char *dst = f->rbuf + f->rlen;
		CURLcode rc = curl_ws_recv(f->curl, dst, f->rcap - f->rlen, &n, &m);
		if (rc == CURLE_AGAIN)
			return RX_IDLE;
		if (rc != CURLE_OK) {
			char msg[200];
			snprintf(msg, sizeof(msg), "connection lost without a close frame: %s",
			         curl_easy_strerror(rc));
			emit(f, CONN_CLOSED, CLOSE_ABNORMAL, 0, msg);
			return RX_END;
		}
		f->last_rx_ms = now_ms();
		if (m->flags & (CURLWS_CLOSE | CURLWS_PING | CURLWS_PONG)) {
			/* Control frames may come between the fragments of a message: keep them
			 * out of the reassembly buffer. */
			if (m->offset == 0)
				f->ctrl_len = 0;
			size_t k = n < CTRL_MAX - f->ctrl_len ? n : CTRL_MAX - f->ctrl_len;
			memcpy(f->ctrl + f->ctrl_len, dst, k);
			f->ctrl_len += k;
			if (m->bytesleft == 0 && (m->flags & CURLWS_CLOSE)) {
				report_close(f);
				return RX_END;
			}
			continue; /* libcurl answers WebSocket pings itself */
		}
		count(&f->st.bytes, n);
		f->msg_size += n;
		if (!f->skipping && f->msg_size + (uint64_t)m->bytesleft > f->cfg.max_message) {
			/* Known as soon as the frame header says so: never grow for it. */
			f->skipping = true;
			f->rlen = 0;
		}
		if (!f->skipping)
			f->rlen += n;
		if (m->bytesleft != 0 || (m->flags & CURLWS_CONT))
			continue;
		if (f->skipping) {
			count(&f->st.oversize, 1);
			emit(f, CONN_OVERSIZE, 0, (int64_t)f->msg_size, NULL);
		} else {
			deliver(f);
		}
		f->rlen = 0;
		f->msg_size = 0;
		f->skipping = false;
		burst++;
	}
	return RX_MORE;
}

/* ---- connecting ---- */

static int progress_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct feed *f = p;
	(void)dt, (void)dn, (void)ut, (void)un;
	/* CURLOPT_CONNECTTIMEOUT does not cover the HTTP upgrade: a server that accepts and
	 * never answers would hold perform() forever.  This bounds it, and lets feed_stop()
	 * interrupt it. */
	if (stopping(f))
		return 1;
	if (now_ms() > f->handshake_deadline_ms) {
		f->handshake_timed_out = true;
		return 1;
	}
	return 0;
}

static void report_connect_error(struct feed *f, CURLcode rc)
{
	const char *what;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		what = "cannot resolve the host name";
		break;
	case CURLE_COULDNT_CONNECT:
		what = "cannot connect";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		what = "connection timed out";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		/* The hint goes first so that a long detail cannot cut it off. */
		what = "TLS certificate verification failed (use --ca-file)";
		break;
	case CURLE_SSL_CACERT_BADFILE:
		what = "cannot read the CA file";
		break;
	case CURLE_SSL_CONNECT_ERROR:
		what = "TLS handshake failed";
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		what = "unsupported URL scheme (need ws:// or wss://)";
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		what = f->handshake_timed_out ? "WebSocket handshake timed out" : "aborted";
		break;
	default:
		what = curl_easy_strerror(rc);
		break;
	}
	const char *detail = f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc);
	char msg[CURL_ERROR_SIZE + 128];
	char clean[sizeof(((struct conn_event *)0)->text)];
	snprintf(msg, sizeof(msg), "%.100s: %.*s", what, CURL_ERROR_SIZE, detail);
	/* libcurl's words may quote the server (certificate names, HTTP status lines). */
	sanitize_text(clean, sizeof(clean), msg, strlen(msg));
	emit(f, CONN_ERROR, (int32_t)rc, 0, clean);
}

static void disconnect(struct feed *f)
{
	if (f->curl)
		curl_easy_cleanup(f->curl);
	f->curl = NULL;
	f->sock = CURL_SOCKET_BAD;
	f->rlen = 0;
	f->msg_size = 0;
	f->skipping = false;
	f->ctrl_len = 0;
}

static bool connect_ws(struct feed *f)
{
	emit(f, CONN_CONNECTING, 0, 0, f->url);
	f->curl = curl_easy_init();
	if (!f->curl) {
		emit(f, CONN_ERROR, 0, 0, "curl_easy_init failed (out of memory?)");
		return false;
	}
	CURL *c = f->curl;
	f->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, f->url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 2L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* A handshake slower than dead_ms would be declared dead anyway once open. */
	long limit = f->cfg.dead_ms > 0 && f->cfg.dead_ms < CONNECT_TIMEOUT_MS ? f->cfg.dead_ms
	                                                                       : CONNECT_TIMEOUT_MS;
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, limit);
	f->handshake_deadline_ms = now_ms() + limit;
	f->handshake_timed_out = false;
	curl_easy_setopt(c, CURLOPT_USERAGENT, "clobtop");
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
	curlcfg_tls(c, f->ca_file, f->cfg.insecure);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &f->sock);
	if (rc != CURLE_OK || f->sock == CURL_SOCKET_BAD) {
		if (!stopping(f))
			report_connect_error(f, rc != CURLE_OK ? rc : CURLE_COULDNT_CONNECT);
		disconnect(f);
		return false;
	}
	if (f->ever_connected)
		count(&f->st.reconnects, 1);
	f->ever_connected = true;
	emit(f, CONN_CONNECTED, 0, 0, NULL);
	return true;
}

/* ---- the session: one open connection ---- */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static bool resubscribe_all(struct feed *f)
{
	const char *const *ids = (const char *const *)f->subs.v;
	return send_batched(f, false, FMT_UNSUBSCRIBE, ids, f->subs.n) &&
	       send_batched(f, false, FMT_SUBSCRIBE, ids, f->subs.n);
}

static enum session_end run_session(struct feed *f)
{
	int64_t t = now_ms();
	f->since_ms = t;
	f->last_rx_ms = t;
	f->last_data_ms = t;
	f->last_ping_ms = t;
	f->freeze_fired = false;

	/* The initial subscription always goes first, even empty: a PING before it is
	 * answered with close 1008. */
	if (!send_initial(f))
		return stopping(f) ? END_STOP : END_ERROR;

	enum rx_result rx = drain_socket(f);
	for (;;) {
		if (rx == RX_END)
			return END_CLOSED;
		if (stopping(f))
			return END_STOP;
		t = now_ms();
		int64_t due =
		    min64(f->last_ping_ms + f->cfg.ping_ms, f->last_rx_ms + f->cfg.dead_ms);
		if (f->subs.n)
			due = min64(due, f->freeze_fired ? f->freeze_fired_ms + f->cfg.freeze_ms
			                                 : f->last_data_ms + f->cfg.freeze_ms);
		int64_t wait = due - t;
		if (f->npending)
			wait = min64(wait, PENDING_RETRY_MS);
		if (wait < 0 || rx == RX_MORE)
			wait = 0;

		struct pollfd p[3] = {{.fd = (int)f->sock, .events = POLLIN},
		                      {.fd = ring_wake_fd(f->cmd), .events = POLLIN},
		                      {.fd = f->stop_fd, .events = POLLIN}};
		int r = poll(p, 3, (int)wait);
		if (r < 0 && errno != EINTR) {
			emit(f, CONN_ERROR, 0, 0, "poll failed");
			return END_ERROR;
		}
		if (stopping(f))
			return END_STOP;
		if (f->npending)
			flush_pending(f);
		if (p[1].revents && !drain_commands(f))
			return stopping(f) ? END_STOP : END_ERROR;
		bool more = rx == RX_MORE;
		rx = RX_IDLE;
		if (p[0].revents || more) {
			rx = drain_socket(f);
			if (rx == RX_END)
				return END_CLOSED;
		}

		t = now_ms();
		if (t - f->last_rx_ms >= f->cfg.dead_ms) {
			emit(f, CONN_DEAD, 0, t - f->last_rx_ms, NULL);
			send_close(f, CLOSE_NORMAL);
			return END_DEAD;
		}
		if (t - f->last_ping_ms >= f->cfg.ping_ms && !send_ping(f))
			return stopping(f) ? END_STOP : END_ERROR;
		if (f->subs.n && !f->freeze_fired && t - f->last_data_ms >= f->cfg.freeze_ms) {
			/* Alive (PONGs) but no data: one unsubscribe + subscribe, then wait for
			 * real data before trying again, so a dead market cannot cause a storm. */
			f->freeze_fired = true;
			f->freeze_fired_ms = t;
			emit(f, CONN_FREEZE, 0, t - f->last_data_ms, NULL);
			if (!resubscribe_all(f))
				return stopping(f) ? END_STOP : END_ERROR;
		} else if (f->subs.n && f->freeze_fired &&
		           t - f->freeze_fired_ms >= f->cfg.freeze_ms) {
			/* The resubscribe brought nothing either: this connection is useless even
			 * though it answers PINGs.  A new one is the last resort (code 1). */
			emit(f, CONN_FREEZE, 1, t - f->last_data_ms,
			     "no data after resubscribing: reconnecting");
			send_close(f, CLOSE_NORMAL);
			return END_DEAD;
		}
	}
}

static uint64_t rng_next(struct feed *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Waits ms or until stop; commands are applied to the set meanwhile. */
static void backoff_wait(struct feed *f, int64_t ms)
{
	int64_t deadline = now_ms() + ms;
	for (;;) {
		if (f->npending)
			flush_pending(f);
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return;
		if (f->npending && left > PENDING_RETRY_MS)
			left = PENDING_RETRY_MS;
		struct pollfd p[2] = {{.fd = ring_wake_fd(f->cmd), .events = POLLIN},
		                      {.fd = f->stop_fd, .events = POLLIN}};
		int r = poll(p, 2, (int)left);
		if (stopping(f))
			return;
		if (r > 0 && p[0].revents && !drain_commands(f))
			return; /* FEED_RECONNECT: try now */
	}
}

static void *feed_main(void *arg)
{
	struct feed *f = arg;
	int64_t delay = f->cfg.backoff_min_ms > 0 ? f->cfg.backoff_min_ms : 1;
	int64_t cap = f->cfg.backoff_max_ms > delay ? f->cfg.backoff_max_ms : delay;

	/* Commands queued before the first connection only shape the initial set. */
	drain_commands(f);
	while (!stopping(f)) {
		if (connect_ws(f)) {
			enum session_end end = run_session(f);
			if (end == END_STOP) {
				send_close(f, CLOSE_NORMAL);
				disconnect(f);
				break;
			}
			if (now_ms() - f->since_ms >= f->cfg.healthy_ms)
				delay = f->cfg.backoff_min_ms > 0 ? f->cfg.backoff_min_ms : 1;
			if (end != END_CLOSED && end != END_DEAD)
				send_close(f, CLOSE_NORMAL);
		}
		disconnect(f);
		if (stopping(f))
			break;
		/* Full jitter spreads reconnecting clients; the 10% floor avoids hot loops. */
		int64_t floor = delay / 10 > 0 ? delay / 10 : 1;
		int64_t wait = floor + (int64_t)(rng_next(f) % (uint64_t)(delay - floor + 1));
		emit(f, CONN_BACKOFF, 0, wait, NULL);
		backoff_wait(f, wait);
		delay = delay * 2 < cap ? delay * 2 : cap;
	}
	emit(f, CONN_STOPPED, 0, 0, NULL);
	/* Last chance for held events; the UI reads the ring after joining. */
	flush_pending(f);
	return NULL;
}

/* ---- public API ---- */

static void feed_free(struct feed *f)
{
	if (!f)
		return;
	if (f->stop_fd >= 0)
		close(f->stop_fd);
	idset_free(&f->subs);
	free(f->url);
	free(f->ca_file);
	free(f->rbuf);
	free(f->sbuf);
	free(f->ids);
	free(f->cbuf);
	free(f);
}

struct feed *feed_start(const struct feed_config *cfg, struct ring *data, struct ring *cmd,
                        char *err, size_t errlen)
{
	if (!cfg || !cfg->url || !data || !cmd) {
		snprintf(err, errlen, "feed: no URL or no ring");
		return NULL;
	}
	struct feed *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "feed: out of memory");
		return NULL;
	}
	f->cfg = *cfg;
	f->stop_fd = -1;
	f->sock = CURL_SOCKET_BAD;
	f->data = data;
	f->cmd = cmd;
	f->url = strdup(cfg->url);
	f->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	if (!f->url || (cfg->ca_file && !f->ca_file))
		goto oom;
	f->cfg.url = f->url;
	f->cfg.ca_file = f->ca_file;
	f->cfg.assets = NULL;
	f->cfg.nassets = 0;
	if (f->cfg.max_message == 0)
		f->cfg.max_message = (size_t)32 << 20;
	if (f->cfg.max_message > ring_max_record(data))
		f->cfg.max_message = ring_max_record(data); /* larger could never be pushed */
	for (size_t i = 0; i < cfg->nassets; i++)
		if (cfg->assets[i] && cfg->assets[i][0] && !idset_add(&f->subs, cfg->assets[i]) &&
		    idset_find(&f->subs, cfg->assets[i]) < 0)
			goto oom;
	f->rng = (uint64_t)clock_real_ns() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)f;
	f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->stop_fd < 0) {
		snprintf(err, errlen, "feed: eventfd: %s", strerror(errno));
		feed_free(f);
		return NULL;
	}
	int e = pthread_create(&f->thread, NULL, feed_main, f);
	if (e) {
		snprintf(err, errlen, "feed: cannot start the thread: %s", strerror(e));
		feed_free(f);
		return NULL;
	}
	return f;
oom:
	snprintf(err, errlen, "feed: out of memory");
	feed_free(f);
	return NULL;
}

void feed_stop(struct feed *f)
{
	if (!f)
		return;
	atomic_store_explicit(&f->stop, true, memory_order_release);
	uint64_t one = 1;
	ssize_t w = write(f->stop_fd, &one, sizeof(one));
	(void)w; /* the counter cannot overflow here; the flag is what matters */
	pthread_join(f->thread, NULL);
	disconnect(f);
	feed_free(f);
}

void feed_stats(const struct feed *f, struct feed_stats *out)
{
	struct feed_counters *c = (struct feed_counters *)&f->st;
	out->frames = atomic_load_explicit(&c->frames, memory_order_relaxed);
	out->bytes = atomic_load_explicit(&c->bytes, memory_order_relaxed);
	out->pongs = atomic_load_explicit(&c->pongs, memory_order_relaxed);
	out->pings = atomic_load_explicit(&c->pings, memory_order_relaxed);
	out->oversize = atomic_load_explicit(&c->oversize, memory_order_relaxed);
	out->reconnects = atomic_load_explicit(&c->reconnects, memory_order_relaxed);
	out->sent = atomic_load_explicit(&c->sent, memory_order_relaxed);
}

bool feed_command(struct ring *cmd, enum feed_op op, const char *ids)
{
	size_t n = ids ? strlen(ids) : 0;
	if (n + 1 > ring_max_record(cmd) || n + 1 > UINT32_MAX)
		return false;
	char *buf = malloc(n + 1); /* UI side, a few per minute: not a hot path */
	if (!buf)
		return false;
	buf[0] = (char)op;
	if (n)
		memcpy(buf + 1, ids, n);
	struct ring_rec rec = {
	    .len = (uint32_t)(n + 1),
	    .kind = REC_CMD,
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = buf,
	};
	bool ok = ring_push(cmd, &rec);
	free(buf);
	return ok;
}
