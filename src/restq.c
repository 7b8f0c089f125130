/* restq: see restq.h.  The FIFO is a growable circular array; the set is open
 * addressing on the ids' FNV-1a hashes with tombstones, rebuilt when they pile up. */
#include "restq.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

enum slot_use { SLOT_EMPTY, SLOT_USED, SLOT_TOMB };

struct slot {
	uint64_t h;             /* hash of id */
	uint8_t use;            /* enum slot_use */
	char id[TOKEN_ID_SIZE]; /* when SLOT_USED */
};

struct restq {
	struct restq_id *fifo; /* circular: fifo[(head + i) & (fcap - 1)], i < n */
	size_t fcap;           /* a power of two, or 0 */
	size_t head;           /* index of the front */
	size_t n;              /* ids waiting */
	struct slot *set;      /* ids waiting or in flight */
	size_t scap;           /* slots, a power of two */
	size_t used;           /* SLOT_USED slots */
	size_t tombs;          /* SLOT_TOMB slots */
};

struct restq *restq_create(void)
{
	struct restq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->scap = 256;
	q->set = calloc(q->scap, sizeof(struct slot));
	if (!q->set) {
		free(q);
		return NULL;
	}
	return q;
}

void restq_destroy(struct restq *q)
{
	if (!q)
		return;
	free(q->fifo);
	free(q->set);
	free(q);
}

/* The slot holding id, or the first free one on its probe path (a tombstone when one
 * was passed, so it is reused). */
static struct slot *find(struct slot *set, size_t cap, const char *id, uint64_t h)
{
	struct slot *free_slot = NULL;
	for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct slot *s = &set[i];
		if (s->use == SLOT_EMPTY)
			return free_slot ? free_slot : s;
		if (s->use == SLOT_TOMB) {
			if (!free_slot)
				free_slot = s;
		} else if (s->h == h && strcmp(s->id, id) == 0) {
			return s;
		}
	}
}

static bool rehash(struct restq *q, size_t cap)
{
	struct slot *ns = calloc(cap, sizeof(struct slot));
	if (!ns)
		return false;
	for (size_t i = 0; i < q->scap; i++)
		if (q->set[i].use == SLOT_USED)
			*find(ns, cap, q->set[i].id, q->set[i].h) = q->set[i];
	free(q->set);
	q->set = ns;
	q->scap = cap;
	q->tombs = 0;
	return true;
}

static bool fifo_room(struct restq *q)
{
	if (q->n < q->fcap)
		return true;
	size_t old = q->fcap;
	struct restq_id *nf = NULL;
	size_t ncap = 0;
	if (!mem_grow((void **)&nf, &ncap, q->n + 1, sizeof(*nf), 64))
		return false;
	for (size_t i = 0; i < q->n; i++)
		nf[i] = q->fifo[(q->head + i) & (old - 1)];
	free(q->fifo);
	q->fifo = nf;
	q->fcap = ncap;
	q->head = 0;
	return true;
}

static bool fifo_put(struct restq *q, const char *id, bool solo, bool front)
{
	if (!fifo_room(q))
		return false;
	size_t at;
	if (front) {
		q->head = (q->head - 1) & (q->fcap - 1);
		at = q->head;
	} else {
		at = (q->head + q->n) & (q->fcap - 1);
	}
	struct restq_id *e = &q->fifo[at];
	memset(e, 0, sizeof(*e));
	strncpy(e->id, id, sizeof(e->id) - 1);
	e->solo = solo;
	q->n++;
	return true;
}

enum restq_add restq_add(struct restq *q, const char *id, bool urgent)
{
	size_t len = strlen(id);
	if (!token_id_valid(id, len))
		return RESTQ_FULL;
	uint64_t h = mem_hash(id, len);
	struct slot *s = find(q->set, q->scap, id, h);
	if (s->use == SLOT_USED)
		return RESTQ_DUP;
	if (q->used >= RESTQ_MAX_IDS)
		return RESTQ_FULL;
	if ((q->used + q->tombs + 1) * 2 > q->scap) {
		size_t cap = (q->used + 1) * 4 > q->scap ? q->scap * 2 : q->scap;
		if (!rehash(q, cap))
			return RESTQ_FULL;
		s = find(q->set, q->scap, id, h);
	}
	if (!fifo_put(q, id, false, urgent))
		return RESTQ_FULL;
	if (s->use == SLOT_TOMB)
		q->tombs--;
	s->use = SLOT_USED;
	s->h = h;
	memcpy(s->id, id, len + 1);
	q->used++;
	return RESTQ_ADDED;
}

size_t restq_take(struct restq *q, struct restq_id *out, size_t max)
{
	size_t k = 0;
	while (k < max && q->n) {
		struct restq_id *e = &q->fifo[q->head];
		if (e->solo && k > 0)
			break;
		out[k++] = *e;
		q->head = (q->head + 1) & (q->fcap - 1);
		q->n--;
		if (out[k - 1].solo)
			break;
	}
	return k;
}

bool restq_requeue(struct restq *q, const char *id, bool solo)
{
	return fifo_put(q, id, solo, true);
}

void restq_done(struct restq *q, const char *id)
{
	struct slot *s = find(q->set, q->scap, id, mem_hash(id, strlen(id)));
	if (s->use != SLOT_USED)
		return;
	s->use = SLOT_TOMB;
	q->used--;
	q->tombs++;
}

size_t restq_waiting(const struct restq *q)
{
	return q->n;
}

size_t restq_known(const struct restq *q)
{
	return q->used;
}

bool restq_front_solo(const struct restq *q)
{
	return q->n && q->fifo[q->head].solo;
}

/* ---- token bucket ---- */

void bucket_init(struct bucket *b, double per_10s, int64_t now_ns)
{
	b->cap = per_10s / 10.0 < 1.0 ? 1.0 : per_10s / 10.0;
	double rate = per_10s - b->cap;
	b->per_ns = (rate > 0 ? rate : 0) / 10e9;
	b->tokens = b->cap;
	b->last_ns = now_ns;
}

static void refill(struct bucket *b, int64_t now_ns)
{
	if (now_ns > b->last_ns) {
		b->tokens += (double)(now_ns - b->last_ns) * b->per_ns;
		if (b->tokens > b->cap)
			b->tokens = b->cap;
	}
	b->last_ns = now_ns;
}

bool bucket_take(struct bucket *b, int64_t now_ns)
{
	refill(b, now_ns);
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

int64_t bucket_wait_ns(struct bucket *b, int64_t now_ns)
{
	refill(b, now_ns);
	if (b->tokens >= 1.0)
		return 0;
	if (b->per_ns <= 0)
		return INT64_MAX / 2;
	return (int64_t)((1.0 - b->tokens) / b->per_ns) + 1;
}
