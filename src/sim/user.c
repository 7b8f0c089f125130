/*
 * user: clobsim's user channel (/ws/user): checks the auth frame against --user-creds,
 * then plays one simulated account's activity on the simulated markets: order
 * placements, partial fills (order updates, each with a trade), cancellations, and
 * trades that move MATCHED -> MINED -> CONFIRMED, some through RETRYING, some to FAILED,
 * some stuck, some through a free-text status; numbers are sometimes "", timestamps
 * alternate between seconds and milliseconds.  GET /user/state lists what was sent.
 *
 * Never logs or echoes a credential (the auth frame is not logged at all), and never
 * touches the market truth (prices are read from gen).  Bad or missing credentials
 * close the socket with 1008.  Called only from the poll loop (single-threaded).
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "simclock.h"
#include "usercreds.h"

#define U_MAX      1000 /* orders and trades kept each; the oldest finished go first */
#define U_STATUS   24   /* bytes of a status text */
#define U_HISTORY  6    /* statuses a trade remembers */
#define U_OPEN_MIN 3    /* open orders wanted before fills and cancels start */

enum plan { P_PLAIN, P_FAIL, P_RETRY, P_STUCK_MATCHED, P_STUCK_MINED, P_FREETEXT };

struct uorder {
	char id[67];           /* 0x + 64 hex */
	int token;             /* 2 * market + outcome */
	bool buy;              /* side */
	int slot;              /* price slot */
	int64_t orig;          /* hundredths of a share */
	int64_t matched;       /* hundredths of a share */
	char type[16];         /* PLACEMENT, UPDATE, CANCELLATION: the last sent */
	char status[U_STATUS]; /* LIVE, MATCHED, CANCELED */
	bool open;             /* may still fill */
};

struct utrade {
	char id[37];                    /* UUID text */
	char order[67];                 /* the account's order that filled */
	bool taker;                     /* that order was the taker */
	int token;                      /* 2 * market + outcome */
	bool buy;                       /* side */
	int slot;                       /* price slot */
	int64_t size;                   /* hundredths of a share */
	int64_t match_s;                /* Unix seconds of the match */
	enum plan plan;                 /* where the trade is going */
	int step;                       /* statuses sent so far */
	int64_t next_ns;                /* monotonic ns of the next status, 0 final */
	char hist[U_HISTORY][U_STATUS]; /* statuses sent, in order */
};

struct sim_user {
	struct usercreds creds; /* --user-creds, all empty when not given */
	bool have_creds;        /* --user-creds was loaded */
	uint64_t rng;           /* splitmix64 state */
	struct uorder *o;       /* orders (heap, U_MAX) */
	size_t no;              /* entries at o */
	struct utrade *t;       /* trades (heap, U_MAX) */
	size_t nt;              /* entries at t */
	uint64_t ntrades;       /* trades made: picks each one's plan */
	int64_t next_ev_ns;     /* monotonic ns of the next account action */
	uint64_t sent_orders;   /* order events queued to connections */
	uint64_t sent_trades;   /* trade events queued to connections */
	uint64_t auth_ok;       /* auth frames accepted */
	uint64_t auth_rejected; /* auth frames refused */
	struct sbuf js;         /* the event being built */
};

static uint64_t rnd(struct sim_user *u)
{
	uint64_t z = (u->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int user_setup(struct server *s)
{
	char err[512];
	struct sim_user *u = calloc(1, sizeof *u);

	if (!u || !(u->o = calloc(U_MAX, sizeof *u->o)) || !(u->t = calloc(U_MAX, sizeof *u->t))) {
		if (u) {
			free(u->o);
			free(u);
		}
		fputs("clobsim: out of memory for the user channel\n", stderr);
		return -1;
	}
	s->user = u;
	u->rng = s->cfg->gen.seed * 7919 + 17;
	if (!s->cfg->user_creds)
		return 0;
	if (usercreds_load_file(&u->creds, s->cfg->user_creds, false, err, sizeof err) != 0) {
		fprintf(stderr, "clobsim: --user-creds %s\n", err);
		return -1;
	}
	u->have_creds = true;
	return 0;
}

void user_free(struct server *s)
{
	struct sim_user *u = s->user;

	if (!u)
		return;
	usercreds_wipe(&u->creds);
	sbuf_free(&u->js);
	free(u->o);
	free(u->t);
	free(u);
	s->user = NULL;
}

/* ---- the auth frame and later frames ---- */

static void take_cred(json_t *auth, const char *key, char *dst)
{
	const char *v = json_string_value(json_object_get(auth, key));
	if (v && strlen(v) < USERCREDS_MAX)
		memcpy(dst, v, strlen(v) + 1);
}

static bool auth_ok(const struct sim_user *u, json_t *auth)
{
	struct usercreds got;
	bool ok;

	memset(&got, 0, sizeof got);
	take_cred(auth, "apiKey", got.key);
	take_cred(auth, "secret", got.secret);
	take_cred(auth, "passphrase", got.passphrase);
	ok = u->have_creds && usercreds_complete(&got) && usercreds_equal(&got, &u->creds);
	usercreds_wipe(&got);
	return ok;
}

static int find_cond(const struct gen *g, const char *cond)
{
	for (int i = 0; i < g->nmarkets; i++)
		if (g->m[i].visible && strcasecmp(g->m[i].cond, cond) == 0)
			return i;
	return -1;
}

/* Apply a "markets" list: on, off, or (replace) the new filter.  Returns the count known. */
static int apply_markets(struct server *s, struct client *c, json_t *mk, int how)
{
	size_t i;
	json_t *v;
	int known = 0;

	if (how == 2) {
		memset(c->user_mk, 0, (size_t)s->gen.nmarkets);
		c->user_all = !mk || json_array_size(mk) == 0;
	}
	json_array_foreach(mk, i, v)
	{
		int mi = json_is_string(v) ? find_cond(&s->gen, json_string_value(v)) : -1;
		if (mi < 0)
			continue;
		c->user_mk[mi] = how != 0;
		known++;
	}
	return known;
}

static void reply(struct server *s, struct client *c, const char *t)
{
	conn_queue_text(s, c, t, strlen(t));
	conn_check_backlog(s, c);
}

static void on_auth(struct server *s, struct client *c, json_t *j)
{
	struct sim_user *u = s->user;
	json_t *mk = json_object_get(j, "markets");
	const char *type = json_string_value(json_object_get(j, "type"));

	if (!auth_ok(u, json_object_get(j, "auth")) || (type && strcasecmp(type, "user") != 0) ||
	    (mk && !json_is_array(mk))) {
		u->auth_rejected++;
		c->user_authed = false;
		sim_log("client %llu: user channel authentication rejected%s (closing 1008)",
		        (unsigned long long)c->id, u->have_creds ? "" : " (no --user-creds)");
		conn_ws_close(c, WS_CLOSE_POLICY, "invalid authentication");
		return;
	}
	if (!c->user_mk && !(c->user_mk = calloc((size_t)s->gen.nmarkets, 1))) {
		conn_kill(c, "out of memory");
		return;
	}
	u->auth_ok++;
	c->user_authed = true;
	int known = apply_markets(s, c, mk, 2);
	sim_log("client %llu: user channel authenticated: %s (%d of %zu markets known)",
	        (unsigned long long)c->id, c->user_all ? "all markets" : "markets", known,
	        json_array_size(mk));
}

void user_on_text(struct server *s, struct client *c, const uint8_t *p, size_t n)
{
	json_t *j, *mk;
	const char *op;

	if (n == 4 && memcmp(p, "PING", 4) == 0) {
		if (c->user_authed)
			reply(s, c, "PONG");
		else
			conn_ws_close(c, WS_CLOSE_POLICY, "invalid authentication");
		return;
	}
	j = json_loadb((const char *)p, n, 0, NULL);
	mk = json_object_get(j, "markets");
	op = json_string_value(json_object_get(j, "operation"));
	if (json_is_object(j) && json_object_get(j, "auth")) {
		on_auth(s, c, j);
	} else if (c->user_authed && op && json_is_array(mk) &&
	           (!strcasecmp(op, "subscribe") || !strcasecmp(op, "unsubscribe"))) {
		int known = apply_markets(s, c, mk, strcasecmp(op, "subscribe") == 0);
		c->user_all = false;
		sim_log("client %llu: user channel %s %d markets", (unsigned long long)c->id, op,
		        known);
	} else if (c->user_authed) {
		sim_log("client %llu: user channel: invalid frame of %zu bytes (not logged)",
		        (unsigned long long)c->id, n);
		reply(s, c, "INVALID OPERATION");
	} else {
		s->user->auth_rejected++;
		sim_log("client %llu: user channel frame without auth (closing 1008)",
		        (unsigned long long)c->id);
		conn_ws_close(c, WS_CLOSE_POLICY, "invalid authentication");
	}
	json_decref(j);
}

/* ---- the account's activity ---- */

static bool conn_wants(const struct client *c, int market)
{
	return c->user_channel && c->user_authed && !c->dead && c->st == C_WS &&
	       (c->user_all || c->user_mk[market]);
}

static bool anyone_wants(const struct server *s, int market)
{
	for (size_t k = 0; k < s->nc; k++)
		if (conn_wants(s->c[k], market))
			return true;
	return false;
}

/* A random open market some authenticated connection wants, or -1. */
static int pick_market(struct server *s)
{
	int n = s->gen.nmarkets;
	int start = (int)(rnd(s->user) % (uint64_t)n);

	for (int k = 0; k < n; k++) {
		int mi = (start + k) % n;
		const struct gen_market *m = &s->gen.m[mi];
		if (m->visible && !m->closed && anyone_wants(s, mi))
			return mi;
	}
	return -1;
}

static void send_event(struct server *s, int market, bool trade)
{
	struct sbuf *b = &s->user->js;

	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		if (!conn_wants(c, market))
			continue;
		channel_send(s, c, b->p, b->len, false, false);
		if (trade)
			s->user->sent_trades++;
		else
			s->user->sent_orders++;
	}
}

static void add_kv(struct sbuf *b, const char *k, const char *v)
{
	sbuf_addc(b, '"');
	sbuf_adds(b, k);
	SBUF_LIT(b, "\":\"");
	sbuf_adds(b, v);
	SBUF_LIT(b, "\",");
}

/* Hundredths of a share as text: "12.5", "3", "0.07". */
static const char *shares(int64_t h, char *buf, size_t cap)
{
	if (h % 100 == 0)
		snprintf(buf, cap, "%lld", (long long)(h / 100));
	else if (h % 10 == 0)
		snprintf(buf, cap, "%lld.%lld", (long long)(h / 100), (long long)(h % 100 / 10));
	else
		snprintf(buf, cap, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
	return buf;
}

/* "timestamp" in ms on even counts, in seconds on odd ones (both occur live). */
static void add_ts(struct sbuf *b, const char *key, uint64_t n)
{
	char t[24];
	int64_t ms = sim_real_ms();
	snprintf(t, sizeof t, "%lld", (long long)(n % 2 ? ms / 1000 : ms));
	add_kv(b, key, t);
}

static const char *token_id(const struct server *s, int token)
{
	return s->gen.m[token / 2].token[token % 2];
}

static void order_json(struct server *s, const struct uorder *o)
{
	struct sim_user *u = s->user;
	struct sbuf *b = &u->js;
	const struct gen_market *m = &s->gen.m[o->token / 2];
	char a[32], c[32];
	uint64_t n = u->sent_orders;

	sbuf_reset(b);
	SBUF_LIT(b, "{\"event_type\":\"order\",");
	add_kv(b, "type", o->type);
	add_kv(b, "id", o->id);
	add_kv(b, "owner", "9f1c2e44-clobsim-account");
	add_kv(b, "market", m->cond);
	add_kv(b, "asset_id", token_id(s, o->token));
	add_kv(b, "side", o->buy ? "BUY" : "SELL");
	add_kv(b, "price", gen_price_text(o->slot));
	add_kv(b, "original_size", shares(o->orig, a, sizeof a));
	/* "" for a zero fill now and then: every number may come empty */
	add_kv(b, "size_matched", !o->matched && n % 3 == 1 ? "" : shares(o->matched, c, sizeof c));
	add_kv(b, "outcome", m->outcome[o->token % 2]);
	add_kv(b, "status", o->status);
	add_kv(b, "order_type", "GTC");
	add_kv(b, "expiration", n % 4 == 2 ? "" : "0");
	add_ts(b, "timestamp", n);
	b->p[b->len - 1] = '}';
	send_event(s, o->token / 2, false);
}

static void trade_json(struct server *s, const struct utrade *t)
{
	struct sim_user *u = s->user;
	struct sbuf *b = &u->js;
	const struct gen_market *m = &s->gen.m[t->token / 2];
	char sz[32], ms[24];
	uint64_t n = u->sent_trades;
	bool blank = t->step > 1 && n % 3 == 0; /* a status update with "" numbers */

	sbuf_reset(b);
	SBUF_LIT(b, "{\"event_type\":\"trade\",\"type\":\"TRADE\",");
	add_kv(b, "id", t->id);
	add_kv(b, "taker_order_id",
	       t->taker ? t->order
	                : "0xfeed000000000000000000000000000000000000000000000000000000000000");
	add_kv(b, "market", m->cond);
	add_kv(b, "asset_id", token_id(s, t->token));
	add_kv(b, "side", t->buy ? "BUY" : "SELL");
	add_kv(b, "size", blank ? "" : shares(t->size, sz, sizeof sz));
	add_kv(b, "price", blank ? "" : gen_price_text(t->slot));
	add_kv(b, "fee_rate_bps", blank ? "" : "0");
	add_kv(b, "status", t->hist[t->step - 1]);
	snprintf(ms, sizeof ms, "%lld", (long long)t->match_s);
	add_kv(b, n % 2 ? "matchtime" : "match_time", ms);
	add_ts(b, "last_update", n + 1);
	add_kv(b, "outcome", m->outcome[t->token % 2]);
	add_kv(b, "owner", "9f1c2e44-clobsim-account");
	add_kv(b, "trader_side", t->taker ? "TAKER" : "MAKER");
	SBUF_LIT(b, "\"maker_orders\":[");
	if (!t->taker) {
		SBUF_LIT(b, "{");
		add_kv(b, "order_id", t->order);
		add_kv(b, "asset_id", token_id(s, t->token));
		add_kv(b, "matched_amount", shares(t->size, sz, sizeof sz));
		add_kv(b, "price", gen_price_text(t->slot));
		add_kv(b, "outcome", m->outcome[t->token % 2]);
		add_kv(b, "owner", "9f1c2e44-clobsim-account");
		b->p[b->len - 1] = '}';
	}
	SBUF_LIT(b, "],");
	add_ts(b, "timestamp", n);
	b->p[b->len - 1] = '}';
	send_event(s, t->token / 2, true);
}

/* Make room for one more entry: drop the oldest finished one (orders: closed; trades:
 * final).  False when every entry is still live. */
static bool make_room(void *arr, size_t *n, size_t size, bool (*done)(const void *))
{
	char *p = arr;

	if (*n < U_MAX)
		return true;
	for (size_t i = 0; i < *n; i++) {
		if (!done(p + i * size))
			continue;
		memmove(p + i * size, p + (i + 1) * size, (*n - i - 1) * size);
		(*n)--;
		return true;
	}
	return false;
}

static bool order_done(const void *p)
{
	return !((const struct uorder *)p)->open;
}

static bool trade_done(const void *p)
{
	return ((const struct utrade *)p)->next_ns == 0;
}

static void hex_id(struct sim_user *u, char *dst)
{
	dst[0] = '0';
	dst[1] = 'x';
	for (int i = 0; i < 4; i++)
		snprintf(dst + 2 + i * 16, 17, "%016llx", (unsigned long long)rnd(u));
}

static void place(struct server *s, int mi)
{
	struct sim_user *u = s->user;
	struct uorder *o;
	int token = mi * 2 + (int)(rnd(u) % 2);
	bool buy = rnd(u) % 2;
	int64_t best = gen_best(&s->gen, token, buy ? 0 : 1);
	int slot = best < 0 ? 500 : (int)(best / 1000);

	if (!make_room(u->o, &u->no, sizeof *u->o, order_done))
		return;
	slot += buy ? -(int)(rnd(u) % 5) : (int)(rnd(u) % 5);
	slot = slot < 1 ? 1 : slot > GEN_SLOTS - 2 ? GEN_SLOTS - 2 : slot;
	o = &u->o[u->no++];
	memset(o, 0, sizeof *o);
	hex_id(u, o->id);
	o->token = token;
	o->buy = buy;
	o->slot = slot - slot % s->gen.m[mi].tick;
	if (o->slot < s->gen.m[mi].tick)
		o->slot = s->gen.m[mi].tick;
	o->orig = (int64_t)(5 + rnd(u) % 96) * 100 + (int64_t)(rnd(u) % 2) * 50;
	snprintf(o->type, sizeof o->type, "PLACEMENT");
	snprintf(o->status, sizeof o->status, "LIVE");
	o->open = true;
	order_json(s, o);
}

static enum plan plan_of(uint64_t n)
{
	static const enum plan cycle[10] = {P_PLAIN, P_PLAIN,      P_FREETEXT, P_FAIL,
	                                    P_PLAIN, P_RETRY,      P_PLAIN,    P_STUCK_MATCHED,
	                                    P_PLAIN, P_STUCK_MINED};
	return cycle[n % 10];
}

/* The status after `step` statuses of a trade with this plan, or NULL when it stays. */
static const char *plan_status(enum plan p, int step)
{
	static const char *const seq[][5] = {
	    [P_PLAIN] = {"MATCHED", "MINED", "CONFIRMED", NULL},
	    [P_FAIL] = {"MATCHED", "RETRYING", "FAILED", NULL},
	    [P_RETRY] = {"MATCHED", "RETRYING", "MINED", "CONFIRMED", NULL},
	    [P_STUCK_MATCHED] = {"MATCHED", NULL},
	    [P_STUCK_MINED] = {"MATCHED", "MINED", NULL},
	    [P_FREETEXT] = {"MATCHED", "DELAYED pending review", "MINED", "CONFIRMED", NULL},
	};
	return step < 5 ? seq[p][step] : NULL;
}

static int64_t step_ns(struct server *s)
{
	double base = s->cfg->user_step > 0 ? s->cfg->user_step : 1;
	return (int64_t)(base * (0.5 + (double)(rnd(s->user) % 1000) / 1000.0) * 1e9);
}

/* Advance a trade one status and send it. */
static void trade_next(struct server *s, struct utrade *t, int64_t now)
{
	const char *st = plan_status(t->plan, t->step);

	if (!st || t->step >= U_HISTORY) {
		t->next_ns = 0;
		return;
	}
	snprintf(t->hist[t->step++], U_STATUS, "%s", st);
	t->next_ns = plan_status(t->plan, t->step) ? now + step_ns(s) : 0;
	/* stuck trades keep a timer so the state says they are not final */
	if (!t->next_ns && (t->plan == P_STUCK_MATCHED || t->plan == P_STUCK_MINED))
		t->next_ns = INT64_MAX;
	trade_json(s, t);
}

static void fill(struct server *s, struct uorder *o, int64_t now)
{
	struct sim_user *u = s->user;
	struct utrade *t;
	int64_t left = o->orig - o->matched;
	int64_t part =
	    left <= 100 || rnd(u) % 3 == 0 ? left : 100 + (int64_t)(rnd(u) % (uint64_t)(left - 99));

	if (!make_room(u->t, &u->nt, sizeof *u->t, trade_done))
		return;
	o->matched += part;
	snprintf(o->type, sizeof o->type, "UPDATE");
	snprintf(o->status, sizeof o->status, "%s", o->matched == o->orig ? "MATCHED" : "LIVE");
	o->open = o->matched < o->orig;
	order_json(s, o);
	t = &u->t[u->nt++];
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
	         (unsigned long long)(rnd(u) & 0xffffffff), (unsigned long long)(rnd(u) & 0xffff),
	         (unsigned long long)(rnd(u) & 0xfff), (unsigned long long)(rnd(u) & 0xfff),
	         (unsigned long long)(rnd(u) & 0xffffffffffffULL));
	memcpy(t->order, o->id, sizeof t->order);
	t->taker = rnd(u) % 2;
	t->token = o->token;
	t->buy = o->buy;
	t->slot = o->slot;
	t->size = part;
	t->match_s = sim_real_ms() / 1000;
	t->plan = plan_of(u->ntrades++);
	trade_next(s, t, now);
}

static void cancel(struct server *s, struct uorder *o)
{
	snprintf(o->type, sizeof o->type, "CANCELLATION");
	snprintf(o->status, sizeof o->status, "CANCELED");
	o->open = false;
	order_json(s, o);
}

/* An open order some connection still wants, picked at random, or NULL. */
static struct uorder *pick_open(struct server *s, size_t *nopen)
{
	struct sim_user *u = s->user;
	struct uorder *pick = NULL;
	size_t n = 0;

	for (size_t i = 0; i < u->no; i++) {
		struct uorder *o = &u->o[i];
		if (!o->open || !anyone_wants(s, o->token / 2))
			continue;
		if (rnd(u) % ++n == 0)
			pick = o;
	}
	*nopen = n;
	return pick;
}

static void act(struct server *s, int64_t now)
{
	struct sim_user *u = s->user;
	size_t nopen;
	struct uorder *o = pick_open(s, &nopen);
	uint64_t r = rnd(u) % 100;
	int mi;

	if (!o || nopen < U_OPEN_MIN || r < 30) {
		if ((mi = pick_market(s)) >= 0)
			place(s, mi);
	} else if (r < 80) {
		fill(s, o, now);
	} else {
		cancel(s, o);
	}
}

void user_pump(struct server *s, int64_t now)
{
	struct sim_user *u = s->user;
	double rate = s->cfg->user_rate;

	if (!u || s->paused)
		return;
	for (size_t i = 0; i < u->nt; i++) {
		struct utrade *t = &u->t[i];
		if (t->next_ns && t->next_ns != INT64_MAX && now >= t->next_ns &&
		    anyone_wants(s, t->token / 2))
			trade_next(s, t, now);
	}
	if (rate <= 0)
		return;
	if (!u->next_ev_ns)
		u->next_ev_ns = now;
	if (now < u->next_ev_ns)
		return;
	u->next_ev_ns = now + (int64_t)(1e9 / rate);
	act(s, now);
}

/* ---- GET /user/state ---- */

static void state_order(const struct server *s, const struct uorder *o, struct sbuf *b)
{
	char a[32], c[32];
	const struct gen_market *m = &s->gen.m[o->token / 2];

	SBUF_LIT(b, "{");
	add_kv(b, "id", o->id);
	add_kv(b, "market", m->cond);
	add_kv(b, "asset_id", token_id(s, o->token));
	add_kv(b, "side", o->buy ? "BUY" : "SELL");
	add_kv(b, "price", gen_price_text(o->slot));
	add_kv(b, "original_size", shares(o->orig, a, sizeof a));
	add_kv(b, "size_matched", shares(o->matched, c, sizeof c));
	add_kv(b, "type", o->type);
	add_kv(b, "outcome", m->outcome[o->token % 2]);
	add_kv(b, "status", o->status);
	b->p[b->len - 1] = '}';
}

static void state_trade(const struct server *s, const struct utrade *t, struct sbuf *b)
{
	char a[32];
	const struct gen_market *m = &s->gen.m[t->token / 2];

	SBUF_LIT(b, "{");
	add_kv(b, "id", t->id);
	add_kv(b, "order_id", t->order);
	add_kv(b, "market", m->cond);
	add_kv(b, "asset_id", token_id(s, t->token));
	add_kv(b, "side", t->buy ? "BUY" : "SELL");
	add_kv(b, "price", gen_price_text(t->slot));
	add_kv(b, "size", shares(t->size, a, sizeof a));
	add_kv(b, "status", t->hist[t->step - 1]);
	SBUF_LIT(b, "\"statuses\":[");
	for (int i = 0; i < t->step; i++) {
		if (i)
			sbuf_addc(b, ',');
		sbuf_addc(b, '"');
		sbuf_adds(b, t->hist[i]);
		sbuf_addc(b, '"');
	}
	SBUF_LIT(b, "]}");
}

int user_state_json(struct server *s, struct sbuf *b)
{
	struct sim_user *u = s->user;
	char tmp[256];

	SBUF_LIT(b, "{\"orders\":[");
	for (size_t i = 0; u && i < u->no; i++) {
		if (i)
			sbuf_addc(b, ',');
		state_order(s, &u->o[i], b);
	}
	SBUF_LIT(b, "],\"trades\":[");
	for (size_t i = 0; u && i < u->nt; i++) {
		if (i)
			sbuf_addc(b, ',');
		state_trade(s, &u->t[i], b);
	}
	snprintf(tmp, sizeof tmp,
	         "],\"sent_orders\":%llu,\"sent_trades\":%llu,\"auth_ok\":%llu,"
	         "\"auth_rejected\":%llu}\n",
	         u ? (unsigned long long)u->sent_orders : 0ULL,
	         u ? (unsigned long long)u->sent_trades : 0ULL,
	         u ? (unsigned long long)u->auth_ok : 0ULL,
	         u ? (unsigned long long)u->auth_rejected : 0ULL);
	sbuf_adds(b, tmp);
	return 200;
}
