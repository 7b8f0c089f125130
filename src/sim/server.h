/*
 * server: the state clobsim's server modules share, and their calls into each other.
 *
 * Private to the server (server.c, conn.c, channel.c, faults.c, http.c, files.c): one
 * struct server owns every connection, the generator and the counters.  clobsim is
 * single-threaded, so all of it is called from the poll loop's thread only and nothing
 * takes a lock; nothing here may block.
 */
#ifndef CLOBSIM_SERVER_H
#define CLOBSIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <poll.h>

#include "gen.h"
#include "log.h"
#include "restctl.h"
#include "sbuf.h"
#include "sim.h"
#include "tape.h"
#include "ws.h"

#define MAX_HEAD      16384        /* bytes of an HTTP request head */
#define GEN_WATERMARK (4u << 20)   /* pending bytes under which --rate max generates */
#define LINGER_NS     2000000000LL /* wait for the peer's FIN after our close, ns */

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
	int64_t rest_due;       /* restslow: monotonic ns the held request is answered, 0 none */
	bool rest_admitted;     /* the held request was counted, limited and faulted already */
	bool sent_continue;     /* "100 Continue" sent for the request being read */
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
	uint64_t rest_book;        /* GET /book requests received */
	uint64_t rest_books;       /* POST /books requests received */
	uint64_t rest_books_ids;   /* token ids asked for in those */
	uint64_t rest_429;         /* REST answers 429 (limiter and rest429) */
	uint64_t rest_limited;     /* of which the limiter's */
	uint64_t rest_500;         /* rest500 answers */
	uint64_t rest_slow;        /* restslow answers held */
	uint64_t rest_wrong;       /* restwrong books served */
};

struct server {
	const struct sim_cfg *cfg; /* options */
	int lfd;                   /* listening socket, -1 none */
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
	struct rlimit lim_book;    /* --rest-limit: GET /book admissions */
	struct rlimit lim_books;   /* --rest-limit: POST /books admissions */
	struct rest_faults rf;     /* REST faults armed (--rest-fault, GET /fault) */
	struct rest_ids ids;       /* the ids of the POST /books being answered */
	int64_t start_ms;          /* Unix ms at start: the timestamp of unchanged books */
	char url[64];              /* ws(s)://127.0.0.1:PORT/ws/market */
};

/* conn.c: sockets, TLS, per-connection buffers. */
int conn_listen(struct server *s, int port);
int conn_tls_setup(struct server *s);
void conn_accept(struct server *s);
void conn_io(struct server *s, struct client *c, short revents);
void conn_write(struct server *s, struct client *c, int64_t now);
void conn_kill(struct client *c, const char *why);
void conn_free(struct server *s, struct client *c);
void conn_queue_frame(struct client *c, uint8_t op, bool fin, const void *p, size_t n);
void conn_queue_text(struct server *s, struct client *c, const void *p, size_t n);
void conn_check_backlog(struct server *s, struct client *c);
void conn_ws_close(struct client *c, uint16_t code, const char *reason);

/* channel.c: the market channel. */
bool channel_open(struct server *s, struct client *c);
void channel_close(struct server *s, struct client *c);
void channel_on_bytes(struct server *s, struct client *c);
void channel_send(struct server *s, struct client *c, const char *p, size_t n, bool price_change,
                  bool top_changed);
void channel_pump_flow(struct server *s, int64_t now);
void channel_pump_replay(struct server *s, int64_t now);
void channel_pump_timers(struct server *s, int64_t now);

/* faults.c: fault injection. */
bool fault_applies(const struct server *s, const struct client *c);
void fault_log(struct client *c, const char *what);
void fault_close(struct server *s, struct client *c, const char *why);
bool fault_withhold(struct server *s, struct client *c, bool price_change, bool top_changed);
bool fault_after_data(struct server *s, struct client *c, const char *p, size_t n);
bool fault_fragments(const struct server *s, const struct client *c, size_t n);
bool fault_write_budget(struct server *s, struct client *c, int64_t now, size_t *n);
void fault_write_spent(struct server *s, struct client *c, size_t written);
void fault_close_every(struct server *s, int64_t now);
int fault_now(struct server *s, const char *target, struct sbuf *b);

/* http.c: HTTP requests and the WebSocket upgrade. */
void http_on_bytes(struct server *s, struct client *c);

/* restsrv.c: the REST book service (/book, /books): limiter, faults, held answers. */
int restsrv_init(struct server *s);
void restsrv_free(struct server *s);
int restsrv_route(struct server *s, struct client *c, const struct http_req *r, const char *path,
                  const char *body, size_t blen, char *extra, size_t extracap);
int restsrv_fault(struct server *s, const char *kind, const char *target, struct sbuf *b);
void restsrv_pump(struct server *s, int64_t now);
int restsrv_timeout_ms(const struct server *s, int64_t now, int ms);
void restsrv_stats(const struct server *s, struct sbuf *b);

/* files.c: files written besides the log. */
int files_write_assets(const struct gen *g, const char *path);
void files_write_port(const char *path, int port);
void files_write_state(struct server *s);

#endif
