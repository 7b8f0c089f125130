/*
 * feed_subs: the subscribed set and what changes it.  The set survives reconnections
 * (resubscribed in the order the user asked); subscription frames go out in batches of
 * cfg.batch ids; commands from the UI arrive through the command ring.
 *
 * feed_command() is called on the UI thread (the command ring's only producer); every
 * other function here runs on the feed thread.  Ids shown in events are sanitised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed_int.h"
#include "mem.h"
#include "sanitize.h"
#include "wire.h"

/* ---- the subscribed set ---- */

ssize_t feed_idset_find(const struct idset *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return (ssize_t)i;
	return -1;
}

/* True when id was added (false: already there or out of memory). */
bool feed_idset_add(struct idset *s, const char *id)
{
	if (feed_idset_find(s, id) >= 0)
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return false;
		s->v = v;
		s->cap = cap;
	}
	char *copy = strdup(id);
	if (!copy)
		return false;
	s->v[s->n++] = copy;
	return true;
}

static void idset_remove(struct idset *s, const char *id)
{
	ssize_t i = feed_idset_find(s, id);
	if (i < 0)
		return;
	free(s->v[i]);
	/* Order is kept so that resubscriptions go out in the order the user asked. */
	memmove(s->v + i, s->v + i + 1, (s->n - (size_t)i - 1) * sizeof(*s->v));
	s->n--;
}

void feed_idset_free(struct idset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- subscription frames ---- */

enum frame_shape { FMT_INITIAL, FMT_SUBSCRIBE, FMT_UNSUBSCRIBE };

static size_t format_frame(struct feed *f, enum frame_shape shape, const char *const *ids, size_t n)
{
	size_t need = 128;
	for (size_t i = 0; i < n; i++)
		need += strlen(ids[i]) + 3;
	for (;;) {
		if (!mem_grow((void **)&f->sbuf, &f->scap, need, 1, 16))
			return 0;
		size_t len;
		switch (shape) {
		case FMT_INITIAL:
			len = wire_fmt_initial(f->sbuf, f->scap, ids, n);
			break;
		case FMT_SUBSCRIBE:
			len = wire_fmt_subscribe(f->sbuf, f->scap, ids, n);
			break;
		default:
			len = wire_fmt_unsubscribe(f->sbuf, f->scap, ids, n);
			break;
		}
		if (len)
			return len;
		/* JSON escaping made it longer than estimated. */
		need = f->scap * 2;
		if (need > ((size_t)64 << 20))
			return 0;
	}
}

/* Sends ids as frames of at most batch ids.  The first frame has the initial shape when
 * initial is true; every later one is an operation.  False when the connection failed. */
static bool send_batched(struct feed *f, bool initial, enum frame_shape later,
                         const char *const *ids, size_t n)
{
	size_t batch = (size_t)(f->cfg.batch > 0 ? f->cfg.batch : 100);
	size_t i = 0;
	do {
		size_t k = n - i < batch ? n - i : batch;
		enum frame_shape shape = initial && i == 0 ? FMT_INITIAL : later;
		size_t len = format_frame(f, shape, ids + i, k);
		if (!len) {
			feed_emit(f, CONN_ERROR, 0, 0,
			          "out of memory formatting a subscription frame");
			return false;
		}
		CURLcode rc = feed_send_all(f, f->sbuf, len, CURLWS_TEXT);
		if (rc != CURLE_OK) {
			feed_report_send_error(f, "a subscription frame", rc);
			return false;
		}
		count(&f->st.sent, 1);
		i += k;
	} while (i < n);
	return true;
}

/* The user channel's first frame (auth + markets), built by the caller's callback and
 * wiped as soon as it is sent: f->sbuf never holds it across a reallocation. */
static bool send_first_frame(struct feed *f)
{
	size_t need = 4096;
	for (size_t i = 0; i < f->subs.n; i++)
		need += strlen(f->subs.v[i]) + 3;
	if (!mem_grow((void **)&f->sbuf, &f->scap, need, 1, 16)) {
		feed_emit(f, CONN_ERROR, 0, 0, "out of memory formatting the first frame");
		return false;
	}
	size_t len = f->cfg.first_frame(f->cfg.first_frame_ctx, f->sbuf, f->scap,
	                                (const char *const *)f->subs.v, f->subs.n);
	CURLcode rc = len ? feed_send_all(f, f->sbuf, len, CURLWS_TEXT) : CURLE_OK;
	explicit_bzero(f->sbuf, f->scap);
	if (!len) {
		feed_emit(f, CONN_ERROR, 0, 0, "the first frame could not be built");
		return false;
	}
	if (rc != CURLE_OK) {
		feed_report_send_error(f, "the first frame", rc);
		return false;
	}
	count(&f->st.sent, 1);
	return true;
}

bool feed_send_initial(struct feed *f)
{
	if (f->cfg.first_frame) {
		if (!send_first_frame(f))
			return false;
		feed_emit(f, CONN_SUBSCRIBED, 0, (int64_t)f->subs.n, NULL);
		return true;
	}
	if (!send_batched(f, true, FMT_SUBSCRIBE, (const char *const *)f->subs.v, f->subs.n))
		return false;
	feed_emit(f, CONN_SUBSCRIBED, 0, (int64_t)f->subs.n, NULL);
	return true;
}

bool feed_resubscribe_all(struct feed *f)
{
	const char *const *ids = (const char *const *)f->subs.v;
	if (f->cfg.first_frame)
		return send_first_frame(f);
	return send_batched(f, false, FMT_UNSUBSCRIBE, ids, f->subs.n) &&
	       send_batched(f, false, FMT_SUBSCRIBE, ids, f->subs.n);
}

/* ---- commands from the UI ---- */

/* Splits the command payload into ids (pointers into f->cbuf); returns how many. */
static size_t split_ids(struct feed *f, const char *src, size_t len)
{
	if (!mem_grow((void **)&f->cbuf, &f->ccap, len + 1, 1, 16))
		return 0;
	memcpy(f->cbuf, src, len);
	f->cbuf[len] = '\0';
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(f->cbuf, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (!mem_grow((void **)&f->ids, &f->ids_cap, n + 1, sizeof(*f->ids), 16))
			break;
		f->ids[n++] = t;
	}
	return n;
}

static void describe(char *dst, size_t cap, const char *verb, const char *const *ids, size_t n,
                     bool queued)
{
	size_t pos =
	    (size_t)snprintf(dst, cap, "%s %zu%s:", verb, n, queued ? " (at connect)" : "");
	for (size_t i = 0; i < n && pos + 1 < cap; i++) {
		int w = snprintf(dst + pos, cap - pos, " %s", ids[i]);
		if (w < 0)
			break;
		pos += (size_t)w;
	}
	if (pos >= cap && cap > 4)
		memcpy(dst + cap - 4, "...", 4);
}

/* Applies one command to the subscribed set and, when connected, to the server.  False
 * when sending failed (the connection must be dropped). */
static bool handle_command(struct feed *f, const struct ring_rec *rec)
{
	if (rec->len < 1)
		return true;
	const char *p = rec->data;
	char op = p[0];
	size_t n = split_ids(f, p + 1, rec->len - 1);
	const char *const *ids = (const char *const *)f->ids;
	bool live = f->curl != NULL;
	bool ok = true;
	char text[sizeof(((struct conn_event *)0)->text)];
	char clean[sizeof(text)];

	if (op == FEED_RECONNECT) {
		/* The operator's "reconnect now": false ends the session or the backoff. */
		feed_emit(f, CONN_SENT, 0, 0, "reconnect requested by the operator");
		return false;
	}
	if (n == 0)
		return true;
	switch (op) {
	case FEED_SUB: {
		/* Subscribing to an id already subscribed gains nothing (no new snapshot). */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (feed_idset_add(&f->subs, ids[i]))
				f->ids[k++] = ids[i];
		if (k && live)
			ok = f->cfg.first_frame ? send_first_frame(f)
			                        : send_batched(f, false, FMT_SUBSCRIBE, ids, k);
		describe(text, sizeof(text), "subscribe", ids, k, !live);
		n = k;
		break;
	}
	case FEED_UNSUB:
		for (size_t i = 0; i < n; i++)
			idset_remove(&f->subs, ids[i]);
		if (live)
			ok = f->cfg.first_frame ? send_first_frame(f)
			                        : send_batched(f, false, FMT_UNSUBSCRIBE, ids, n);
		describe(text, sizeof(text), "unsubscribe", ids, n, !live);
		break;
	case FEED_RESYNC:
		for (size_t i = 0; i < n; i++)
			feed_idset_add(&f->subs, ids[i]);
		if (live && f->cfg.first_frame)
			ok = send_first_frame(f);
		else if (live)
			ok = send_batched(f, false, FMT_UNSUBSCRIBE, ids, n) &&
			     send_batched(f, false, FMT_SUBSCRIBE, ids, n);
		describe(text, sizeof(text), "resync", ids, n, !live);
		break;
	default:
		snprintf(text, sizeof(text), "unknown command op 0x%02x ignored",
		         (unsigned char)op);
		feed_emit(f, CONN_ERROR, 0, 0, text);
		return true;
	}
	if (ok) {
		/* Ids came from the UI, which may have taken them from the network. */
		sanitize_text(clean, sizeof(clean), text, strlen(text));
		feed_emit(f, CONN_SENT, 0, (int64_t)n, clean);
	}
	return ok;
}

/* Drains the command ring.  False when a send failed. */
bool feed_drain_commands(struct feed *f)
{
	struct ring_rec rec;
	bool ok = true;
	ring_wake_drain(f->cmd);
	while (ring_peek(f->cmd, &rec)) {
		if (rec.kind == REC_CMD && ok)
			ok = handle_command(f, &rec);
		ring_release(f->cmd);
	}
	return ok;
}

/* ---- public: the UI side ---- */

bool feed_command(struct ring *cmd, enum feed_op op, const char *ids)
{
	size_t n = ids ? strlen(ids) : 0;
	if (n + 1 > ring_max_record(cmd) || n + 1 > UINT32_MAX)
		return false;
	char *buf = malloc(n + 1); /* UI side, a few per minute: not a hot path */
	if (!buf)
		return false;
	buf[0] = (char)op;
	if (n)
		memcpy(buf + 1, ids, n);
	struct ring_rec rec = {
	    .len = (uint32_t)(n + 1),
	    .kind = REC_CMD,
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = buf,
	};
	bool ok = ring_push(cmd, &rec);
	free(buf);
	return ok;
}
