/*
 * httpdoc: one published document of the HTTP API: immutable copies of the snapshot, the
 * metrics text and the health verdict, with a reference count, and an index from asset id
 * to that asset's snapshot entry and rebuilt book, built once, on first use.
 *
 * Never reads the model and never changes after it is made, but for the index, which is
 * built under the document's own lock by whichever HTTP thread asks first (the UI thread
 * never takes that lock).  The last hdoc_unref() frees it, on whatever thread that is.
 *
 * hdoc_new on the publishing thread; everything else on any thread holding a reference.
 */
#ifndef CLOBTOP_HTTPDOC_H
#define CLOBTOP_HTTPDOC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "clob.h"
#include "httpd.h"

struct hdoc_asset {
	char id[TOKEN_ID_SIZE]; /* token id; "" marks a free slot */
	char *json;             /* the snapshot's entry for it, JSON text */
	size_t json_len;        /* bytes */
	struct book book;       /* its levels as a book, for fill costs */
};

struct hdoc {
	atomic_uint refs;              /* references held: the current pointer, requests */
	int64_t published_ns;          /* CLOCK_MONOTONIC when published */
	char *snapshot;                /* clobtop.snapshot/1 JSON */
	size_t snapshot_len;           /* bytes */
	char *metrics;                 /* Prometheus text */
	size_t metrics_len;            /* bytes */
	bool healthy;                  /* the publisher's verdict */
	char reason[HTTPD_REASON_MAX]; /* one line, printable ASCII */
	pthread_mutex_t index_lock;    /* taken by HTTP threads only, to build the index */
	atomic_bool indexed;           /* tab is built (or failed: index_ok false) */
	bool index_ok;                 /* the snapshot parsed and every asset was indexed */
	struct hdoc_asset *tab;        /* open addressing, power-of-two size */
	size_t tabcap;                 /* slots */
};

/* A copy of src, one reference held.  NULL when memory ran out. */
struct hdoc *hdoc_new(const struct httpd_doc *src, int64_t now_ns);
void hdoc_ref(struct hdoc *d);
void hdoc_unref(struct hdoc *d);

/* The asset with this (valid) id, or NULL when the snapshot has none.  *ok is false when
 * the snapshot could not be indexed (not JSON, out of memory): a server error. */
const struct hdoc_asset *hdoc_asset(struct hdoc *d, const char *id, bool *ok);

#endif
