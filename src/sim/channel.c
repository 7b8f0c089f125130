/*
 * channel: the market channel (/ws/market): what a client sends on it (subscription,
 * subscribe/unsubscribe operations, PING, WebSocket control frames), each connection's
 * subscriptions, and the dispatch of generated or replayed frames to the subscribers,
 * paced by --rate or the tape's timestamps.
 *
 * Frames go out byte for byte as gen.c or the tape made them; per-connection faults are
 * applied by faults.c on the way.  It never touches a socket itself (conn.c does) and
 * never changes the market truth except through gen's calls.  Called only from the poll
 * loop (clobsim is single-threaded).
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "simclock.h"

static int ntokens(const struct server *s)
{
	return s->gen.nmarkets * 2;
}

static bool market_subscribed(const struct client *c, int mi)
{
	return c->sub && (c->sub[mi * 2] || c->sub[mi * 2 + 1]);
}

/* Served: subscribed within --max-per-conn; the others get nothing, silently. */
static bool market_served(const struct client *c, int mi)
{
	return c->sub && (c->sub[mi * 2] == SUB_SERVED || c->sub[mi * 2 + 1] == SUB_SERVED);
}

static void sub_set(struct server *s, struct client *c, int t, uint8_t how)
{
	int mi = t / 2;
	bool before = market_subscribed(c, mi);

	if (c->sub[t] == SUB_SERVED)
		c->nserved--;
	else if (c->sub[t] == SUB_OVER)
		c->nover--;
	c->sub[t] = how;
	if (how == SUB_SERVED)
		c->nserved++;
	else if (how == SUB_OVER)
		c->nover++;
	bool after = market_subscribed(c, mi);
	if (before != after)
		s->gen.m[mi].nsub += after ? 1 : -1;
}

bool channel_open(struct server *s, struct client *c)
{
	c->sub = calloc((size_t)ntokens(s), 1);
	return c->sub != NULL;
}

void channel_close(struct server *s, struct client *c)
{
	if (!c->sub)
		return;
	for (int t = 0; t < ntokens(s); t++)
		if (c->sub[t])
			sub_set(s, c, t, SUB_NONE);
}

/* Queue one data frame for a connection, applying the per-connection faults. */
void channel_send(struct server *s, struct client *c, const char *p, size_t n, bool price_change,
                  bool top_changed)
{
	if (c->dead || c->st != C_WS || c->stalled || c->frozen || c->abrupt)
		return;
	if (fault_withhold(s, c, price_change, top_changed))
		return;
	conn_queue_text(s, c, p, n);
	c->data_sent++;
	s->st.frames_sent++;
	if (fault_after_data(s, c, p, n))
		return;
	conn_check_backlog(s, c);
}

/* Apply a list of asset ids; on subscribe, answer with the books of the newly
 * subscribed known tokens as one array frame, or [] when none of them is known. */
static void apply_assets(struct server *s, struct client *c, json_t *ids, bool subscribe, bool dump)
{
	struct sbuf *b = &s->scratch;
	size_t i;
	json_t *v;
	int books = 0, unknown = 0;
	int64_t now = sim_real_ms();

	sbuf_reset(b);
	sbuf_addc(b, '[');
	json_array_foreach(ids, i, v)
	{
		const char *id = json_string_value(v);
		int t = id ? gen_find_token(&s->gen, id, strlen(id)) : -1;

		if (t < 0 || (subscribe && s->gen.m[t / 2].closed)) {
			unknown++;
			continue;
		}
		if (!subscribe) {
			if (c->sub[t])
				sub_set(s, c, t, SUB_NONE);
			continue;
		}
		if (c->sub[t])
			continue; /* already subscribed: no new snapshot */
		if (c->nserved >= s->cfg->max_per_conn) {
			/* As the real service is reported to: beyond the cap, nothing at all. */
			if (c->nover == 0)
				sim_log("client %llu: over --max-per-conn %d: further tokens are "
				        "silently not served",
				        (unsigned long long)c->id, s->cfg->max_per_conn);
			sub_set(s, c, t, SUB_OVER);
			continue;
		}
		sub_set(s, c, t, SUB_SERVED);
		if (books++)
			sbuf_addc(b, ',');
		gen_book_json(&s->gen, t, now, true, b);
	}
	sbuf_addc(b, ']');
	if (!subscribe || !dump || s->replay)
		return;
	if (books || unknown)
		channel_send(s, c, b->p, b->len, false, false);
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
	conn_queue_text(s, c, t, strlen(t));
	conn_check_backlog(s, c);
}

/* Reply to a frame that is not a valid request: a close before the initial
 * subscription, INVALID OPERATION after it. */
static void refuse(struct server *s, struct client *c)
{
	if (!c->subscribed)
		conn_ws_close(c, WS_CLOSE_POLICY, "invalid subscription payload");
	else
		send_control_text(s, c, "INVALID OPERATION");
}

/* The first frame: {"type":"market","assets_ids":[...]}. */
static void on_subscription(struct server *s, struct client *c, json_t *j, json_t *ids, bool custom)
{
	json_t *type = json_object_get(j, "type");

	if (!ids || !json_is_string(type) || strcasecmp(json_string_value(type), "market") != 0) {
		conn_ws_close(c, WS_CLOSE_POLICY, "invalid subscription payload");
		return;
	}
	c->subscribed = true;
	c->custom = custom;
	apply_assets(s, c, ids, true, json_is_true(json_object_get(j, "initial_dump")));
	if (s->replay) {
		c->replaying = true;
		c->rp_pos = 0;
		c->rp_t0 = sim_mono_ns();
	}
}

/* Later frames: {"operation":"subscribe"|"unsubscribe","assets_ids":[...]}. */
static void on_operation(struct server *s, struct client *c, json_t *j, json_t *ids, bool custom)
{
	const char *ops = json_string_value(json_object_get(j, "operation"));

	if (json_object_get(j, "type") || !ids || !ops ||
	    (strcasecmp(ops, "subscribe") != 0 && strcasecmp(ops, "unsubscribe") != 0)) {
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
}

static void on_text(struct server *s, struct client *c, const uint8_t *p, size_t n)
{
	json_t *j, *ids;

	if (c->user_channel) {
		user_on_text(s, c, p, n); /* never logged: the first frame holds a secret */
		return;
	}
	sim_log_frame(c->id, "text", p, n);
	if (is_text(p, n, "PING")) {
		if (!c->subscribed)
			conn_ws_close(c, WS_CLOSE_POLICY, "invalid subscription payload");
		else
			send_control_text(s, c, "PONG");
		return;
	}
	j = json_loadb((const char *)p, n, 0, NULL);
	ids = json_object_get(j, "assets_ids");
	if (json_is_array(ids) && json_array_size(ids) > c->max_ids)
		c->max_ids = json_array_size(ids);
	if (!json_is_object(j) || (ids && !json_is_array(ids))) {
		refuse(s, c);
	} else if (ids && (int)json_array_size(ids) > s->cfg->max_assets) {
		sim_log("client %llu: %zu asset ids in one frame (limit %d)",
		        (unsigned long long)c->id, json_array_size(ids), s->cfg->max_assets);
		fault_close(s, c, "too many asset ids in one frame");
	} else {
		bool custom = json_is_true(json_object_get(j, "custom_feature_enabled"));
		if (!c->subscribed)
			on_subscription(s, c, j, ids, custom);
		else
			on_operation(s, c, j, ids, custom);
	}
	json_decref(j);
}

static void on_event(struct server *s, struct client *c, const struct ws_event *ev)
{
	switch (ev->opcode) {
	case WS_OP_TEXT:
		on_text(s, c, ev->data, ev->len);
		break;
	case WS_OP_BINARY:
		sim_log_frame(c->id, "binary", ev->data, ev->len);
		conn_ws_close(c, WS_CLOSE_UNSUPPORTED, "binary frames are not accepted");
		break;
	case WS_OP_PING:
		conn_queue_frame(c, WS_OP_PONG, true, ev->data, ev->len);
		break;
	case WS_OP_CLOSE:
		sim_log("client %llu: received close %u", (unsigned long long)c->id,
		        ev->close_code);
		conn_ws_close(
		    c, ev->close_code == WS_CLOSE_NO_STATUS ? WS_CLOSE_NORMAL : ev->close_code, "");
		break;
	default: /* PONG and unknown opcodes: nothing to do */
		break;
	}
}

void channel_on_bytes(struct server *s, struct client *c)
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
			conn_ws_close(c, (uint16_t)-r, "protocol error");
			return;
		}
		s->st.frames_received++;
		on_event(s, c, &ev);
	}
}

/* The frames of the generator's current step, to every connection that wants them. */
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
			if (!m->global && !market_served(c, m->market))
				continue;
			channel_send(s, c, p, m->len, m->kind == GEN_PRICE_CHANGE, m->top_changed);
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

/* Frames due now: under --rate max as many as the readers take, else --rate's pace. */
static uint64_t frames_due(struct server *s, int64_t now)
{
	const struct sim_cfg *cfg = s->cfg;

	if (cfg->rate_max)
		return readers_hungry(s) ? 2048 : 0;
	if (cfg->rate <= 0)
		return 0;
	double want = (double)(now - s->gen_t0) / 1e9 * cfg->rate;
	double cap = cfg->rate * 0.05 + 1;
	if (want - (double)s->gen_done > cap) {
		/* we fell behind (a stop of the process): do not burst to catch up */
		s->gen_done = (uint64_t)(want - cap);
	}
	return want > (double)s->gen_done ? (uint64_t)(want - (double)s->gen_done) : 0;
}

void channel_pump_flow(struct server *s, int64_t now)
{
	int64_t now_ms = sim_real_ms();
	uint64_t due;

	if (s->replay || s->paused)
		return;
	due = frames_due(s, now);
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

/* The tape frames due for one connection. */
static void replay_to(struct server *s, struct client *c, int64_t now)
{
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
		channel_send(s, c, f->text, f->len, f->price_change, true);
		c->rp_pos++;
	}
}

void channel_pump_replay(struct server *s, int64_t now)
{
	for (size_t k = 0; k < s->nc; k++)
		replay_to(s, s->c[k], now);
}

/* One market-event timer: when due, re-arm it (every `every` seconds; 0 = fired only by
 * GET /fault) and send what make() generates. */
static void market_timer(struct server *s, int64_t now, int64_t *next, double every,
                         int (*make)(struct gen *g, int64_t now_ms))
{
	if (!*next || now < *next || s->replay || s->paused)
		return;
	*next = every > 0 ? now + (int64_t)(every * 1e9) : 0;
	if (make(&s->gen, sim_real_ms()) > 0) {
		s->st.frames_generated++;
		distribute(s);
	}
}

/* --new-market-every, --resolve-every and their GET /fault triggers. */
void channel_pump_timers(struct server *s, int64_t now)
{
	market_timer(s, now, &s->next_announce, s->cfg->new_market_every, gen_announce);
	market_timer(s, now, &s->next_resolve, s->cfg->resolve_every, gen_resolve);
}
