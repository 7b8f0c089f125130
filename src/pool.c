/*
 * pool: the shard pool (see pool.h).  Main (UI) thread only.
 */
#include "pool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"
#include "market.h"
#include "market_conn.h"

#define DRAIN_BUDGET 256          /* records of one ring before the next ring's turn */
#define CMD_CHUNK    (16u * 1024) /* bytes of ids per queued command */

static uint64_t conn_seed(size_t k)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)clock_real_ns() * 0x9e3779b97f4a7c15ull;
	return s ^ ((uint64_t)k << 48) ^ 1; /* never 0: 0 means "pick one" to feed.c */
}

size_t pool_ring_bytes(size_t budget, size_t per_conn, size_t subscribed, size_t max_message)
{
	size_t total = 4u << 10; /* as ring_create rounds it: a power of two, at least 4 KiB */
	while (total < budget && total <= SIZE_MAX / 2)
		total <<= 1;
	size_t conns = per_conn ? (subscribed + per_conn - 1) / per_conn : 1;
	size_t floor = POOL_RING_FLOOR;
	while (max_message && ring_max_record_for(floor) < max_message && floor < total)
		floor <<= 1; /* an explicit --max-message always fits */
	if (floor >= total)
		return total;
	size_t share = total;
	while (conns > 1 && share / 2 >= floor && share > total / conns)
		share /= 2; /* the largest power of two at or below total / conns */
	return share;
}

/* Assets the model subscribes: what the connections must share the ring budget by. */
static size_t subscribed(const struct market_state *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nassets; i++)
		n += m->assets[i].subscribed;
	return n;
}

/* Starts slot k's feed with ids as its initial subscription. */
static int conn_start(struct pool *p, size_t k, const char *const *ids, size_t n, char *err,
                      size_t errlen)
{
	struct pool_conn *c = &p->c[k];
	size_t bytes =
	    pool_ring_bytes(p->ring_size, p->per_conn, subscribed(p->m), p->fc.max_message);
	c->data = ring_create(bytes);
	c->cmd = ring_create(POOL_CMD_RING);
	if (!c->data || !c->cmd || market_conn_open(p->m, k, p->fc.url) != 0) {
		snprintf(err, errlen, "connection %zu: cannot create its rings (%zu bytes)", k,
		         bytes);
		goto fail;
	}
	struct feed_config fc = p->fc;
	fc.assets = ids;
	fc.nassets = n;
	fc.seed = conn_seed(k);
	c->feed = feed_start(&fc, c->data, c->cmd, err, errlen);
	if (!c->feed)
		goto fail;
	c->open = true;
	c->drops = 0;
	c->frames_prev = 0;
	c->msgs_per_s = 0;
	c->empty_since_ns = n || k == 0 ? 0 : clock_mono_ns();
	if (k >= p->n)
		p->n = k + 1;
	return 0;
fail:
	ring_destroy(c->data);
	ring_destroy(c->cmd);
	c->data = c->cmd = NULL;
	return -1;
}

/* The least-loaded open slot with room, else the first free slot (to be opened), else
 * -1 (MARKET_CONN_MAX connections are full). */
static long pick_slot(const struct pool *p)
{
	long best = -1, free_slot = -1;
	for (size_t k = 0; k < MARKET_CONN_MAX; k++) {
		const struct pool_conn *c = &p->c[k];
		if (!c->open) {
			if (free_slot < 0)
				free_slot = (long)k;
			if (k >= p->n)
				break;
			continue;
		}
		if (c->nassets < p->per_conn && (best < 0 || c->nassets < p->c[best].nassets))
			best = (long)k;
	}
	return best >= 0 ? best : free_slot;
}

static void assign(struct pool *p, struct asset *a, size_t k)
{
	a->conn = (uint16_t)k;
	a->pooled = true;
	p->c[k].nassets++;
	p->c[k].empty_since_ns = 0;
}

static void unassign(struct pool *p, struct asset *a)
{
	struct pool_conn *c = &p->c[a->conn];
	a->pooled = false;
	if (c->nassets && --c->nassets == 0 && a->conn != 0)
		c->empty_since_ns = clock_mono_ns();
}

int pool_start(struct pool *p, const struct feed_config *fc, size_t per_conn, size_t ring_size,
               struct market_state *m, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->fc = *fc;
	p->per_conn = per_conn ? per_conn : POOL_PER_CONN_DEFAULT;
	p->ring_size = ring_size;
	p->m = m;
	p->c = calloc(MARKET_CONN_MAX, sizeof(*p->c));
	const char **ids = calloc(p->per_conn, sizeof(*ids));
	int rc = p->c && ids ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "out of memory");
	/* Fill connection after connection: each starts with its whole initial set. */
	size_t i = 0, k = 0;
	while (rc == 0 && (k == 0 || i < m->nassets)) {
		size_t n = 0;
		for (; i < m->nassets && n < p->per_conn; i++) {
			struct asset *a = &m->assets[i];
			if (!a->subscribed)
				continue;
			assign(p, a, k);
			ids[n++] = a->id;
		}
		if (k >= MARKET_CONN_MAX) {
			snprintf(err, errlen, "more than %d connections needed", MARKET_CONN_MAX);
			rc = -1;
		} else if (n || k == 0) {
			rc = conn_start(p, k++, ids, n, err, errlen);
		}
	}
	free(ids);
	return rc;
}

/* Stops slot k's feed, applies what its ring still holds, frees its rings. */
static void conn_stop(struct pool *p, size_t k, pool_apply_fn fn, void *ctx)
{
	struct pool_conn *c = &p->c[k];
	if (!c->open)
		return;
	struct feed_stats fs;
	feed_stats(c->feed, &fs); /* the last numbers: feed_stop frees it */
	feed_stop(c->feed);
	struct ring_rec rec;
	int64_t now = clock_mono_ns();
	while (ring_peek(c->data, &rec)) {
		fn(ctx, k, &rec, now);
		ring_release(c->data);
	}
	c->drops = ring_dropped(c->data);
	struct market_conn *mc = market_conn_get(p->m, k);
	if (mc) {
		mc->drops = c->drops;
		mc->nassets = c->nassets; /* 0 for an idle close; kept at exit for --export */
		mc->msgs_per_s = 0;
	}
	p->closed_drops += c->drops;
	p->closed_oversize += fs.oversize;
	ring_destroy(c->data);
	ring_destroy(c->cmd);
	c->data = c->cmd = NULL;
	c->feed = NULL;
	c->open = false;
	market_conn_close(p->m, k);
}

void pool_stop(struct pool *p, pool_apply_fn fn, void *ctx)
{
	if (!p->c)
		return;
	for (size_t k = 0; k < p->n; k++)
		conn_stop(p, k, fn, ctx);
	free(p->c);
	free(p->scratch);
	p->c = NULL;
	p->scratch = NULL;
}

struct routed {
	size_t slot;    /* connection */
	size_t order;   /* position in the command: kept within a slot */
	const char *id; /* NUL-terminated, in the command's copy */
};

static int by_slot(const void *x, const void *y)
{
	const struct routed *a = x, *b = y;
	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The slot an id's command goes to, or -1 to leave it out (unknown, unassigned, or no
 * connection left).  SUB assigns; UNSUB releases. */
static long route_one(struct pool *p, enum feed_op op, const char *id, char *err, size_t errlen)
{
	struct asset *a = market_find(p->m, id, strlen(id));
	if (!a)
		return -1;
	if (op == FEED_UNSUB) {
		if (!a->pooled)
			return -1;
		unassign(p, a);
		return a->conn;
	}
	if (op == FEED_RESYNC || a->pooled)
		return a->pooled ? a->conn : -1;
	long k = pick_slot(p);
	if (k < 0)
		return -1;
	if (!p->c[k].open && conn_start(p, (size_t)k, NULL, 0, err, errlen) != 0)
		return -1;
	assign(p, a, (size_t)k);
	return k;
}

/* Queues the ids of one slot as commands of at most CMD_CHUNK bytes. */
static bool send_slot(struct pool *p, size_t k, enum feed_op op, const struct routed *r, size_t n)
{
	bool ok = true;
	size_t len = 0;
	for (size_t i = 0; i <= n; i++) {
		size_t idlen = i < n ? strlen(r[i].id) : 0;
		if (len && (i == n || len + idlen + 2 > CMD_CHUNK)) {
			p->scratch[len] = '\0';
			ok &= feed_command(p->c[k].cmd, op, p->scratch);
			len = 0;
		}
		if (i == n)
			break;
		if (len)
			p->scratch[len++] = ' ';
		memcpy(p->scratch + len, r[i].id, idlen);
		len += idlen;
	}
	return ok;
}

bool pool_command(struct pool *p, enum feed_op op, const char *ids)
{
	if (op == FEED_RECONNECT) {
		bool ok = true;
		for (size_t k = 0; k < p->n; k++)
			if (p->c[k].open)
				ok &= pool_reconnect(p, k);
		return ok;
	}
	size_t len = strlen(ids), n = 0;
	char *copy = malloc(len + 1); /* a few commands a minute: not a hot path */
	struct routed *r = malloc((len / 2 + 1) * sizeof(*r));
	if (!p->scratch && (p->scratch = malloc(CMD_CHUNK + 1)))
		p->scratch_cap = CMD_CHUNK + 1;
	bool ok = copy && r && p->scratch;
	if (ok) {
		memcpy(copy, ids, len + 1);
		char err[256], *save = NULL;
		for (char *t = strtok_r(copy, " \t\r\n", &save); t;
		     t = strtok_r(NULL, " \t\r\n", &save)) {
			long k = route_one(p, op, t, err, sizeof(err));
			if (k >= 0) {
				r[n] = (struct routed){(size_t)k, n, t};
				n++;
			} else if (op == FEED_SUB)
				ok = false; /* no connection could take it */
		}
		qsort(r, n, sizeof(*r), by_slot);
		for (size_t i = 0, j; i < n; i = j) {
			for (j = i; j < n && r[j].slot == r[i].slot; j++)
				;
			ok &= send_slot(p, r[i].slot, op, r + i, j - i);
		}
	}
	free(copy);
	free(r);
	return ok;
}

bool pool_reconnect(struct pool *p, size_t k)
{
	return k < p->n && p->c[k].open && feed_command(p->c[k].cmd, FEED_RECONNECT, "");
}

bool pool_drain(struct pool *p, pool_apply_fn fn, void *ctx, int64_t until_mono)
{
	if (!p->n)
		return false;
	int64_t now = clock_mono_ns();
	for (;;) {
		bool more = false;
		for (size_t i = 0; i < p->n; i++) {
			size_t k = (p->rr + i) % p->n;
			struct pool_conn *c = &p->c[k];
			struct ring_rec rec;
			unsigned got = 0;
			while (c->open && got < DRAIN_BUDGET && ring_peek(c->data, &rec)) {
				fn(ctx, k, &rec, now);
				ring_release(c->data);
				if ((++got & 63) == 0)
					now = clock_mono_ns();
			}
			more |= got == DRAIN_BUDGET;
		}
		p->rr = (p->rr + 1) % p->n; /* no ring always goes first */
		if (!more)
			return false;
		if ((now = clock_mono_ns()) >= until_mono)
			return true;
	}
}

void pool_tick(struct pool *p, pool_apply_fn fn, void *ctx, int64_t now_mono)
{
	double dt = p->rates_at_ns ? (double)(now_mono - p->rates_at_ns) / 1e9 : 0;
	for (size_t k = 0; k < p->n; k++) {
		struct pool_conn *c = &p->c[k];
		if (!c->open)
			continue;
		if (k && !c->nassets && c->empty_since_ns &&
		    now_mono - c->empty_since_ns >= POOL_IDLE_GRACE_NS) {
			conn_stop(p, k, fn, ctx);
			continue;
		}
		struct feed_stats fs;
		feed_stats(c->feed, &fs);
		if (dt > 0)
			c->msgs_per_s = (double)(fs.frames - c->frames_prev) / dt;
		c->frames_prev = fs.frames;
		struct market_conn *mc = market_conn_get(p->m, k);
		if (mc) {
			mc->drops = ring_dropped(c->data);
			mc->nassets = c->nassets;
			mc->msgs_per_s = c->msgs_per_s;
		}
	}
	p->rates_at_ns = now_mono;
}

size_t pool_wake_fds(const struct pool *p, int *fds, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < p->n && n < max; k++)
		if (p->c[k].open)
			fds[n++] = ring_wake_fd(p->c[k].data);
	return n;
}

void pool_wake_drain(struct pool *p)
{
	for (size_t k = 0; k < p->n; k++)
		if (p->c[k].open)
			ring_wake_drain(p->c[k].data);
}

size_t pool_open(const struct pool *p)
{
	size_t n = 0;
	for (size_t k = 0; k < p->n; k++)
		n += p->c[k].open;
	return n;
}

size_t pool_up(const struct pool *p)
{
	size_t n = 0;
	for (size_t k = 0; k < p->n; k++) {
		const struct market_conn *mc = market_conn_get(p->m, k);
		n += p->c[k].open && mc && mc->info->alive;
	}
	return n;
}

void pool_totals(const struct pool *p, uint64_t *drops, size_t *used, size_t *cap,
                 uint64_t *oversize)
{
	*drops = p->closed_drops;
	*oversize = p->closed_oversize;
	*used = *cap = 0;
	for (size_t k = 0; k < p->n; k++) {
		const struct pool_conn *c = &p->c[k];
		if (!c->open)
			continue;
		struct feed_stats fs;
		feed_stats(c->feed, &fs);
		*oversize += fs.oversize;
		*drops += ring_dropped(c->data);
		*used += ring_used(c->data);
		*cap += ring_capacity(c->data);
	}
}
