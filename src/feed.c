/*
 * feed: the network thread's connection, session and lifecycle, and the public API.  One
 * libcurl WebSocket connection (CURLOPT_CONNECT_ONLY = 2, curl_ws_recv / curl_ws_send)
 * to the market channel, driven by one poll() on the socket, the command ring's wake fd
 * and a private stop eventfd, with a timeout taken from the next PING, dead or freeze
 * deadline.  The receive path is feed_rx.c, the subscribed set and commands feed_subs.c.
 *
 * It sends the keepalive PINGs, detects dead and frozen connections and reconnects with
 * capped exponential backoff and full jitter.  Every wait also watches the stop fd and
 * every send has a deadline, so feed_stop() is bounded whatever the peer does.
 *
 * It must never touch market state and never block on the UI: a full data ring drops
 * data (the ring counts it).  Only connection events are held back (a small queue) and
 * retried, because they are rare and losing one would leave the operator misinformed.
 * Text that came from the network (close reasons, error texts) is sanitised before it
 * goes into a conn_event.  Threads: see feed.h.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "curlcfg.h"
#include "mem.h"
#include "wire.h"
#include "sanitize.h"
#include "feed_int.h"

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

/* ---- connection events ---- */

static bool push_conn_now(struct feed *f, const struct conn_event *ev)
{
	struct ring_rec rec = {
	    .len = sizeof(*ev),
	    .kind = REC_CONN,
	    .flags = feed_rec_flags(f),
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = ev,
	};
	return ring_push(f->data, &rec);
}

/* What was lost goes before anything newer, so the UI resyncs those assets before it
 * applies later updates to them.  True when nothing lost is left to report. */
static bool flush_lost(struct feed *f)
{
	if (!f->lost || !lostids_pending(f->lost))
		return true;
	size_t len;
	const void *payload = lostids_payload(f->lost, &len);
	struct ring_rec rec = {
	    .len = (uint32_t)len,
	    .kind = REC_LOST,
	    .flags = feed_rec_flags(f),
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = payload,
	};
	if (!ring_push(f->data, &rec))
		return false;
	lostids_clear(f->lost);
	return true;
}

/* Retries held conn events in order; true when none is left. */
bool feed_flush_pending(struct feed *f)
{
	if (!flush_lost(f))
		return false;
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

void feed_emit(struct feed *f, enum conn_kind kind, int32_t code, int64_t value, const char *text)
{
	struct conn_event ev = {.kind = kind, .code = code, .value = value};
	if (text)
		snprintf(ev.text, sizeof(ev.text), "%s", text);
	if (feed_flush_pending(f) && push_conn_now(f, &ev))
		return;
	if (f->npending == PENDING_MAX) {
		/* The UI has not read for 32 events: keep the newest, they describe now. */
		memmove(f->pending, f->pending + 1, (PENDING_MAX - 1) * sizeof(f->pending[0]));
		f->npending--;
		if (f->lost)
			lostids_add_all(f->lost); /* a lost conn event: any book may be wrong */
	}
	f->pending[f->npending++] = ev;
}

/* ---- sending ---- */

/* Waits until the socket is writable: CURLE_OK, or CURLE_ABORTED_BY_CALLBACK on stop,
 * CURLE_OPERATION_TIMEDOUT at the deadline. */
static CURLcode wait_writable(struct feed *f, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (stopping(f))
			return CURLE_ABORTED_BY_CALLBACK;
		if (left <= 0)
			return CURLE_OPERATION_TIMEDOUT;
		struct pollfd p[2] = {{.fd = (int)f->sock, .events = POLLOUT},
		                      {.fd = f->stop_fd, .events = POLLIN}};
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR)
			return CURLE_SEND_ERROR;
		if (p[1].revents)
			return CURLE_ABORTED_BY_CALLBACK;
		if (p[0].revents)
			return CURLE_OK;
	}
}

/* Sends one whole frame.  libcurl's send never blocks here (CONNECT_ONLY): a peer that
 * does not read makes it say CURLE_AGAIN, and a frame not sent within dead_ms means the
 * connection is dead (CURLE_OPERATION_TIMEDOUT): the deadline is not renewed by partial
 * progress, or a peer reading a byte now and then would hold the thread here forever.  feed_stop()
 * interrupts the wait.  A zero-length payload still needs its header flushed, hence the loop on rc.
 */
CURLcode feed_send_all(struct feed *f, const void *buf, size_t len, unsigned flags)
{
	int64_t deadline = now_ms() + f->cfg.dead_ms;
	size_t off = 0;
	for (;;) {
		size_t sent = 0;
		CURLcode rc =
		    curl_ws_send(f->curl, (const char *)buf + off, len - off, &sent, 0, flags);
		off += sent;
		if (rc == CURLE_AGAIN) {
			rc = wait_writable(f, deadline);
			if (rc != CURLE_OK)
				return rc;
			continue;
		}
		if (rc != CURLE_OK || off >= len)
			return rc;
	}
}

/* Reports a failed send of what (unless feed_stop() caused it), in words. */
void feed_report_send_error(struct feed *f, const char *what, CURLcode rc)
{
	char msg[CURL_ERROR_SIZE + 200];
	char clean[sizeof(((struct conn_event *)0)->text)];
	if (stopping(f))
		return;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(msg, sizeof(msg),
		         "sending %s did not complete within %d ms (the peer does not read): "
		         "connection dropped",
		         what, f->cfg.dead_ms);
	else
		snprintf(msg, sizeof(msg), "sending %s failed: %s%s%.*s", what,
		         curl_easy_strerror(rc), f->errbuf[0] ? ": " : "", CURL_ERROR_SIZE,
		         f->errbuf);
	/* libcurl's words may quote the peer. */
	sanitize_text(clean, sizeof(clean), msg, strlen(msg));
	feed_emit(f, CONN_ERROR, (int32_t)rc, 0, clean);
}

static bool send_ping(struct feed *f)
{
	CURLcode rc = feed_send_all(f, "PING", 4, CURLWS_TEXT);
	if (rc != CURLE_OK) {
		feed_report_send_error(f, "PING", rc);
		return false;
	}
	count(&f->st.pings, 1);
	f->last_ping_ms = now_ms();
	return true;
}

void feed_send_close(struct feed *f, int code)
{
	unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
	size_t sent;
	/* Best effort: the connection is being dropped whatever happens. */
	(void)curl_ws_send(f->curl, p, sizeof(p), &sent, 0, CURLWS_CLOSE);
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
		/* The hint goes first so that a long detail cannot cut it off; with a CA file
		 * already given, it is that file which does not vouch for the server. */
		what = f->ca_file ? "TLS certificate verification failed (against --ca-file)"
		                  : "TLS certificate verification failed (use --ca-file)";
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
	feed_emit(f, CONN_ERROR, (int32_t)rc, 0, clean);
}

static void disconnect(struct feed *f)
{
	atomic_store_explicit(&f->sock_shared, -1, memory_order_release);
	if (f->curl)
		curl_easy_cleanup(f->curl);
	f->curl = NULL;
	f->sock = CURL_SOCKET_BAD;
	f->rlen = 0;
	f->msg_size = 0;
	f->ctrl_len = 0;
}

/* CURLWS_NOAUTOPONG came with libcurl 8.14.0; an older one answers PINGs itself (and
 * may then spin on a peer that never reads: said in man/clobtop.1). */
#ifdef CURLWS_NOAUTOPONG
#define WS_NOAUTOPONG CURLWS_NOAUTOPONG
#else
#define WS_NOAUTOPONG (1 << 1)
#endif

static bool own_pong_supported(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->version_num >= 0x080e00;
}

static bool connect_ws(struct feed *f)
{
	feed_emit(f, CONN_CONNECTING, 0, 0, f->url);
	f->curl = curl_easy_init();
	if (!f->curl) {
		feed_emit(f, CONN_ERROR, 0, 0, "curl_easy_init failed (out of memory?)");
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
	f->own_pong = own_pong_supported() &&
	              curl_easy_setopt(c, CURLOPT_WS_OPTIONS, (long)WS_NOAUTOPONG) == CURLE_OK;
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &f->sock);
	if (rc != CURLE_OK || f->sock == CURL_SOCKET_BAD) {
		if (!stopping(f))
			report_connect_error(f, rc != CURLE_OK ? rc : CURLE_COULDNT_CONNECT);
		disconnect(f);
		return false;
	}
	atomic_store_explicit(&f->sock_shared, (int)f->sock, memory_order_release);
	if (f->ever_connected)
		count(&f->st.reconnects, 1);
	f->ever_connected = true;
	feed_emit(f, CONN_CONNECTED, 0, 0, NULL);
	return true;
}

/* ---- the session: one open connection ---- */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ms until the next PING, dead or freeze deadline (0 when one has passed). */
static int64_t session_wait_ms(const struct feed *f, enum rx_result rx)
{
	int64_t due = min64(f->last_ping_ms + f->cfg.ping_ms, f->last_rx_ms + f->cfg.dead_ms);
	if (f->subs.n)
		due = min64(due, f->freeze_fired ? f->freeze_fired_ms + f->cfg.freeze_ms
		                                 : f->last_data_ms + f->cfg.freeze_ms);
	int64_t wait = due - now_ms();
	if (f->npending)
		wait = min64(wait, PENDING_RETRY_MS);
	return wait < 0 || rx == RX_MORE ? 0 : wait;
}

/* The dead, PING and freeze timers; END_NONE or how the session ends. */
static enum session_end session_timers(struct feed *f)
{
	int64_t t = now_ms();
	if (t - f->last_rx_ms >= f->cfg.dead_ms) {
		feed_emit(f, CONN_DEAD, 0, t - f->last_rx_ms, NULL);
		feed_send_close(f, CLOSE_NORMAL);
		return END_DEAD;
	}
	if (t - f->last_ping_ms >= f->cfg.ping_ms && !send_ping(f))
		return stopping(f) ? END_STOP : END_ERROR;
	if (f->subs.n && !f->freeze_fired && t - f->last_data_ms >= f->cfg.freeze_ms) {
		/* Alive (PONGs) but no data: one unsubscribe + subscribe, then wait for real
		 * data before trying again, so a dead market cannot cause a storm. */
		f->freeze_fired = true;
		f->freeze_fired_ms = t;
		feed_emit(f, CONN_FREEZE, 0, t - f->last_data_ms, NULL);
		if (!feed_resubscribe_all(f))
			return stopping(f) ? END_STOP : END_ERROR;
	} else if (f->subs.n && f->freeze_fired && t - f->freeze_fired_ms >= f->cfg.freeze_ms) {
		/* The resubscribe brought nothing either: this connection is useless even
		 * though it answers PINGs.  A new one is the last resort (code 1). */
		feed_emit(f, CONN_FREEZE, 1, t - f->last_data_ms,
		          "no data after resubscribing: reconnecting");
		feed_send_close(f, CLOSE_NORMAL);
		return END_DEAD;
	}
	return END_NONE;
}

static enum session_end run_session(struct feed *f)
{
	int64_t t = now_ms();
	f->since_ms = f->last_rx_ms = f->last_data_ms = f->last_ping_ms = t;
	f->freeze_fired = false;

	/* The initial subscription always goes first, even empty: a PING before it is
	 * answered with close 1008. */
	if (!feed_send_initial(f))
		return stopping(f) ? END_STOP : END_ERROR;

	enum rx_result rx = feed_drain_socket(f);
	f->behind = rx == RX_MORE;
	for (;;) {
		if (rx == RX_END)
			return END_CLOSED;
		if (stopping(f))
			return END_STOP;
		struct pollfd p[3] = {{.fd = (int)f->sock, .events = POLLIN},
		                      {.fd = ring_wake_fd(f->cmd), .events = POLLIN},
		                      {.fd = f->stop_fd, .events = POLLIN}};
		int r = poll(p, 3, (int)session_wait_ms(f, rx));
		if (r < 0 && errno != EINTR) {
			feed_emit(f, CONN_ERROR, 0, 0, "poll failed");
			return END_ERROR;
		}
		if (stopping(f))
			return END_STOP;
		if (f->npending)
			feed_flush_pending(f);
		if (p[1].revents && !feed_drain_commands(f))
			return stopping(f) ? END_STOP : END_ERROR;
		bool more = rx == RX_MORE;
		rx = RX_IDLE;
		if (p[0].revents || more) {
			rx = feed_drain_socket(f);
			if (rx == RX_END)
				return END_CLOSED;
		}
		f->behind = rx == RX_MORE;
		enum session_end end = session_timers(f);
		if (end != END_NONE)
			return end;
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
			feed_flush_pending(f);
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
		if (r > 0 && p[0].revents && !feed_drain_commands(f))
			return; /* FEED_RECONNECT: try now */
	}
}

static void *feed_main(void *arg)
{
	struct feed *f = arg;
	int64_t delay = f->cfg.backoff_min_ms > 0 ? f->cfg.backoff_min_ms : 1;
	int64_t cap = f->cfg.backoff_max_ms > delay ? f->cfg.backoff_max_ms : delay;

	/* Commands queued before the first connection only shape the initial set. */
	feed_drain_commands(f);
	while (!stopping(f)) {
		if (connect_ws(f)) {
			enum session_end end = run_session(f);
			if (end == END_STOP) {
				feed_send_close(f, CLOSE_NORMAL);
				disconnect(f);
				break;
			}
			if (now_ms() - f->since_ms >= f->cfg.healthy_ms)
				delay = f->cfg.backoff_min_ms > 0 ? f->cfg.backoff_min_ms : 1;
			if (end != END_CLOSED && end != END_DEAD)
				feed_send_close(f, CLOSE_NORMAL);
		}
		disconnect(f);
		if (stopping(f))
			break;
		/* Full jitter spreads reconnecting clients; the 10% floor avoids hot loops. */
		int64_t floor = delay / 10 > 0 ? delay / 10 : 1;
		int64_t wait = floor + (int64_t)(rng_next(f) % (uint64_t)(delay - floor + 1));
		feed_emit(f, CONN_BACKOFF, 0, wait, NULL);
		backoff_wait(f, wait);
		delay = delay * 2 < cap ? delay * 2 : cap;
	}
	feed_emit(f, CONN_STOPPED, 0, 0, NULL);
	/* Last chance for held events; the UI reads the ring after joining. */
	feed_flush_pending(f);
	uint64_t one = 1;
	ssize_t w = write(f->done_fd, &one, sizeof(one));
	(void)w; /* an eventfd counter this small cannot overflow */
	return NULL;
}

/* ---- public API ---- */

static void feed_free(struct feed *f)
{
	if (!f)
		return;
	if (f->stop_fd >= 0)
		close(f->stop_fd);
	if (f->done_fd >= 0)
		close(f->done_fd);
	feed_idset_free(&f->subs);
	free(f->url);
	free(f->ca_file);
	free(f->rbuf);
	free(f->sbuf);
	free(f->ids);
	free(f->cbuf);
	evpack_destroy(f->pack);
	lostids_destroy(f->lost);
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
	f->done_fd = -1;
	f->sock = CURL_SOCKET_BAD;
	atomic_init(&f->sock_shared, -1);
	f->data = data;
	f->cmd = cmd;
	f->url = strdup(cfg->url);
	f->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	if (!f->url || (cfg->ca_file && !f->ca_file))
		goto oom;
	if (cfg->parse && (!(f->pack = evpack_create()) || !(f->lost = lostids_create())))
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
		if (cfg->assets[i] && cfg->assets[i][0] &&
		    !feed_idset_add(&f->subs, cfg->assets[i]) &&
		    feed_idset_find(&f->subs, cfg->assets[i]) < 0)
			goto oom;
	f->rng = cfg->seed ? cfg->seed
	                   : (uint64_t)clock_real_ns() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)f;
	f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->stop_fd < 0 || f->done_fd < 0) {
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

/* Waits up to ms for the thread's last act; true when it is done. */
static bool wait_done(const struct feed *f, int64_t ms)
{
	int64_t deadline = now_ms() + ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = f->done_fd, .events = POLLIN};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

void feed_stop(struct feed *f)
{
	if (!f)
		return;
	atomic_store_explicit(&f->stop, true, memory_order_release);
	uint64_t one = 1;
	ssize_t w = write(f->stop_fd, &one, sizeof(one));
	(void)w; /* the counter cannot overflow here; the flag is what matters */
	/* Every wait of the thread watches stop_fd and every send has a deadline, so it
	 * normally ends at once.  Should libcurl still be stuck in a call, shutdown() (not
	 * close(): the descriptor stays valid for libcurl) makes its reads and writes on the
	 * socket fail at once.  The socket may just have been closed and its number reused
	 * by another thread: a window of microseconds, at exit only. */
	if (!wait_done(f, STOP_GRACE_MS)) {
		int s = atomic_load_explicit(&f->sock_shared, memory_order_acquire);
		if (s >= 0)
			shutdown(s, SHUT_RDWR);
		if (!wait_done(f, STOP_FORCE_MS)) {
			/* Still inside libcurl: leave it, and f, to the process exit rather than
			 * hang the caller. */
			pthread_detach(f->thread);
			return;
		}
	}
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
