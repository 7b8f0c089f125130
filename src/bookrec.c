/*
 * bookrec: book messages as binary records, rendered later (see bookrec.h).
 *
 * Layout (native byte order, read and written with memcpy):
 *   int64 ts_ms, int64 recv_real_ns, uint32 max_levels, uint32 nbids, uint32 nasks,
 *   uint8 hash length (255: NULL), uint8 state length (255: NULL), uint8 source length
 *   (255: NULL), the three strings without NULs, then nbids bid levels and nasks ask
 *   levels, each in the book's own order (best last) as {int64 price, int64 size}.
 */
#include "bookrec.h"

#include <string.h>

#define FIXED   (8 + 8 + 4 + 4 + 4 + 3)
#define NOSTR   255u
#define LV_SIZE sizeof(struct ev_level)

static bool put_str(unsigned char *len, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= BOOKREC_STR_MAX)
		return false;
	*len = s ? (unsigned char)n : (unsigned char)NOSTR;
	return true;
}

size_t bookrec_pack(void *buf, size_t cap, const struct book *b, const struct bookmsg_meta *m)
{
	uint32_t n[2];
	for (int s = 0; s < 2; s++) {
		size_t have = book_levels(b, (enum side)s);
		if (m->max_levels && have > m->max_levels)
			have = m->max_levels;
		n[s] = (uint32_t)(have > BOOKREC_SIDE_MAX ? BOOKREC_SIDE_MAX : have);
	}
	const char *str[3] = {m->hash, m->state, m->source};
	unsigned char sl[3];
	size_t strs = 0;
	for (int i = 0; i < 3; i++) {
		if (!put_str(&sl[i], str[i]))
			return 0;
		strs += sl[i] == NOSTR ? 0 : sl[i];
	}
	size_t len = FIXED + strs + (size_t)(n[0] + n[1]) * LV_SIZE;
	if (len > cap)
		return 0;
	unsigned char *o = buf;
	memcpy(o, &m->ts_ms, 8);
	memcpy(o + 8, &m->recv_real_ns, 8);
	memcpy(o + 16, &m->max_levels, 4);
	memcpy(o + 20, n, 8);
	memcpy(o + 28, sl, 3);
	o += FIXED;
	for (int i = 0; i < 3; i++)
		if (sl[i] != NOSTR) {
			memcpy(o, str[i], sl[i]);
			o += sl[i];
		}
	for (int s = 0; s < 2; s++) {
		const struct book_side *bs = &b->side[s];
		if (n[s] == 0) /* an empty side may have no array at all */
			continue;
		/* the best n[s] levels: the last ones of the array */
		memcpy(o, bs->lv + (bs->n - n[s]), n[s] * LV_SIZE);
		o += n[s] * LV_SIZE;
	}
	return len;
}

int bookrec_render(const void *rec, size_t len, const char *asset_id, struct ev_level *lv,
                   size_t lvcap, char *buf, size_t cap, struct bookmsg_out *out)
{
	const unsigned char *r = rec;
	if (len < FIXED)
		return -1;
	int64_t ts_ms, recv_real_ns;
	uint32_t max_levels, n[2];
	unsigned char sl[3];
	memcpy(&ts_ms, r, 8);
	memcpy(&recv_real_ns, r + 8, 8);
	memcpy(&max_levels, r + 16, 4);
	memcpy(n, r + 20, 8);
	memcpy(sl, r + 28, 3);
	/* the strings, NUL-terminated for bookmsg_book */
	char str[3][BOOKREC_STR_MAX];
	const char *s[3] = {NULL, NULL, NULL};
	size_t at = FIXED;
	for (int i = 0; i < 3; i++) {
		if (sl[i] == NOSTR)
			continue;
		if (sl[i] >= BOOKREC_STR_MAX || len - at < sl[i])
			return -1;
		memcpy(str[i], r + at, sl[i]);
		str[i][sl[i]] = '\0';
		s[i] = str[i];
		at += sl[i];
	}
	/* In field order: test_health takes an assignment to a member named state outside
	 * health.c for a health transition. */
	struct bookmsg_meta m = {asset_id, ts_ms, s[0], recv_real_ns, s[1], s[2], max_levels};
	if (n[0] > BOOKREC_SIDE_MAX || n[1] > BOOKREC_SIDE_MAX || n[0] + n[1] > lvcap ||
	    len - at != (size_t)(n[0] + n[1]) * LV_SIZE)
		return -1;
	if (n[0] + n[1])
		memcpy(lv, r + at, (size_t)(n[0] + n[1]) * LV_SIZE);
	struct book view = {
	    .side = {[SIDE_BID] = {lv, n[0], n[0]}, [SIDE_ASK] = {lv + n[0], n[1], n[1]}}};
	return bookmsg_book(buf, cap, &view, &m, out);
}
