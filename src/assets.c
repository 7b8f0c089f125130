/*
 * assets: the asset table and its id index (see assets.h).
 *
 * The index is open addressing with FNV-1a; a slot holds the asset's index + 1 (0 is
 * empty) and is kept at most half full.  Allocates only when an asset is added.
 */
#include "assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "mem.h"
#include "sanitize.h"

void flow_init(struct flow *f)
{
	rate_init(&f->trades);
	rate_init(&f->buy_vol);
	rate_init(&f->sell_vol);
	rate_init(&f->notional);
}

void flow_add(struct flow *f, int64_t now_s, const struct trade *t)
{
	rate_add(&f->trades, now_s, 1);
	rate_add(t->side == SIDE_BID ? &f->buy_vol : &f->sell_vol, now_s, t->size);
	rate_add(&f->notional, now_s, num_mul_div(t->price, t->size, NUM_SCALE));
}

int assets_init(struct market_state *m)
{
	m->index_cap = 64;
	m->index = calloc(m->index_cap, sizeof(*m->index));
	return m->index ? 0 : -1;
}

void assets_free(struct market_state *m)
{
	for (size_t i = 0; i < m->nassets; i++)
		book_free(&m->assets[i].book);
	free(m->assets);
	free(m->index);
	market_dirty_free(&m->dirty);
	m->assets = NULL;
	m->index = NULL;
	m->nassets = m->cap = m->index_cap = 0;
}

static bool id_equals(const struct asset *a, const char *id, size_t len)
{
	return strlen(a->id) == len && memcmp(a->id, id, len) == 0;
}

struct asset *market_find(struct market_state *m, const char *id, size_t len)
{
	size_t mask = m->index_cap - 1;
	for (size_t i = mem_hash(id, len) & mask;; i = (i + 1) & mask) {
		uint32_t slot = m->index[i];
		if (!slot)
			return NULL;
		if (id_equals(&m->assets[slot - 1], id, len))
			return &m->assets[slot - 1];
	}
}

static void index_insert(uint32_t *index, size_t cap, const char *id, size_t len, uint32_t value)
{
	size_t mask = cap - 1;
	size_t i = mem_hash(id, len) & mask;
	while (index[i])
		i = (i + 1) & mask;
	index[i] = value;
}

static int index_grow(struct market_state *m)
{
	size_t cap = m->index_cap * 2;
	uint32_t *index = calloc(cap, sizeof(*index));
	if (!index)
		return -1;
	for (size_t i = 0; i < m->nassets; i++)
		index_insert(index, cap, m->assets[i].id, strlen(m->assets[i].id), (uint32_t)i + 1);
	free(m->index);
	m->index = index;
	m->index_cap = cap;
	return 0;
}

/* "76670567…71111": enough to tell tokens apart at a glance. */
static void short_label(char *dst, size_t cap, const char *id)
{
	size_t n = strlen(id);
	if (n <= 14)
		snprintf(dst, cap, "%s", id);
	else
		snprintf(dst, cap, "%.6s\u2026%s", id, id + n - 6);
}

struct asset *assets_add_len(struct market_state *m, const char *id, size_t len)
{
	struct asset *a = market_find(m, id, len);
	if (a)
		return a;
	if (!token_id_valid(id, len))
		return NULL;
	if ((m->nassets + 1) * 2 > m->index_cap && index_grow(m) != 0)
		return NULL;
	if (!mem_grow((void **)&m->assets, &m->cap, m->nassets + 1, sizeof(*m->assets), 16))
		return NULL;
	if (market_dirty_reserve(&m->dirty, m->nassets + 1) != 0)
		return NULL;
	a = &m->assets[m->nassets];
	memset(a, 0, sizeof(*a));
	memcpy(a->id, id, len);
	a->id[len] = '\0';
	short_label(a->label, sizeof(a->label), a->id);
	book_init(&a->book);
	rate_init(&a->msg_rate);
	flow_init(&a->flow);
	health_init(a, market_now_ns(m));
	a->subscribed = true;
	a->ex_best_bid = a->ex_best_ask = PRICE_NONE;
	a->last_trade_price_book = PRICE_NONE;
	index_insert(m->index, m->index_cap, a->id, len, (uint32_t)m->nassets + 1);
	m->nassets++;
	return a;
}

struct asset *market_add(struct market_state *m, const char *id, const char *label)
{
	struct asset *a = assets_add_len(m, id, strlen(id));
	if (!a)
		return NULL;
	if (!a->subscribed) {
		a->subscribed = true;
		health_init(a, market_now_ns(m));
		market_book_changed(m, a);
	}
	if (label && *label) {
		sanitize_text(a->label, sizeof(a->label), label, strlen(label));
		a->label_from_user = true;
	}
	return a;
}

void market_remove(struct market_state *m, const char *id)
{
	struct asset *a = market_find(m, id, strlen(id));
	if (!a)
		return;
	a->subscribed = false;
	a->resync_pending = false;
	book_clear(&a->book);
	health_init(a, market_now_ns(m));
}

/* "Yes · Will it rain?": the outcome first, so the two tokens of a market stay apart
 * even in a narrow column. */
void assets_set_label(struct asset *a, const char *q, size_t qlen, const char *o, size_t olen)
{
	if (a->label_from_user || !q || !qlen)
		return;
	char raw[ASSET_LABEL_MAX * 2];
	int n = snprintf(raw, sizeof(raw), "%.*s%s%.*s", o ? (int)olen : 0, o ? o : "",
	                 o && olen ? " \u00b7 " : "", (int)qlen, q);
	if (n > 0)
		sanitize_text(a->label, sizeof(a->label), raw,
		              (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1);
}

void market_set_info(struct market_state *m, const char *id, const char *question,
                     const char *outcome, const char *condition_id, int64_t tick)
{
	struct asset *a = market_find(m, id, strlen(id));
	if (!a)
		return;
	if (question && *question) {
		sanitize_text(a->question, sizeof(a->question), question, strlen(question));
		assets_set_label(a, question, strlen(question), outcome,
		                 outcome ? strlen(outcome) : 0);
	}
	if (condition_id && *condition_id && !a->market[0])
		sanitize_text(a->market, sizeof(a->market), condition_id, strlen(condition_id));
	if (tick > 0 && !a->tick)
		a->tick = tick;
}

void market_label_requested(struct market_state *m, size_t i)
{
	if (i < m->nassets)
		m->assets[i].label_requested = true;
}
