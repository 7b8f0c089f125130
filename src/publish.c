/*
 * publish: the Redis publisher thread (see publish.h).  The only module that talks to
 * hiredis.  Never blocks the producer; never prints the password.
 */
#include "publish.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bookrec.h"
#include "clob.h"
#include "clock.h"
#include "mem.h"
#include "ring.h"

#define HDR          96  /* record prefix: seq (8), id length (1), id */
#define BATCH        256 /* records per pipelined round trip */
#define BACKOFF_MIN  (100 * NS_PER_MS)
#define BACKOFF_MAX  (5 * NS_PER_S)
#define RING_DEFAULT (8u << 20)
#define KIND_MASK    0x00ffu /* enum pub_kind */
#define F_BOOKREC    0x0100u /* payload is a bookrec record, rendered here */
#define STAGE_MAX    (BOOKREC_MAX > PUB_MSG_MAX ? BOOKREC_MAX : PUB_MSG_MAX)

_Static_assert(9 + TOKEN_ID_SIZE <= HDR, "record header holds a token id");

struct publisher {
	struct publish_config cfg; /* copy; cfg.stream_key points into stream_key */
	char stream_key[256];      /* "" when no stream */
	char maxlen[24];           /* MAXLEN ~ argument */
	struct ring *ring;         /* producer -> publisher thread */
	char *stage;               /* HDR + STAGE_MAX: producer's staging record */
	char *render;              /* PUB_MSG_MAX: publisher thread's rendered book */
	struct ev_level *lv;       /* 2 * BOOKREC_SIDE_MAX: publisher thread's scratch */
	uint64_t seq;              /* producer only: records offered */
	int stop_fd;               /* eventfd written by publish_stop */
	atomic_bool stopping;      /* publish_stop was called */
	pthread_t thread;          /* the publisher */
	redisContext *rc;          /* publisher thread only; NULL when down */
	atomic_int link;           /* enum pub_state: the Redis connection */
	atomic_uint_fast64_t offered, published, lost, errors, connects; /* see publish_stats */
	atomic_uint_fast64_t pub_books, pub_trades;                      /* published, by kind */
	pthread_mutex_t err_mu; /* guards last_error (not on the hot path) */
	char last_error[160];   /* sanitised */
};

static const char *const state_names[] = {
#define X(e, s) s,
    PUB_STATES(X)
#undef X
};

const char *pub_state_name(enum pub_state s)
{
	return (unsigned)s < PUB_STATE_COUNT ? state_names[s] : "?";
}

/* Records the error (printable ASCII only; hiredis and Redis never echo the password). */
static void set_error(struct publisher *p, const char *what, const char *detail)
{
	char t[sizeof(p->last_error)];
	snprintf(t, sizeof(t), "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
	for (char *c = t; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	pthread_mutex_lock(&p->err_mu);
	memcpy(p->last_error, t, sizeof(t));
	pthread_mutex_unlock(&p->err_mu);
}

static void count(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* One command with a reply that must not be an error; false after set_error. */
static bool command_ok(struct publisher *p, int argc, const char **argv, const char *what)
{
	redisReply *r = redisCommandArgv(p->rc, argc, argv, NULL);
	bool ok = r && r->type != REDIS_REPLY_ERROR;
	if (!ok)
		set_error(p, what, r ? r->str : p->rc->errstr);
	if (r)
		freeReplyObject(r);
	return ok;
}

static bool redis_connect(struct publisher *p)
{
	const struct redisurl *u = &p->cfg.url;
	struct timeval tv = {(time_t)(p->cfg.io_timeout_ms / 1000),
	                     (suseconds_t)(p->cfg.io_timeout_ms % 1000) * 1000};
	p->rc = u->kind == REDISURL_UNIX ? redisConnectUnixWithTimeout(u->path, tv)
	                                 : redisConnectWithTimeout(u->host, u->port, tv);
	if (!p->rc || p->rc->err) {
		set_error(p, "connect", p->rc ? p->rc->errstr : "out of memory");
		goto fail;
	}
	if (redisSetTimeout(p->rc, tv) != REDIS_OK) {
		set_error(p, "set timeout", p->rc->errstr);
		goto fail;
	}
	if (u->have_pass) {
		const char *argv[3] = {"AUTH", u->user, u->pass};
		bool ok = u->user[0] ? command_ok(p, 3, argv, "AUTH")
		                     : command_ok(p, 2, (const char *[]){"AUTH", u->pass}, "AUTH");
		if (!ok)
			goto fail;
	}
	if (u->db) {
		char db[16];
		snprintf(db, sizeof(db), "%d", u->db);
		if (!command_ok(p, 2, (const char *[]){"SELECT", db}, "SELECT"))
			goto fail;
	}
	set_error(p, "", NULL);
	return true;
fail:
	if (p->rc)
		redisFree(p->rc);
	p->rc = NULL;
	count(&p->errors, 1);
	return false;
}

/* Appends the commands of one record (kind: enum pub_kind); returns how many replies to
 * read.  A book record is rendered into p->render first (hiredis copies the arguments). */
static int append_record(struct publisher *p, const struct ring_rec *rec, unsigned kind)
{
	const char *d = rec->data;
	uint64_t seq;
	memcpy(&seq, d, sizeof(seq));
	size_t idlen = (unsigned char)d[8];
	const char *id = d + 9, *json = d + HDR;
	size_t jlen = rec->len - HDR;
	if (rec->kind & F_BOOKREC) {
		struct bookmsg_out out;
		if (bookrec_render(json, jlen, id, p->lv, 2 * BOOKREC_SIDE_MAX, p->render,
		                   PUB_MSG_MAX, &out) != 0)
			return -1;
		json = p->render;
		jlen = out.len;
	}
	char chan[128], key[128], seqt[24];
	const char *prefix = kind == PUB_TRADE ? PUB_CHANNEL_TRADE : PUB_CHANNEL_BOOK;
	int cl = snprintf(chan, sizeof(chan), "%s%.*s", prefix, (int)idlen, id);
	int kl = snprintf(key, sizeof(key), "%s%.*s", PUB_CACHE_PREFIX, (int)idlen, id);
	int n = 0;
	if (kind != PUB_CACHE) {
		const char *a[] = {"PUBLISH", chan, json};
		size_t l[] = {7, (size_t)cl, jlen};
		n += redisAppendCommandArgv(p->rc, 3, a, l) == REDIS_OK;
	}
	if (kind == PUB_BOOK || kind == PUB_CACHE) {
		const char *a[] = {"SET", key, json, "EX", "5"};
		size_t l[] = {3, (size_t)kl, jlen, 2, 1};
		_Static_assert(PUB_CACHE_TTL_S == 5, "the SET below says EX 5");
		n += redisAppendCommandArgv(p->rc, 5, a, l) == REDIS_OK;
	}
	if (p->stream_key[0] && kind != PUB_CACHE) {
		int sl = snprintf(seqt, sizeof(seqt), "%" PRIu64, seq);
		const char *type = kind == PUB_TRADE ? "trade" : "book";
		_Static_assert(PUB_BOOK_NOCACHE > PUB_TRADE, "kinds other than cache are streamed");
		const char *a[] = {"XADD", p->stream_key, "MAXLEN", "~",        p->maxlen,
		                   "*",    "type",        type,     "asset_id", id,
		                   "seq",  seqt,          "data",   json};
		size_t l[] = {4,
		              strlen(p->stream_key),
		              6,
		              1,
		              strlen(p->maxlen),
		              1,
		              4,
		              strlen(type),
		              8,
		              idlen,
		              3,
		              (size_t)sl,
		              4,
		              jlen};
		n += redisAppendCommandArgv(p->rc, 14, a, l) == REDIS_OK;
	}
	return n;
}

/* Reads the replies of one batch.  False when the connection failed (the records not
 * yet acknowledged are counted as lost). */
static bool read_replies(struct publisher *p, const int *ncmd, const uint16_t *kind, int nrec)
{
	for (int i = 0; i < nrec; i++) {
		bool ok = true;
		for (int j = 0; j < ncmd[i]; j++) {
			redisReply *r = NULL;
			if (redisGetReply(p->rc, (void **)&r) != REDIS_OK) {
				set_error(p, "connection lost", p->rc->errstr);
				count(&p->errors, 1);
				count(&p->lost, (uint64_t)(nrec - i));
				return false;
			}
			if (r->type == REDIS_REPLY_ERROR) {
				set_error(p, "Redis replied", r->str);
				count(&p->errors, 1);
				ok = false;
			}
			freeReplyObject(r);
		}
		count(ok ? &p->published : &p->lost, 1);
		if (ok && kind[i] == PUB_TRADE)
			count(&p->pub_trades, 1);
		else if (ok && (kind[i] == PUB_BOOK || kind[i] == PUB_BOOK_NOCACHE))
			count(&p->pub_books, 1);
	}
	return true;
}

static void wait_for_work(struct publisher *p, int64_t ms)
{
	struct pollfd fds[2] = {{ring_wake_fd(p->ring), POLLIN, 0}, {p->stop_fd, POLLIN, 0}};
	poll(fds, 2, (int)ms);
}

/* Sends until the connection fails or publish_stop. */
static void serve(struct publisher *p)
{
	int ncmd[BATCH];
	uint16_t kind[BATCH];
	while (!atomic_load(&p->stopping)) {
		ring_wake_drain(p->ring);
		int nrec = 0;
		struct ring_rec rec;
		while (nrec < BATCH && ring_peek(p->ring, &rec)) {
			kind[nrec] = rec.kind & KIND_MASK;
			int n = rec.len >= HDR ? append_record(p, &rec, kind[nrec]) : 0;
			ring_release(p->ring);
			if (n < 0) { /* a malformed book record: cannot happen from bookrec_pack */
				count(&p->lost, 1);
				continue;
			}
			ncmd[nrec++] = n;
		}
		if (nrec == 0) {
			wait_for_work(p, 1000);
			continue;
		}
		if (!read_replies(p, ncmd, kind, nrec))
			return;
	}
}

/* Redis is down: throw away (and count) what arrives until the back-off has passed. */
static void discard_until(struct publisher *p, int64_t deadline_ns)
{
	for (;;) {
		struct ring_rec rec;
		ring_wake_drain(p->ring);
		while (ring_peek(p->ring, &rec)) {
			ring_release(p->ring);
			count(&p->lost, 1);
		}
		int64_t left = deadline_ns - clock_mono_ns();
		if (left <= 0 || atomic_load(&p->stopping))
			return;
		wait_for_work(p, (left + NS_PER_MS - 1) / NS_PER_MS);
	}
}

static void *publisher_main(void *arg)
{
	struct publisher *p = arg;
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE); /* a dead Redis must not kill clobtop */
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	int64_t backoff = BACKOFF_MIN;
	while (!atomic_load(&p->stopping)) {
		atomic_store(&p->link, PUB_CONNECTING);
		if (redis_connect(p)) {
			atomic_store(&p->link, PUB_UP);
			count(&p->connects, 1);
			backoff = BACKOFF_MIN;
			serve(p);
			redisFree(p->rc);
			p->rc = NULL;
		}
		if (atomic_load(&p->stopping))
			break;
		atomic_store(&p->link, PUB_DOWN);
		discard_until(p, clock_mono_ns() + backoff);
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
	}
	atomic_store(&p->link, PUB_STOPPED);
	return NULL;
}

struct publisher *publish_start(const struct publish_config *c, char *err, size_t errlen)
{
	struct publisher *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "redis publisher: out of memory");
		return NULL;
	}
	p->cfg = *c;
	if (p->cfg.io_timeout_ms <= 0)
		p->cfg.io_timeout_ms = 2000;
	if (c->stream_key)
		snprintf(p->stream_key, sizeof(p->stream_key), "%s", c->stream_key);
	p->cfg.stream_key = p->stream_key;
	snprintf(p->maxlen, sizeof(p->maxlen), "%" PRId64,
	         c->stream_maxlen > 0 ? c->stream_maxlen : PUB_STREAM_MAXLEN);
	p->stop_fd = -1;
	pthread_mutex_init(&p->err_mu, NULL);
	p->ring = ring_create(c->ring_bytes ? c->ring_bytes : RING_DEFAULT);
	p->stage = malloc(HDR + STAGE_MAX);
	p->render = malloc(PUB_MSG_MAX);
	p->lv = malloc(2 * BOOKREC_SIDE_MAX * sizeof(*p->lv));
	p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!p->ring || !p->stage || !p->render || !p->lv || p->stop_fd < 0 ||
	    pthread_create(&p->thread, NULL, publisher_main, p) != 0) {
		snprintf(err, errlen, "redis publisher: cannot start: %s", strerror(errno));
		if (p->ring)
			ring_destroy(p->ring);
		if (p->stop_fd >= 0)
			close(p->stop_fd);
		pthread_mutex_destroy(&p->err_mu);
		free(p->stage);
		free(p->render);
		free(p->lv);
		free(p);
		return NULL;
	}
	return p;
}

void publish_stop(struct publisher *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, true);
	uint64_t one = 1;
	if (write(p->stop_fd, &one, sizeof(one)) < 0) {
		/* the eventfd cannot be full; the thread also wakes within a second */
	}
	pthread_join(p->thread, NULL);
	ring_destroy(p->ring);
	close(p->stop_fd);
	pthread_mutex_destroy(&p->err_mu);
	memset(&p->cfg.url, 0, sizeof(p->cfg.url)); /* no password left in freed memory */
	free(p->stage);
	free(p->render);
	free(p->lv);
	free(p);
}

char *publish_scratch(struct publisher *p, size_t *cap)
{
	*cap = PUB_MSG_MAX;
	return p->stage + HDR;
}

/* Counts the record and writes its header; false (counted as lost) for a bad id. */
static bool stage_header(struct publisher *p, const char *asset_id)
{
	uint64_t seq = ++p->seq;
	count(&p->offered, 1);
	size_t idlen = strlen(asset_id);
	if (idlen >= TOKEN_ID_SIZE) {
		count(&p->lost, 1);
		return false;
	}
	memcpy(p->stage, &seq, sizeof(seq));
	p->stage[8] = (char)idlen;
	memcpy(p->stage + 9, asset_id, idlen);
	p->stage[9 + idlen] = '\0';
	return true;
}

static bool push_staged(struct publisher *p, unsigned kind, size_t len)
{
	struct ring_rec rec = {
	    .len = (uint32_t)(HDR + len), .kind = (uint16_t)kind, .data = p->stage};
	return ring_push(p->ring, &rec);
}

bool publish_push(struct publisher *p, enum pub_kind kind, const char *asset_id, size_t len)
{
	if (!stage_header(p, asset_id))
		return false;
	if (len > PUB_MSG_MAX) {
		count(&p->lost, 1);
		return false;
	}
	return push_staged(p, (unsigned)kind, len);
}

bool publish_push_book(struct publisher *p, enum pub_kind kind, const char *asset_id,
                       const struct book *b, const struct bookmsg_meta *m)
{
	if (!stage_header(p, asset_id))
		return false;
	size_t len = bookrec_pack(p->stage + HDR, STAGE_MAX, b, m);
	if (len == 0) {
		count(&p->lost, 1);
		return false;
	}
	return push_staged(p, (unsigned)kind | F_BOOKREC, len);
}

void publish_stats(struct publisher *p, struct publish_stats *o)
{
	o->link = (enum pub_state)atomic_load(&p->link);
	o->offered = atomic_load_explicit(&p->offered, memory_order_relaxed);
	o->published = atomic_load_explicit(&p->published, memory_order_relaxed);
	o->pub_books = atomic_load_explicit(&p->pub_books, memory_order_relaxed);
	o->pub_trades = atomic_load_explicit(&p->pub_trades, memory_order_relaxed);
	o->dropped = atomic_load_explicit(&p->lost, memory_order_relaxed) + ring_dropped(p->ring);
	o->errors = atomic_load_explicit(&p->errors, memory_order_relaxed);
	o->connects = atomic_load_explicit(&p->connects, memory_order_relaxed);
	pthread_mutex_lock(&p->err_mu);
	memcpy(o->last_error, p->last_error, sizeof(o->last_error));
	pthread_mutex_unlock(&p->err_mu);
}

void pub_conflate_init(struct pub_conflate *c, int64_t interval_ms)
{
	memset(c, 0, sizeof(*c));
	c->interval_ns = interval_ms > 0 ? interval_ms * NS_PER_MS : 0;
	c->refresh_ns = NS_PER_S;
}

void pub_conflate_free(struct pub_conflate *c)
{
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

static struct pub_conflate_slot *slot(struct pub_conflate *c, size_t i)
{
	if (i >= c->cap) {
		size_t old = c->cap;
		if (!mem_grow((void **)&c->slot, &c->cap, i + 1, sizeof(*c->slot), 64))
			return NULL;
		memset(c->slot + old, 0, (c->cap - old) * sizeof(*c->slot));
	}
	return &c->slot[i];
}

bool pub_conflate_mark(struct pub_conflate *c, size_t i)
{
	struct pub_conflate_slot *s = slot(c, i);
	if (s)
		s->dirty = true;
	return s != NULL;
}

bool pub_conflate_due(struct pub_conflate *c, size_t i, int64_t now)
{
	struct pub_conflate_slot *s = i < c->cap ? &c->slot[i] : NULL;
	if (!s || !s->dirty || (s->last_pub_ns && now - s->last_pub_ns < c->interval_ns))
		return false;
	s->dirty = false;
	s->last_pub_ns = s->last_cache_ns = now;
	return true;
}

bool pub_conflate_refresh_due(struct pub_conflate *c, size_t i, int64_t now)
{
	struct pub_conflate_slot *s = slot(c, i);
	if (!s || (s->last_cache_ns && now - s->last_cache_ns < c->refresh_ns))
		return false;
	s->last_cache_ns = now;
	return true;
}
