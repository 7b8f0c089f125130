/*
 * bookmsg: book and trade messages as JSON (see bookmsg.h).  A tiny bounded writer, no
 * allocation, no locale-dependent formatting.
 */
#include "bookmsg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct w {
	char *buf;  /* output */
	size_t cap; /* bytes usable, NUL excluded */
	size_t len; /* written */
	bool full;  /* something did not fit */
};

static void put(struct w *w, const char *s, size_t n)
{
	if (w->full || n > w->cap - w->len) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void puts_(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_int(struct w *w, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRId64, v);
	put(w, t, (size_t)n);
}

/* A JSON string; NULL or "" as null when null_if_empty. */
static void put_str(struct w *w, const char *s, bool null_if_empty)
{
	if (!s || (!*s && null_if_empty)) {
		puts_(w, "null");
		return;
	}
	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(w, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[8];
			snprintf(e, sizeof(e), "\\u%04x", c);
			put(w, e, 6);
		} else {
			/* Input is sanitised UTF-8 or ASCII; a stray high byte must not make
			 * the whole message invalid JSON. */
			char ch = c >= 0x80 ? '?' : (char)c;
			put(w, &ch, 1);
		}
	}
	put(w, "\"", 1);
}

static void put_time_ms(struct w *w, int64_t ms)
{
	if (ms > 0)
		put_int(w, ms);
	else
		puts_(w, "null");
}

/* {"price":"…","size":"…"} into t; returns its length. */
static size_t level_text(const struct ev_level *lv, char *t, size_t cap)
{
	char p[NUM_BUF], z[NUM_BUF];
	num_format(lv->price, p, sizeof(p));
	num_format(lv->size, z, sizeof(z));
	int n = snprintf(t, cap, "{\"price\":\"%s\",\"size\":\"%s\"}", p, z);
	return n < 0 ? 0 : (size_t)n;
}

#define LEVEL_MAX (2 * NUM_BUF + 32)
#define TAIL      "],\"truncated\":false}"
#define TAIL_T    "],\"truncated\":true}"

static void put_side(struct w *w, const struct book *b, enum side s, uint32_t n)
{
	char t[LEVEL_MAX];
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			put(w, ",", 1);
		put(w, t, level_text(book_level(b, s, i), t, sizeof(t)));
	}
}

/* Levels per side that fit in budget bytes, taking bid 0, ask 0, bid 1, ask 1, … */
static void fit_levels(const struct book *b, uint32_t nb, uint32_t na, size_t budget, uint32_t *fb,
                       uint32_t *fa)
{
	char t[LEVEL_MAX];
	size_t used = 0;
	uint32_t ib = 0, ia = 0;
	for (bool room = true; room && (ib < nb || ia < na);) {
		for (int s = 0; s < 2 && room; s++) {
			uint32_t *i = s == 0 ? &ib : &ia;
			if (*i >= (s == 0 ? nb : na))
				continue;
			size_t need = level_text(book_level(b, (enum side)s, *i), t, sizeof(t)) + 1;
			if (used + need > budget)
				room = false;
			else {
				used += need;
				(*i)++;
			}
		}
	}
	*fb = ib;
	*fa = ia;
}

static void put_header(struct w *w, const struct bookmsg_meta *m)
{
	puts_(w, "{\"schema\":\"" BOOKMSG_BOOK_SCHEMA "\",\"asset_id\":");
	put_str(w, m->asset_id, false);
	puts_(w, ",\"timestamp_ms\":");
	put_time_ms(w, m->ts_ms);
	puts_(w, ",\"hash\":");
	put_str(w, m->hash, true);
	puts_(w, ",\"received_ms\":");
	put_time_ms(w, m->recv_real_ns / 1000000);
	puts_(w, ",\"state\":");
	put_str(w, m->state, true);
	puts_(w, ",\"source\":");
	put_str(w, m->source, true);
}

int bookmsg_book(char *buf, size_t cap, const struct book *b, const struct bookmsg_meta *m,
                 struct bookmsg_out *out)
{
	if (cap < BOOKMSG_MIN_BUF)
		return -1;
	uint32_t nb = (uint32_t)book_levels(b, SIDE_BID), na = (uint32_t)book_levels(b, SIDE_ASK);
	if (m->max_levels && nb > m->max_levels)
		nb = m->max_levels;
	if (m->max_levels && na > m->max_levels)
		na = m->max_levels;
	struct w w = {buf, cap - 1, 0, false};
	put_header(&w, m);
	size_t head = w.len;
	bool truncated = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		w.len = head;
		w.full = false;
		puts_(&w, ",\"bids\":[");
		put_side(&w, b, SIDE_BID, nb);
		puts_(&w, "],\"asks\":[");
		put_side(&w, b, SIDE_ASK, na);
		puts_(&w, truncated ? TAIL_T : TAIL);
		if (!w.full)
			break;
		/* Did not fit: keep the best levels of both sides within what is left. */
		size_t fixed = strlen(",\"bids\":[],\"asks\":[") + strlen(TAIL_T);
		size_t budget = w.cap > head + fixed ? w.cap - head - fixed : 0;
		fit_levels(b, nb, na, budget, &nb, &na);
		truncated = true;
	}
	if (w.full) /* a header longer than the buffer: cannot happen with sane inputs */
		return -1;
	buf[w.len] = '\0';
	if (out)
		*out = (struct bookmsg_out){w.len, nb, na, truncated};
	return 0;
}

size_t bookmsg_trade(char *buf, size_t cap, const struct bookmsg_trade *t)
{
	if (cap == 0)
		return 0;
	struct w w = {buf, cap - 1, 0, false};
	char p[NUM_BUF], z[NUM_BUF];
	num_format(t->price, p, sizeof(p));
	num_format(t->size, z, sizeof(z));
	puts_(&w, "{\"schema\":\"" BOOKMSG_TRADE_SCHEMA "\",\"asset_id\":");
	put_str(&w, t->asset_id, false);
	puts_(&w, ",\"price\":\"");
	puts_(&w, p);
	puts_(&w, "\",\"size\":\"");
	puts_(&w, z);
	puts_(&w, t->side == SIDE_BID ? "\",\"side\":\"BUY\"" : "\",\"side\":\"SELL\"");
	puts_(&w, ",\"timestamp_ms\":");
	put_time_ms(&w, t->ts_ms);
	puts_(&w, ",\"received_ms\":");
	put_time_ms(&w, t->recv_real_ns / 1000000);
	puts_(&w, ",\"source\":");
	put_str(&w, t->source, true);
	puts_(&w, "}");
	if (w.full) {
		buf[0] = '\0';
		return 0;
	}
	buf[w.len] = '\0';
	return w.len;
}
