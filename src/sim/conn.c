/*
 * conn: clobsim's connections: the listening socket, accept, TLS, socket reads and
 * writes, and each connection's input and output buffers.
 *
 * Every socket is non-blocking and every connection has its own output buffer, so a
 * slow reader never stalls the loop or the other readers; past --max-buffer unsent bytes
 * it is dropped and logged.  It never parses what it carries beyond handing bytes to
 * http.c or channel.c.  Called only from the poll loop (clobsim is single-threaded).
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "simclock.h"

#define READ_CHUNK 16384 /* bytes read per read() call */

int conn_listen(struct server *s, int port)
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

int conn_tls_setup(struct server *s)
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

void conn_kill(struct client *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		sim_log("client %llu closed: %s", (unsigned long long)c->id, why);
	c->dead = true;
}

void conn_free(struct server *s, struct client *c)
{
	channel_close(s, c);
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	sbuf_free(&c->in);
	sbuf_free(&c->out);
	ws_rx_free(&c->rx);
	free(c->sub);
	free(c->user_mk);
	free(c);
}

void conn_queue_frame(struct client *c, uint8_t op, bool fin, const void *p, size_t n)
{
	uint8_t h[WS_MAX_HEADER];
	size_t hl = ws_frame_header(h, fin, op, n, NULL);

	sbuf_add(&c->out, h, hl);
	sbuf_add(&c->out, p, n);
}

/* A whole text message, split into fragments when --fragment asks. */
void conn_queue_text(struct server *s, struct client *c, const void *p, size_t n)
{
	if (fault_fragments(s, c, n)) {
		size_t a = n / 3, b = n / 3;
		const uint8_t *q = p;
		conn_queue_frame(c, WS_OP_TEXT, false, q, a);
		conn_queue_frame(c, WS_OP_CONT, false, q + a, b);
		conn_queue_frame(c, WS_OP_CONT, true, q + a + b, n - a - b);
		return;
	}
	conn_queue_frame(c, WS_OP_TEXT, true, p, n);
}

void conn_check_backlog(struct server *s, struct client *c)
{
	size_t limit = s->cfg->max_buffer;

	if (s->oversize_len && limit < s->oversize_len + (1u << 20))
		limit = s->oversize_len + (1u << 20);
	if (c->out.oom || sbuf_pending(&c->out) > limit) {
		char why[96];
		snprintf(why, sizeof why, "slow reader: %zu bytes unsent (limit %zu)",
		         sbuf_pending(&c->out), limit);
		s->st.dropped_slow++;
		conn_kill(c, why);
	}
}

void conn_ws_close(struct client *c, uint16_t code, const char *reason)
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
	conn_queue_frame(c, WS_OP_CLOSE, true, p, rl + 2);
	sim_log("client %llu: sending close %u \"%s\"", (unsigned long long)c->id, code, reason);
	c->st = C_CLOSING;
	c->stalled = false; /* a close must get out even from a stalled connection */
}

static bool grow_clients(struct server *s)
{
	size_t nc;
	struct client **p;

	if (s->nc < s->ccap)
		return true;
	nc = s->ccap ? s->ccap * 2 : 16;
	p = realloc(s->c, nc * sizeof *p);
	if (!p)
		return false;
	s->c = p;
	s->ccap = nc;
	return true;
}

/* A connection for an accepted socket: false when it could not be set up (fd closed). */
static bool add_client(struct server *s, int fd, const struct sockaddr_in *a)
{
	struct client *c;

	if (!grow_clients(s) || !(c = calloc(1, sizeof *c))) {
		close(fd);
		return false;
	}
	c->fd = fd;
	c->id = s->next_id++;
	c->st = s->tls ? C_TLS : C_HTTP;
	c->wlast = sim_mono_ns();
	if (s->tls) {
		c->ssl = SSL_new(s->tls);
		if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
			conn_free(s, c);
			return true;
		}
		SSL_set_accept_state(c->ssl);
	}
	s->c[s->nc++] = c;
	s->st.connections++;
	sim_log("client %llu connected from %s:%u%s", (unsigned long long)c->id,
	        inet_ntoa(a->sin_addr), ntohs(a->sin_port), s->tls ? " (tls)" : "");
	return true;
}

void conn_accept(struct server *s)
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
		if (!add_client(s, fd, &a))
			return;
	}
}

static void tls_error(struct client *c, const char *what)
{
	char buf[200];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	char why[300];
	snprintf(why, sizeof why, "%s: %s", what, e ? buf : "connection closed");
	conn_kill(c, why);
}

/* One read into c->in: bytes read, 0 to stop reading for now, -1 when the connection
 * ended (killed). */
static ssize_t read_some(struct client *c)
{
	ssize_t n;

	if (!c->ssl) {
		n = read(c->fd, c->in.p + c->in.len, READ_CHUNK);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			conn_kill(c, strerror(errno));
			return -1;
		}
		if (n == 0) {
			conn_kill(c, c->st == C_CLOSING ? NULL : "peer closed the connection");
			return -1;
		}
		return n;
	}
	ERR_clear_error();
	int r = SSL_read(c->ssl, c->in.p + c->in.len, READ_CHUNK);
	if (r > 0)
		return r;
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return 0;
	if (e == SSL_ERROR_WANT_WRITE) {
		c->ssl_want_write = true;
		return 0;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		conn_kill(c, c->st == C_CLOSING ? NULL : "peer closed (tls)");
	else
		tls_error(c, "tls read");
	return -1;
}

/* Read what is available.  Returns false when the connection ended. */
static bool client_read(struct server *s, struct client *c)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n;

		if (!sbuf_reserve(&c->in, READ_CHUNK)) {
			conn_kill(c, "out of memory");
			return false;
		}
		n = read_some(c);
		if (n <= 0)
			return n == 0;
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

/* One write of up to n queued bytes: bytes written, 0 to wait for POLLOUT, -1 when the
 * connection ended (killed). */
static ssize_t write_some(struct client *c, size_t n)
{
	ssize_t w;

	if (c->ssl) {
		ERR_clear_error();
		int r =
		    SSL_write(c->ssl, c->out.p + c->out.off, n > INT32_MAX ? INT32_MAX : (int)n);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		tls_error(c, "tls write");
		return -1;
	}
	w = send(c->fd, c->out.p + c->out.off, n, MSG_NOSIGNAL);
	if (w < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		conn_kill(c, strerror(errno));
		return -1;
	}
	return w;
}

/* Output flushed on a closing connection: drop it (abrupt fault) or half-close and
 * wait, at most LINGER_NS, for the peer's FIN. */
static void finish_close(struct client *c, int64_t now)
{
	if (c->abrupt) {
		conn_kill(c, "abrupt close (fault)");
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

void conn_write(struct server *s, struct client *c, int64_t now)
{
	while (sbuf_pending(&c->out) && !c->dead) {
		size_t n = sbuf_pending(&c->out);
		ssize_t w;

		if (c->stalled && c->st == C_WS)
			return;
		if (!fault_write_budget(s, c, now, &n))
			return;
		w = write_some(c, n);
		if (w <= 0)
			return;
		fault_write_spent(s, c, (size_t)w);
		sbuf_consume(&c->out, (size_t)w);
		s->st.bytes_sent += (uint64_t)w;
	}
	if (c->st == C_CLOSING && !sbuf_pending(&c->out) && !c->dead)
		finish_close(c, now);
}

/* The TLS handshake: true once it is done and the connection reads HTTP. */
static bool tls_handshake(struct client *c)
{
	ERR_clear_error();
	int r = SSL_accept(c->ssl);
	if (r == 1) {
		c->st = C_HTTP;
		return true;
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_WRITE)
		c->ssl_want_write = true;
	else if (e != SSL_ERROR_WANT_READ)
		tls_error(c, "tls handshake");
	return false;
}

void conn_io(struct server *s, struct client *c, short rev)
{
	if (rev & (POLLIN | POLLHUP | POLLERR) || (c->ssl_want_write && (rev & POLLOUT))) {
		c->ssl_want_write = false;
		if (c->st == C_TLS && !tls_handshake(c))
			return;
		if (!client_read(s, c))
			return;
		if (c->st == C_HTTP)
			http_on_bytes(s, c);
		else if (c->st == C_WS)
			channel_on_bytes(s, c);
	}
}
