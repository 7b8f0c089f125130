/*
 * lostids: see lostids.h.  The ids are kept in the payload itself (head, then "id id
 * id"), with an open-addressing table of their offsets so that each is added once.
 */
#include "lostids.h"

#include <stdlib.h>
#include <string.h>

#include "clob.h"
#include "evpack.h"
#include "mem.h"

#define SLOTS (LOSTIDS_MAX * 2) /* a power of two, at most half full */

struct lostids {
	char *buf;      /* struct lost_head, then the ids; NULL until the first loss */
	size_t len;     /* bytes used in buf */
	uint32_t *slot; /* SLOTS entries (offset into buf + 1) << 8 | length; 0 = empty */
	struct lost_head h;
	bool pending; /* something was lost since the last clear */
};

struct lostids *lostids_create(void)
{
	return calloc(1, sizeof(struct lostids));
}

void lostids_destroy(struct lostids *l)
{
	if (!l)
		return;
	free(l->buf);
	free(l->slot);
	free(l);
}

void lostids_add_all(struct lostids *l)
{
	l->h.all = 1;
	l->pending = true;
}

/* The id is in the set (added now or before); false when there is no room for it. */
static bool add_id(struct lostids *l, const char *id, size_t n)
{
	if (n == 0 || n > TOKEN_ID_MAX)
		return true; /* not an asset proto would name; nothing to resync */
	if (!l->buf) {
		l->buf =
		    malloc(sizeof(struct lost_head) + (size_t)LOSTIDS_MAX * (TOKEN_ID_MAX + 1));
		l->slot = calloc(SLOTS, sizeof(*l->slot));
		if (!l->buf || !l->slot) {
			free(l->buf);
			free(l->slot);
			l->buf = NULL;
			l->slot = NULL;
			return false;
		}
		l->len = sizeof(struct lost_head);
	}
	size_t k = (size_t)mem_hash(id, n) & (SLOTS - 1);
	for (; l->slot[k]; k = (k + 1) & (SLOTS - 1))
		if ((l->slot[k] & 0xff) == n && memcmp(l->buf + (l->slot[k] >> 8) - 1, id, n) == 0)
			return true;
	if (l->h.nids == LOSTIDS_MAX)
		return false;
	if (l->h.nids)
		l->buf[l->len++] = ' ';
	l->slot[k] = ((uint32_t)l->len + 1) << 8 | (uint32_t)n;
	memcpy(l->buf + l->len, id, n);
	l->len += n;
	l->h.nids++;
	return true;
}

static void add_event(void *ctx, const struct event *ev)
{
	struct lostids *l = ctx;
	if (ev->kind == EV_MALFORMED && ev->bad.frame_dropped)
		l->h.all = 1; /* proto could not say which assets the frame was about */
	else if (ev->asset_id.s && !l->h.all && !add_id(l, ev->asset_id.s, ev->asset_id.len))
		l->h.all = 1;
}

void lostids_add_events(struct lostids *l, const void *payload, size_t len)
{
	struct evpack_info info;
	l->h.records++;
	l->pending = true;
	if (!evpack_read_info(payload, len, &info) ||
	    evpack_each(payload, len, add_event, l) != info.nevents)
		l->h.all = 1;
}

bool lostids_pending(const struct lostids *l)
{
	return l->pending;
}

const void *lostids_payload(const struct lostids *l, size_t *len)
{
	if (!l->buf) { /* no id was added yet: the head alone */
		*len = sizeof(l->h);
		return &l->h;
	}
	memcpy(l->buf, &l->h, sizeof(l->h));
	*len = l->len;
	return l->buf;
}

void lostids_clear(struct lostids *l)
{
	if (l->h.nids)
		memset(l->slot, 0, SLOTS * sizeof(*l->slot));
	memset(&l->h, 0, sizeof(l->h));
	l->len = sizeof(struct lost_head);
	l->pending = false;
}

bool lostids_read_head(const void *payload, size_t len, struct lost_head *h)
{
	if (len < sizeof(*h))
		return false;
	memcpy(h, payload, sizeof(*h));
	return true;
}

bool lostids_next(const void *payload, size_t len, size_t *pos, const char **id, size_t *n)
{
	const char *p = payload;
	size_t i = *pos < sizeof(struct lost_head) ? sizeof(struct lost_head) : *pos;
	while (i < len && p[i] == ' ')
		i++;
	if (i >= len)
		return false;
	size_t start = i;
	while (i < len && p[i] != ' ')
		i++;
	*id = p + start;
	*n = i - start;
	*pos = i;
	return true;
}
