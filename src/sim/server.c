/*
 * server: clobsim's start-up, poll() loop and shutdown (net_run).
 *
 * The loop only schedules: it polls every socket, hands readiness to conn.c, fires the
 * fault and market timers, pumps the flow and the replay, writes, and reaps closed
 * connections.  It never blocks anywhere but in poll(), and every exit path, early or
 * not, goes through server_free so nothing it set up is leaked.  clobsim is
 * single-threaded: this is its one thread; the signal handler only sets a flag.
 */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "simclock.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void server_free(struct server *s)
{
	for (size_t k = 0; k < s->nc; k++)
		conn_free(s, s->c[k]);
	free(s->c);
	free(s->pfd);
	free(s->oversize);
	sbuf_free(&s->scratch);
	restsrv_free(s);
	if (s->tls)
		SSL_CTX_free(s->tls);
	if (s->lfd >= 0)
		close(s->lfd);
	tape_free(&s->tape);
	gen_free(&s->gen);
	memset(s, 0, sizeof *s);
	s->lfd = -1;
}

/* Markets, tape, TLS and the listening socket.  Returns 0, or -1 after saying why on
 * stderr (the caller frees what was set up). */
static int server_setup(struct server *s, const struct sim_cfg *cfg)
{
	char err[256];

	if (gen_init(&s->gen, &cfg->gen) != 0) {
		fprintf(stderr, "clobsim: cannot set up %d markets\n", cfg->gen.markets);
		return -1;
	}
	if (restsrv_init(s) != 0)
		return -1;
	if (cfg->assets_out && files_write_assets(&s->gen, cfg->assets_out) != 0)
		return -1;
	if (cfg->replay) {
		if (tape_load(&s->tape, cfg->replay, err, sizeof err) != 0) {
			fprintf(stderr, "clobsim: %s\n", err);
			return -1;
		}
		s->replay = true;
	}
	if (cfg->tls_cert && conn_tls_setup(s) != 0) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	if (conn_listen(s, cfg->port) != 0) {
		fprintf(stderr, "clobsim: cannot listen on 127.0.0.1:%d: %s\n", cfg->port,
		        strerror(errno));
		return -1;
	}
	snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d/ws/market", s->tls ? "wss" : "ws",
	         s->port);
	return 0;
}

/* Announce the port, start the clocks and timers. */
static void server_start(struct server *s)
{
	const struct sim_cfg *cfg = s->cfg;

	printf("clobsim: listening on 127.0.0.1:%d\n", s->port);
	fflush(stdout);
	if (cfg->port_file)
		files_write_port(cfg->port_file, s->port);
	sim_log("serving %s (%d markets, %s)", s->url, cfg->gen.markets,
	        s->replay ? "replay" : "synthetic flow");
	s->t_start = s->gen_t0 = sim_mono_ns();
	if (cfg->fault.close_every > 0)
		s->next_close_all = s->t_start + (int64_t)(cfg->fault.close_every * 1e9);
	if (cfg->new_market_every > 0)
		s->next_announce = s->t_start + (int64_t)(cfg->new_market_every * 1e9);
	if (cfg->resolve_every > 0)
		s->next_resolve = s->t_start + (int64_t)(cfg->resolve_every * 1e9);
}

static int poll_timeout(const struct server *s)
{
	if (!s->replay && (s->cfg->rate > 0 || s->cfg->rate_max))
		return 1;
	for (size_t k = 0; k < s->nc; k++)
		if (s->c[k]->replaying || (s->cfg->fault.slow_write && sbuf_pending(&s->c[k]->out)))
			return 1;
	return restsrv_timeout_ms(s, sim_mono_ns(), 20);
}

/* The poll set: the listening socket, then every connection in order.  Returns its
 * size, or 0 when memory ran out. */
static size_t poll_set(struct server *s)
{
	size_t np = s->nc + 1;

	if (np > s->pfd_cap) {
		struct pollfd *p = realloc(s->pfd, np * 2 * sizeof *p);
		if (!p)
			return 0;
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
		if ((sbuf_pending(&c->out) && !(c->stalled && c->st == C_WS)) || c->ssl_want_write)
			s->pfd[k + 1].events |= POLLOUT;
		s->pfd[k + 1].revents = 0;
	}
	return np;
}

static void reap(struct server *s, int64_t now)
{
	size_t w = 0;

	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		if (!c->dead && c->shut && now >= c->close_deadline)
			conn_kill(c, NULL);
		if (c->dead) {
			conn_free(s, c);
			continue;
		}
		s->c[w++] = c;
	}
	s->nc = w;
}

/* One round of the loop.  Returns 1 to go on, 0 when --duration is up, -1 on error. */
static int server_round(struct server *s)
{
	size_t np = poll_set(s);
	int64_t now;

	if (!np)
		return -1;
	if (poll(s->pfd, (nfds_t)np, poll_timeout(s)) < 0 && errno != EINTR) {
		sim_log("poll: %s", strerror(errno));
		return -1;
	}
	now = sim_mono_ns();
	/* new connections are appended past np: they get their first poll next round */
	for (size_t k = 0; k + 1 < np; k++)
		if (s->pfd[k + 1].revents)
			conn_io(s, s->c[k], s->pfd[k + 1].revents);
	if (s->pfd[0].revents & POLLIN)
		conn_accept(s);
	fault_close_every(s, now);
	channel_pump_timers(s, now);
	channel_pump_flow(s, now);
	channel_pump_replay(s, now);
	restsrv_pump(s, now);
	for (size_t k = 0; k < s->nc; k++)
		if (s->c[k]->st != C_TLS)
			conn_write(s, s->c[k], now);
	reap(s, now);
	if (s->cfg->duration > 0 && now - s->t_start >= (int64_t)(s->cfg->duration * 1e9)) {
		sim_log("duration of %.3g s reached", s->cfg->duration);
		return 0;
	}
	return 1;
}

int net_run(const struct sim_cfg *cfg)
{
	static struct server srv;
	struct server *s = &srv;
	int r = 1;

	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->next_id = 1;
	s->lfd = -1;
	if (server_setup(s, cfg) != 0) {
		server_free(s);
		return 1;
	}
	catch_signals();
	server_start(s);
	while (!stop_flag && (r = server_round(s)) > 0)
		;
	if (stop_flag)
		sim_log("signal received, shutting down");
	if (cfg->state_file)
		files_write_state(s);
	sim_log("sent %llu frames, %llu bytes; generated %llu; %llu connections",
	        (unsigned long long)s->st.frames_sent, (unsigned long long)s->st.bytes_sent,
	        (unsigned long long)s->st.frames_generated, (unsigned long long)s->st.connections);
	server_free(s);
	return r < 0 ? 1 : 0;
}
