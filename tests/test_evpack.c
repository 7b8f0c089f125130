/*
 * test_evpack: parsing where the frames arrive.  A frame packed into a REC_EVENTS record
 * (evpack.h) on one side and walked on the other gives exactly the events proto_parse
 * gives, field for field, for every kind and for the captured frames in data/; a model fed
 * REC_EVENTS ends with the same books, counters and alerts as one fed the raw frames; the
 * raw frame rides along for --record; a damaged record never reads outside itself.
 * lostids and REC_LOST: a full ring's drops untrust and resync only the assets they were
 * about, at most once a second per connection, and "all" when nobody can tell.
 */
#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evpack.h"
#include "lostids.h"
#include "market.h"
#include "market_conn.h"
#include "model_fixture.h"
#include "proto.h"
#include "ring.h"

/* ---- every field of an event, as text ---- */

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)n + 64;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
}

static void add_str(struct text *t, const char *name, struct ev_str s)
{
	if (s.s)
		add(t, " %s=[%.*s]", name, (int)s.len, s.s);
	else
		add(t, " %s=NULL", name);
}

static void add_levels(struct text *t, const char *name, const struct ev_level *l, size_t n)
{
	add(t, " %s:%zu", name, n);
	for (size_t i = 0; i < n; i++)
		add(t, " %" PRId64 "x%" PRId64, l[i].price, l[i].size);
}

static void event_text(void *ctx, const struct event *ev)
{
	struct text *t = ctx;
	add(t, "%s ts=%" PRId64, ev_kind_name(ev->kind), ev->ts_ms);
	add_str(t, "asset", ev->asset_id);
	add_str(t, "market", ev->market);
	switch (ev->kind) {
	case EV_BOOK:
		add_levels(t, "bids", ev->book.bids, ev->book.nbids);
		add_levels(t, "asks", ev->book.asks, ev->book.nasks);
		add(t, " tick=%" PRId64 " ltp=%" PRId64, ev->book.tick, ev->book.last_trade);
		add_str(t, "hash", ev->book.hash);
		break;
	case EV_LEVEL:
		add(t,
		    " side=%d p=%" PRId64 " s=%" PRId64 " bbo=%d %" PRId64 "/%" PRId64 " last=%d",
		    (int)ev->level.side, ev->level.price, ev->level.size, ev->level.has_bbo,
		    ev->level.best_bid, ev->level.best_ask, ev->level.last_in_frame);
		break;
	case EV_TRADE:
		add(t, " side=%d p=%" PRId64 " s=%" PRId64 " fee=%d", (int)ev->trade.side,
		    ev->trade.price, ev->trade.size, (int)ev->trade.fee_bps);
		break;
	case EV_TICK_SIZE:
		add(t, " %" PRId64 "->%" PRId64, ev->tick.old_tick, ev->tick.new_tick);
		break;
	case EV_BBO:
		add(t, " %" PRId64 "/%" PRId64, ev->bbo.best_bid, ev->bbo.best_ask);
		break;
	case EV_RESOLVED:
		add_str(t, "winner", ev->resolved.winning_asset_id);
		add_str(t, "outcome", ev->resolved.winning_outcome);
		/* fall through */
	case EV_MARKET_INFO:
		add_str(t, "q", ev->info.question);
		add_str(t, "slug", ev->info.slug);
		add(t, " tick=%" PRId64 " n=%zu", ev->info.tick, ev->info.nassets);
		for (size_t i = 0; i < ev->info.nassets; i++) {
			add_str(t, "a", ev->info.assets[i]);
			add_str(t, "o", ev->info.outcomes[i]);
		}
		break;
	case EV_SERVER_ERROR:
	case EV_UNKNOWN:
		add_str(t, "text", ev->other.text);
		break;
	case EV_MALFORMED:
		add(t, " reason=[%s] dropped=%d", ev->bad.reason ? ev->bad.reason : "NULL",
		    ev->bad.frame_dropped);
		break;
	default:
		break;
	}
	add(t, "\n");
}

static struct evpack *W;
static struct proto *P;

static void setup(void)
{
	W = evpack_create();
	P = proto_create();
	ck_assert_ptr_nonnull(W);
	ck_assert_ptr_nonnull(P);
}

static void teardown(void)
{
	evpack_destroy(W);
	proto_destroy(P);
}

/* The frame both ways: the same text, at least one event. */
static void same_events(const char *frame, size_t len)
{
	struct text direct = {0}, packed = {0};
	proto_parse(P, frame, len, event_text, &direct);
	size_t plen = 0;
	const void *rec = evpack_frame(W, frame, len, false, &plen);
	ck_assert_ptr_nonnull(rec);
	struct evpack_info info;
	ck_assert(evpack_read_info(rec, plen, &info));
	ck_assert_uint_eq(info.frame_len, len);
	ck_assert_ptr_null(info.raw);
	size_t n = evpack_each(rec, plen, event_text, &packed);
	ck_assert_uint_eq(n, info.nevents);
	ck_assert_uint_ge(n, 1);
	ck_assert_msg(direct.len == packed.len && memcmp(direct.s, packed.s, direct.len) == 0,
	              "frame %.60s...\ndirect:\n%.*s\npacked:\n%.*s", frame, (int)direct.len,
	              direct.s, (int)packed.len, packed.s);
	free(direct.s);
	free(packed.s);
}

static const char *const kinds[] = {
    "{\"event_type\":\"book\",\"asset_id\":\"111\",\"market\":\"0xab\",\"timestamp\":\"1000\","
    "\"hash\":\"h1\",\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"},{\"price\":\"0.45\","
    "\"size\":\"5\"}],\"asks\":[{\"price\":\"0.60\",\"size\":\"7\"},{\"price\":\"0.55\","
    "\"size\":\"3\"}],\"tick_size\":\"0.01\",\"last_trade_price\":\"0.5\"}",
    "{\"event_type\":\"book\",\"asset_id\":\"111\",\"market\":\"0xab\",\"timestamp\":\"1\","
    "\"bids\":[],\"asks\":[]}",
    "{\"event_type\":\"price_change\",\"market\":\"0xab\",\"timestamp\":\"1001\","
    "\"price_changes\":[{\"asset_id\":\"111\",\"price\":\"0.46\",\"size\":\"2\",\"side\":"
    "\"BUY\",\"hash\":\"x\",\"best_bid\":\"0.46\",\"best_ask\":\"0.55\"},{\"asset_id\":"
    "\"222\",\"price\":\"0.5\",\"size\":\"0\",\"side\":\"SELL\"}]}",
    "{\"event_type\":\"last_trade_price\",\"asset_id\":\"111\",\"market\":\"0xab\","
    "\"price\":\"0.456\",\"size\":\"219.217767\",\"side\":\"BUY\",\"fee_rate_bps\":\"0\","
    "\"timestamp\":\"1750428146322\"}",
    "{\"event_type\":\"tick_size_change\",\"asset_id\":\"111\",\"market\":\"0xab\","
    "\"old_tick_size\":\"0.01\",\"new_tick_size\":\"0.001\",\"timestamp\":\"100000000\"}",
    "{\"event_type\":\"best_bid_ask\",\"asset_id\":\"111\",\"market\":\"0xab\","
    "\"best_bid\":\"0.73\",\"best_ask\":\"0.77\",\"spread\":\"0.04\",\"timestamp\":\"5\"}",
    "{\"event_type\":\"new_market\",\"id\":\"1\",\"question\":\"Will \\u001b[31mit?\","
    "\"market\":\"0xcd\",\"slug\":\"will-it\",\"assets_ids\":[\"333\",\"444\"],"
    "\"outcomes\":[\"Yes\",\"No\"],\"timestamp\":\"7\",\"order_price_min_tick_size\":"
    "\"0.01\"}",
    "{\"event_type\":\"market_resolved\",\"id\":\"1\",\"question\":\"Will it?\",\"market\":"
    "\"0xcd\",\"slug\":\"will-it\",\"assets_ids\":[\"333\",\"444\"],\"outcomes\":[\"Yes\","
    "\"No\"],\"winning_asset_id\":\"333\",\"winning_outcome\":\"Yes\",\"timestamp\":\"8\"}",
    "PONG",
    "[]",
    "INVALID OPERATION",
    "{\"event_type\":\"surprise\",\"asset_id\":\"111\"}",
    "{\"event_type\":\"book\",\"asset_id\":\"111\",\"bids\":[{\"price\":\"2\",\"size\":\"1\"}]}",
    "not json at all {",
    "[{\"event_type\":\"best_bid_ask\",\"asset_id\":\"111\",\"best_bid\":\"0.1\",\"best_ask\":"
    "\"0.2\",\"timestamp\":\"9\"},{\"event_type\":\"last_trade_price\",\"asset_id\":\"111\","
    "\"price\":\"x\",\"size\":\"1\",\"side\":\"BUY\"}]",
};

START_TEST(every_kind_round_trips)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		same_events(kinds[i], strlen(kinds[i]));
	/* Too dense to parse: dropped unparsed, and the flag survives the trip. */
	char dense[4096];
	size_t o = 0;
	dense[o++] = '[';
	while (o < sizeof(dense) - 4) {
		memcpy(dense + o, "{},", 3);
		o += 3;
	}
	dense[o++] = '{';
	dense[o++] = '}';
	dense[o++] = ']';
	same_events(dense, o);
}
END_TEST

/* Every line of every captured file: the real shapes, long books and all. */
START_TEST(captured_frames_round_trip)
{
	static const char *const files[] = {
	    "polymarket-burst-2026-09-29.jsonl", "marcasite-live-frames.jsonl",
	    "netqo-live-frames.jsonl", "netqo-doc-example-frames.jsonl", "nautilus-books.jsonl"};
	size_t lines = 0;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/data/%s", TOP_SRCDIR, files[f]);
		FILE *in = fopen(path, "r");
		ck_assert_msg(in != NULL, "cannot open %s", path);
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, in)) > 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			if (n > 0) {
				same_events(line, (size_t)n);
				lines++;
			}
		}
		free(line);
		fclose(in);
	}
	ck_assert_uint_ge(lines, 60);
}
END_TEST

START_TEST(raw_frame_rides_along)
{
	const char *f = kinds[2];
	size_t plen = 0;
	const void *rec = evpack_frame(W, f, strlen(f), true, &plen);
	ck_assert_ptr_nonnull(rec);
	struct evpack_info info;
	ck_assert(evpack_read_info(rec, plen, &info));
	ck_assert_ptr_nonnull(info.raw);
	ck_assert_uint_eq(info.raw_len, strlen(f));
	ck_assert(memcmp(info.raw, f, strlen(f)) == 0);
	ck_assert_uint_eq(info.nevents, 2);
}
END_TEST

static void count_events(void *ctx, const struct event *ev)
{
	(void)ev;
	(*(size_t *)ctx)++;
}

/* A record cut short or with a lying length: fewer events, never a read outside it (the
 * ASan build of this test checks the last part). */
START_TEST(damaged_records_stay_inside)
{
	const char *f = kinds[0];
	size_t plen = 0;
	const void *rec = evpack_frame(W, f, strlen(f), false, &plen);
	ck_assert_ptr_nonnull(rec);
	for (size_t cut = 0; cut < plen; cut += 8) {
		void *copy = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, rec, cut);
		size_t n = 0;
		evpack_each(copy, cut, count_events, &n);
		ck_assert_uint_eq(n, 0); /* the head's lengths no longer add up */
		free(copy);
	}
	/* The head claims fewer event bytes than the event needs. */
	unsigned char *copy = malloc(plen);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, rec, plen);
	uint32_t short_len = 64;
	memcpy(copy + 8, &short_len, sizeof(short_len));
	size_t n = 0;
	evpack_each(copy, plen, count_events, &n);
	ck_assert_uint_eq(n, 0);
	free(copy);
}
END_TEST

/* The steady state allocates nothing: the same frames again reuse the same buffer. */
START_TEST(steady_state_reuses_the_buffer)
{
	size_t plen;
	const void *first = evpack_frame(W, kinds[0], strlen(kinds[0]), true, &plen);
	for (int i = 0; i < 1000; i++)
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			ck_assert_ptr_eq(evpack_frame(W, kinds[k], strlen(kinds[k]), true, &plen),
			                 first);
}
END_TEST

/* ---- the model: REC_EVENTS and REC_FRAME give the same state ---- */

static void apply_rec(struct market_state *m, uint16_t kind, const void *data, size_t len,
                      int64_t mono)
{
	struct ring_rec r = {.len = (uint32_t)len,
	                     .kind = kind,
	                     .t_real_ns = 1700000000000000000 + mono,
	                     .t_mono_ns = mono,
	                     .data = data};
	market_apply_record(m, &r, mono);
}

static void model_text(const struct market_state *m, struct text *t)
{
	const struct market_counters *c = &m->cnt;
	add(t,
	    "frames %" PRIu64 " bytes %" PRIu64 " events %" PRIu64 " malformed %" PRIu64
	    " unknown %" PRIu64 " pongs %" PRIu64 " empty %" PRIu64 " infos %" PRIu64 "\n",
	    c->frames, c->bytes, c->events, c->malformed, c->unknown, c->pongs, c->empty,
	    c->market_infos);
	for (size_t i = 0; i < m->nassets; i++) {
		const struct asset *a = &m->assets[i];
		add(t, "%s %s msgs %" PRIu64 " tick %" PRId64 " label [%s] market [%s]\n", a->id,
		    asset_state_name(a->state), a->msgs, a->tick, a->label, a->market);
		for (int s = 0; s < 2; s++)
			for (size_t k = 0; k < book_levels(&a->book, (enum side)s); k++) {
				const struct ev_level *l = book_level(&a->book, (enum side)s, k);
				add(t, " %d %" PRId64 "x%" PRId64, s, l->price, l->size);
			}
		add(t, "\n");
	}
	for (size_t i = 0; i < m->nalerts && i < ALERT_LOG_SIZE; i++)
		add(t, "alert %s\n", m->alerts[i].message);
}

START_TEST(model_same_through_events)
{
	struct market_state *raw = new_market(NULL), *ev = new_market(NULL);
	int64_t mono = 1000000000;
	size_t nframes = 0;
	char path[1024];
	snprintf(path, sizeof(path), "%s/data/polymarket-burst-2026-09-29.jsonl", TOP_SRCDIR);
	FILE *in = fopen(path, "r");
	ck_assert_ptr_nonnull(in);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	for (int pass = 0; pass < 2; pass++) {
		while ((n = getline(&line, &cap, in)) > 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			apply_rec(raw, REC_FRAME, line, (size_t)n, mono);
			size_t plen;
			const void *rec = evpack_frame(W, line, (size_t)n, false, &plen);
			ck_assert_ptr_nonnull(rec);
			apply_rec(ev, REC_EVENTS, rec, plen, mono);
			mono += 1000000;
			nframes++;
		}
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			apply_rec(raw, REC_FRAME, kinds[k], strlen(kinds[k]), mono);
			size_t plen;
			const void *rec = evpack_frame(W, kinds[k], strlen(kinds[k]), false, &plen);
			apply_rec(ev, REC_EVENTS, rec, plen, mono);
			mono += 1000000;
		}
		rewind(in);
	}
	free(line);
	fclose(in);
	market_tick(raw, mono);
	market_tick(ev, mono);
	struct text a = {0}, b = {0};
	model_text(raw, &a);
	model_text(ev, &b);
	ck_assert_uint_ge(nframes, 100);
	ck_assert_uint_ge(raw->nassets, 3);
	ck_assert_msg(a.len == b.len && memcmp(a.s, b.s, a.len) == 0, "raw:\n%.*s\nevents:\n%.*s",
	              (int)a.len, a.s, (int)b.len, b.s);
	free(a.s);
	free(b.s);
	del_market(raw);
	del_market(ev);
}
END_TEST

/* ---- lostids ---- */

static const void *pack(const char *frame, size_t *len)
{
	const void *p = evpack_frame(W, frame, strlen(frame), false, len);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void expect_ids(const struct lostids *l, uint64_t records, uint32_t all, const char *want)
{
	size_t len;
	const void *p = lostids_payload(l, &len);
	struct lost_head h;
	ck_assert(lostids_read_head(p, len, &h));
	ck_assert_uint_eq(h.records, records);
	ck_assert_uint_eq(h.all, all);
	char got[256] = "";
	size_t pos = 0, n, k = 0;
	const char *id;
	while (lostids_next(p, len, &pos, &id, &n)) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.*s", k++ ? " " : "",
		         (int)n, id);
	}
	ck_assert_uint_eq(k, h.nids);
	ck_assert_str_eq(got, want);
}

START_TEST(lost_ids_once_each)
{
	struct lostids *l = lostids_create();
	ck_assert_ptr_nonnull(l);
	ck_assert(!lostids_pending(l));
	size_t len;
	const void *p = pack(kinds[2], &len); /* 111 and 222 */
	lostids_add_events(l, p, len);
	p = pack(kinds[0], &len); /* 111 again */
	lostids_add_events(l, p, len);
	p = pack("PONG", &len); /* about no asset */
	lostids_add_events(l, p, len);
	ck_assert(lostids_pending(l));
	expect_ids(l, 3, 0, "111 222");
	lostids_clear(l);
	ck_assert(!lostids_pending(l));
	expect_ids(l, 0, 0, "");
	p = pack(kinds[4], &len); /* 111 alone after a clear */
	lostids_add_events(l, p, len);
	expect_ids(l, 1, 0, "111");
	lostids_destroy(l);
}
END_TEST

START_TEST(lost_ids_all_when_unknowable)
{
	struct lostids *l = lostids_create();
	char frame[256];
	size_t len;
	for (int i = 0; i < LOSTIDS_MAX; i++) {
		snprintf(
		    frame, sizeof(frame),
		    "{\"event_type\":\"best_bid_ask\",\"asset_id\":\"%d\",\"best_bid\":\"0.1\","
		    "\"best_ask\":\"0.2\"}",
		    1000 + i);
		const void *p = pack(frame, &len);
		lostids_add_events(l, p, len);
	}
	const void *payload = lostids_payload(l, &len);
	struct lost_head h;
	ck_assert(lostids_read_head(payload, len, &h));
	ck_assert_uint_eq(h.nids, LOSTIDS_MAX);
	ck_assert_uint_eq(h.all, 0);
	snprintf(frame, sizeof(frame), "{\"event_type\":\"best_bid_ask\",\"asset_id\":\"9\"}");
	const void *p = pack(frame, &len);
	lostids_add_events(l, p, len); /* one more distinct id: no room */
	payload = lostids_payload(l, &len);
	ck_assert(lostids_read_head(payload, len, &h));
	ck_assert_uint_eq(h.all, 1);
	lostids_clear(l);
	lostids_add_all(l); /* a conn event lost */
	payload = lostids_payload(l, &len);
	ck_assert(lostids_read_head(payload, len, &h));
	ck_assert_uint_eq(h.all, 1);
	lostids_destroy(l);
}
END_TEST

/* ---- REC_LOST in the model ---- */

static void book_for(struct market_state *m, const char *id, int64_t mono)
{
	char f[512];
	snprintf(f, sizeof(f),
	         "{\"event_type\":\"book\",\"asset_id\":\"%s\",\"market\":\"0xab\",\"timestamp\":"
	         "\"1000\",\"bids\":[{\"price\":\"0.4\",\"size\":\"1\"}],\"asks\":[{\"price\":"
	         "\"0.6\",\"size\":\"1\"}]}",
	         id);
	struct ring_rec r = {.len = (uint32_t)strlen(f),
	                     .kind = REC_FRAME,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = mono,
	                     .data = f};
	market_apply_record_on(m, &r, mono, 0);
}

static void lost_on(struct market_state *m, struct lostids *l, int64_t mono, uint16_t flags)
{
	size_t len;
	const void *p = lostids_payload(l, &len);
	struct ring_rec r = {.len = (uint32_t)len,
	                     .kind = REC_LOST,
	                     .flags = flags | MSG_F_LOSS_REPORTED,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = mono,
	                     .data = p};
	market_apply_record_on(m, &r, mono, 0);
	lostids_clear(l);
}

static bool trusted(struct market_state *m, const char *id)
{
	const struct asset *a = market_find(m, id, strlen(id));
	ck_assert_ptr_nonnull(a);
	return a->have_snapshot && !a->resync_pending;
}

START_TEST(lost_resyncs_only_what_it_names)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	ck_assert_int_eq(market_conn_open(m, 0, "ws://x"), 0);
	static const char *const ids[] = {"111", "222", "333", "444", "555"};
	int64_t mono = clock_mono_ns();
	for (size_t i = 0; i < 5; i++) {
		ck_assert_ptr_nonnull(market_add(m, ids[i], NULL));
		book_for(m, ids[i], mono);
	}
	for (size_t i = 0; i < 5; i++)
		ck_assert(trusted(m, ids[i]));
	struct lostids *l = lostids_create();
	size_t len;
	const void *p = pack(kinds[2], &len); /* 111 and 222 */
	lostids_add_events(l, p, len);
	lost_on(m, l, mono, RING_F_GAP);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_str_eq(log.last, "111 222");
	ck_assert(!trusted(m, "111") && !trusted(m, "222"));
	for (size_t i = 2; i < 5; i++)
		ck_assert_msg(trusted(m, ids[i]), "%s was not named but lost its trust", ids[i]);
	ck_assert_uint_eq(m->cnt.gaps, 1);

	/* Within the second: marked and untrusted now, asked for at the next tick after it. */
	p = pack(kinds[4], &len); /* 111 */
	lostids_add_events(l, p, len);
	p = pack("{\"event_type\":\"best_bid_ask\",\"asset_id\":\"333\"}", &len);
	lostids_add_events(l, p, len);
	lost_on(m, l, mono + NS_PER_S / 2, 0);
	ck_assert_int_eq(log.calls, 1);
	ck_assert(!trusted(m, "333"));
	market_tick(m, mono + NS_PER_S / 2 + 1);
	ck_assert_int_eq(log.calls, 1);
	market_tick(m, mono + NS_PER_S + NS_PER_S / 10);
	ck_assert_int_eq(log.calls, 2);
	ck_assert_str_eq(log.last, "111 333");
	ck_assert(trusted(m, "444") && trusted(m, "555"));

	/* "all": every book of the connection, as a gap always did. */
	lostids_add_all(l);
	lost_on(m, l, mono + 3 * NS_PER_S, 0);
	ck_assert_int_eq(log.calls, 3);
	ck_assert_str_eq(log.last, "111 222 333 444 555");
	lostids_destroy(l);
	del_market(m);
}
END_TEST

/* --no-auto-resync: the books a loss was about are untrusted and the loss is reported,
 * but nothing is asked of the feed. */
START_TEST(lost_without_auto_resync_is_reported_not_resynced)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	m->cfg.auto_resync = false;
	ck_assert_int_eq(market_conn_open(m, 0, "ws://x"), 0);
	int64_t mono = clock_mono_ns();
	static const char *const ids[] = {"111", "222", "333"};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(market_add(m, ids[i], NULL));
		book_for(m, ids[i], mono);
	}
	struct lostids *l = lostids_create();
	size_t len;
	const void *p = pack(kinds[2], &len); /* 111 and 222 */
	lostids_add_events(l, p, len);
	lost_on(m, l, mono, RING_F_GAP);
	ck_assert_int_eq(log.calls, 0);
	ck_assert(!trusted(m, "111") && !trusted(m, "222") && trusted(m, "333"));
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_ptr_nonnull(al);
	ck_assert_int_eq(al->kind, ALERT_GAP);
	ck_assert_msg(strstr(al->message, "2 books untrusted") &&
	                  strstr(al->message, "no automatic resync"),
	              "got \"%s\"", al->message);
	market_tick(m, mono + 2 * NS_PER_S);
	ck_assert_int_eq(log.calls, 0);
	lostids_destroy(l);
	del_market(m);
}
END_TEST

/* A gap flag on a record of a producer that reports its losses changes nothing by
 * itself (a refused record that is retried sets it too). */
START_TEST(reported_losses_ignore_the_gap_flag)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	ck_assert_int_eq(market_conn_open(m, 0, "ws://x"), 0);
	int64_t mono = clock_mono_ns();
	ck_assert_ptr_nonnull(market_add(m, "111", NULL));
	book_for(m, "111", mono);
	size_t len;
	const void *p = pack(kinds[5], &len);
	struct ring_rec r = {.len = (uint32_t)len,
	                     .kind = REC_EVENTS,
	                     .flags = RING_F_GAP | MSG_F_LOSS_REPORTED,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = mono,
	                     .data = p};
	market_apply_record_on(m, &r, mono, 0);
	ck_assert_int_eq(log.calls, 0);
	ck_assert(trusted(m, "111"));
	r.flags = RING_F_GAP; /* the same from a producer that does not: a gap */
	market_apply_record_on(m, &r, mono, 0);
	ck_assert_int_eq(log.calls, 1);
	ck_assert(!trusted(m, "111"));
	del_market(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("evpack");
	TCase *t = tcase_create("pack");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, every_kind_round_trips);
	tcase_add_test(t, captured_frames_round_trip);
	tcase_add_test(t, raw_frame_rides_along);
	tcase_add_test(t, damaged_records_stay_inside);
	tcase_add_test(t, steady_state_reuses_the_buffer);
	tcase_add_test(t, model_same_through_events);
	tcase_add_test(t, lost_ids_once_each);
	tcase_add_test(t, lost_ids_all_when_unknowable);
	tcase_add_test(t, lost_resyncs_only_what_it_names);
	tcase_add_test(t, lost_without_auto_resync_is_reported_not_resynced);
	tcase_add_test(t, reported_losses_ignore_the_gap_flag);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
