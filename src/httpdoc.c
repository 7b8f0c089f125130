/*
 * httpdoc: the HTTP API's published document.  See httpdoc.h for the contract.
 */
#include "httpdoc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static char *copy_bytes(const char *src, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

/* One line of printable ASCII: the reason may quote a network peer's error text. */
static void copy_reason(char *dst, const char *src, bool healthy)
{
	if (!src || !*src)
		src = healthy ? "ok" : "unhealthy";
	size_t i = 0;
	for (; src[i] && i + 1 < HTTPD_REASON_MAX; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[i] = '\0';
}

struct hdoc *hdoc_new(const struct httpd_doc *src, int64_t now_ns)
{
	struct hdoc *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->snapshot = copy_bytes(src->snapshot ? src->snapshot : "", src->snapshot_len);
	d->metrics = copy_bytes(src->metrics ? src->metrics : "", src->metrics_len);
	if (!d->snapshot || !d->metrics) {
		free(d->snapshot);
		free(d->metrics);
		free(d);
		return NULL;
	}
	d->snapshot_len = src->snapshot_len;
	d->metrics_len = src->metrics_len;
	d->healthy = src->healthy;
	copy_reason(d->reason, src->reason, src->healthy);
	d->published_ns = now_ns;
	pthread_mutex_init(&d->index_lock, NULL);
	atomic_init(&d->indexed, false);
	atomic_init(&d->refs, 1);
	return d;
}

void hdoc_ref(struct hdoc *d)
{
	atomic_fetch_add(&d->refs, 1);
}

static void free_tab(struct hdoc_asset *tab, size_t cap)
{
	for (size_t i = 0; tab && i < cap; i++) {
		if (!tab[i].id[0])
			continue;
		free(tab[i].json);
		book_free(&tab[i].book);
	}
	free(tab);
}

void hdoc_unref(struct hdoc *d)
{
	if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	free_tab(d->tab, d->tabcap);
	pthread_mutex_destroy(&d->index_lock);
	free(d->snapshot);
	free(d->metrics);
	free(d);
}

static struct hdoc_asset *slot_for(struct hdoc_asset *tab, size_t cap, const char *id)
{
	size_t len = strlen(id);
	for (size_t i = mem_hash(id, len) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!tab[i].id[0] || strcmp(tab[i].id, id) == 0)
			return &tab[i];
}

/* A side of the snapshot ([{"price": "0.5", "size": "100"}, ...]) as levels; false when a
 * level is not two canonical decimals. */
static bool parse_levels(json_t *arr, struct ev_level **out, size_t *n)
{
	size_t cnt = json_array_size(arr);
	*n = 0;
	*out = cnt ? calloc(cnt, sizeof(**out)) : NULL;
	if (cnt && !*out)
		return false;
	for (size_t i = 0; i < cnt; i++) {
		json_t *lv = json_array_get(arr, i);
		json_t *p = json_object_get(lv, "price"), *z = json_object_get(lv, "size");
		if (!json_is_string(p) || !json_is_string(z) ||
		    num_parse(json_string_value(p), json_string_length(p), &(*out)[i].price) !=
		        NUM_OK ||
		    num_parse(json_string_value(z), json_string_length(z), &(*out)[i].size) !=
		        NUM_OK)
			return false;
	}
	*n = cnt;
	return true;
}

static bool index_asset(struct hdoc *d, json_t *a)
{
	json_t *jid = json_object_get(a, "asset_id");
	if (!json_is_string(jid) ||
	    !token_id_valid(json_string_value(jid), json_string_length(jid)))
		return false;
	struct hdoc_asset *s = slot_for(d->tab, d->tabcap, json_string_value(jid));
	if (s->id[0])
		return true; /* listed twice: the first entry answers */
	struct ev_level *bids = NULL, *asks = NULL;
	size_t nb = 0, na = 0;
	bool ok = parse_levels(json_object_get(a, "bids"), &bids, &nb) &&
	          parse_levels(json_object_get(a, "asks"), &asks, &na);
	/* json_dumps allocates with malloc here: jansson's hooks are malloc outside a parse
	 * frame (jarena.h). */
	s->json = ok ? json_dumps(a, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	ok = s->json != NULL;
	book_init(&s->book);
	ok = ok && book_apply_snapshot(&s->book, bids, nb, asks, na) == 0;
	if (ok) {
		s->json_len = strlen(s->json);
		snprintf(s->id, sizeof(s->id), "%s", json_string_value(jid));
	} else {
		free(s->json);
		s->json = NULL;
		book_free(&s->book);
	}
	free(bids);
	free(asks);
	return ok;
}

static bool build_index(struct hdoc *d)
{
	json_t *root = json_loadb(d->snapshot, d->snapshot_len, 0, NULL);
	json_t *assets = json_object_get(root, "assets");
	bool ok = json_is_array(assets);
	size_t n = json_array_size(assets), cap = 16;
	while (ok && cap < n * 2)
		cap *= 2;
	d->tab = ok ? calloc(cap, sizeof(*d->tab)) : NULL;
	d->tabcap = d->tab ? cap : 0;
	ok = ok && d->tab;
	for (size_t i = 0; ok && i < n; i++)
		ok = index_asset(d, json_array_get(assets, i));
	json_decref(root);
	return ok;
}

const struct hdoc_asset *hdoc_asset(struct hdoc *d, const char *id, bool *ok)
{
	if (!atomic_load(&d->indexed)) {
		pthread_mutex_lock(&d->index_lock);
		if (!atomic_load(&d->indexed)) {
			d->index_ok = build_index(d);
			atomic_store(&d->indexed, true);
		}
		pthread_mutex_unlock(&d->index_lock);
	}
	*ok = d->index_ok;
	if (!d->index_ok)
		return NULL;
	struct hdoc_asset *s = slot_for(d->tab, d->tabcap, id);
	return s->id[0] ? s : NULL;
}
