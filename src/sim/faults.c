/*
 * faults: clobsim's fault injection: abrupt closes (--close-after, --close-every),
 * stalls, silent freezes, garbage, truncated and oversize frames, fragmentation,
 * withheld price_changes (--drop-every), slow writes, and the runtime control
 * GET /fault?kind=... (which also triggers crosses, wrong best_bid_ask frames, new
 * markets, resolutions, pauses the flow, and arms the REST faults of restsrv.c).
 *
 * Faults happen only when a flag or GET /fault asks for them, and only on the
 * connections --fault-client (or client=) names.  The drops it executes are always
 * logged, as tests count them.  It never writes to a socket (conn.c does).  Called only
 * from the poll loop (clobsim is single-threaded).
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"
#include "simclock.h"

#define FAULT_LOG_MAX 20 /* fault events logged per connection */

bool fault_applies(const struct server *s, const struct client *c)
{
	return s->cfg->fault.client == 0 || s->cfg->fault.client == c->id;
}

void fault_log(struct client *c, const char *what)
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
	conn_queue_text(s, c, g, sizeof g - 1);
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
	conn_queue_text(s, c, p, n / 2);
	s->st.faults++;
	fault_log(c, "truncated frame");
}

static void fault_oversize(struct server *s, struct client *c)
{
	build_oversize(s);
	if (!s->oversize)
		return;
	conn_queue_text(s, c, s->oversize, s->oversize_len);
	s->st.faults++;
	fault_log(c, "oversize frame");
}

void fault_close(struct server *s, struct client *c, const char *why)
{
	s->st.faults++;
	sim_log("client %llu: fault abrupt close (%s)", (unsigned long long)c->id, why);
	c->abrupt = true;
	c->st = C_CLOSING;
}

/* --drop-every and GET /fault?kind=drop: true when this data frame is withheld. */
bool fault_withhold(struct server *s, struct client *c, bool price_change, bool top_changed)
{
	uint64_t every = s->cfg->fault.drop_every;

	if (!price_change || !fault_applies(s, c))
		return false;
	if (every && ++c->pc_seen >= every)
		c->drop_armed = true;
	if (!c->drop_armed || !top_changed)
		return false;
	c->drop_armed = false;
	c->pc_seen = 0;
	s->st.faults++;
	/* Always logged (not capped): tests count executed drops. */
	sim_log("client %llu: fault withheld a price_change", (unsigned long long)c->id);
	return true;
}

/* The counted faults due after a connection's data frame p (its c->data_sent-th).
 * Returns true when the connection is now closing abruptly. */
bool fault_after_data(struct server *s, struct client *c, const char *p, size_t n)
{
	const struct sim_faults *f = &s->cfg->fault;
	uint64_t k = c->data_sent;

	if (!fault_applies(s, c))
		return false;
	if (f->garbage_every && k % f->garbage_every == 0)
		fault_garbage(s, c);
	if (f->truncate_every && k % f->truncate_every == 0)
		fault_truncate(s, c, p, n);
	if (f->oversize_every && k % f->oversize_every == 0)
		fault_oversize(s, c);
	if (f->close_after && k >= f->close_after) {
		fault_close(s, c, "--close-after");
		return true;
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
	return false;
}

/* --fragment: split this n-byte text message into three fragments? */
bool fault_fragments(const struct server *s, const struct client *c, size_t n)
{
	return s->cfg->fault.fragment && n >= 3 && fault_applies(s, c);
}

/* --slow-write: refill the connection's byte bucket and cap *n by it.  Returns false
 * when nothing may be written yet. */
bool fault_write_budget(struct server *s, struct client *c, int64_t now, size_t *n)
{
	if (!s->cfg->fault.slow_write || !fault_applies(s, c))
		return true;
	double rate = (double)s->cfg->fault.slow_write;
	c->wbucket += rate * (double)(now - c->wlast) / 1e9;
	c->wlast = now;
	if (c->wbucket > rate)
		c->wbucket = rate;
	if (c->wbucket < 1)
		return false;
	if ((double)*n > c->wbucket)
		*n = (size_t)c->wbucket;
	return true;
}

void fault_write_spent(struct server *s, struct client *c, size_t written)
{
	if (s->cfg->fault.slow_write && fault_applies(s, c))
		c->wbucket -= (double)written;
}

/* --close-every: every connection closes abruptly when the timer is due. */
void fault_close_every(struct server *s, int64_t now)
{
	if (!s->next_close_all || now < s->next_close_all)
		return;
	s->next_close_all = now + (int64_t)(s->cfg->fault.close_every * 1e9);
	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		if (c->st == C_WS && !c->dead && fault_applies(s, c))
			fault_close(s, c, "--close-every");
	}
}

/* GET /fault kinds that act on the server, not on connections: 1 when kind is one. */
static int fault_global(struct server *s, const char *kind)
{
	if (!strcmp(kind, "cross"))
		s->gen.want_cross = true;
	else if (!strcmp(kind, "wrongbbo"))
		s->gen.want_wrong_bbo = true;
	else if (!strcmp(kind, "newmarket"))
		s->next_announce = 1;
	else if (!strcmp(kind, "resolve"))
		s->next_resolve = 1;
	else if (!strcmp(kind, "pause") || !strcmp(kind, "play")) {
		/* Not a fault but a test control: with the flow paused the truth stands
		 * still, so a client's books can be compared with /state at leisure. */
		s->paused = kind[1] == 'a';
		s->gen_t0 = sim_mono_ns();
		s->gen_done = 0;
	} else
		return 0;
	return 1;
}

static bool client_kind(const char *kind)
{
	static const char *const kinds[] = {"close",    "stall",    "freeze", "garbage",
	                                    "truncate", "oversize", "drop",   "resume"};

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!strcmp(kind, kinds[k]))
			return true;
	return false;
}

/* One per-connection GET /fault kind on one connection. */
static void fault_one(struct server *s, struct client *c, const char *kind)
{
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
	if (strcmp(kind, "close") && strcmp(kind, "garbage") && strcmp(kind, "truncate") &&
	    strcmp(kind, "oversize"))
		fault_log(c, kind);
}

/* GET /fault?kind=K[&client=N]: one fault now, on the matching connections.  Returns
 * the HTTP status; the JSON answer goes to b. */
int fault_now(struct server *s, const char *target, struct sbuf *b)
{
	char kind[32] = "", cl[24] = "", tmp[128];
	uint64_t only = 0;
	int hit;

	rest_query(target, "kind", kind, sizeof kind);
	if (restctl_kind(kind) >= 0)
		return restsrv_fault(s, kind, target, b);
	if (rest_query(target, "client", cl, sizeof cl))
		only = strtoull(cl, NULL, 10);
	hit = fault_global(s, kind);
	if (!hit && !client_kind(kind)) {
		SBUF_LIT(b, "{\"ok\":false,\"error\":\"kind must be one of close stall freeze "
		            "garbage truncate oversize drop resume cross wrongbbo newmarket "
		            "resolve pause play rest500 rest429 restslow restwrong\"}\n");
		return 400;
	}
	for (size_t i = 0; i < s->nc && client_kind(kind); i++) {
		struct client *c = s->c[i];
		if (c->st != C_WS || !c->subscribed || c->dead || (only && c->id != only))
			continue;
		hit++;
		fault_one(s, c, kind);
	}
	if (!strcmp(kind, "cross") || !strcmp(kind, "wrongbbo") || !strcmp(kind, "stall") ||
	    !strcmp(kind, "freeze") || !strcmp(kind, "drop"))
		s->st.faults += (uint64_t)hit;
	sim_log("GET /fault kind=%s: %d target(s)", kind, hit);
	snprintf(tmp, sizeof tmp, "{\"ok\":true,\"kind\":\"%s\",\"targets\":%d}\n", kind, hit);
	sbuf_adds(b, tmp);
	return 200;
}
