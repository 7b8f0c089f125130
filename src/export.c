/*
 * export: snapshot (JSON) and metrics (Prometheus text) of the model, written atomically.
 * See export.h for the contract.  Runs on the UI thread at the operator's request or
 * on a timer; it is not on the hot path, so it may allocate.
 */
#include "export.h"
#include "export_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export_redis.h"
#include "export_user.h"
#include "export_rest.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static json_t *price_json(int64_t p)
{
	if (p == PRICE_NONE)
		return json_null();
	char buf[NUM_BUF];
	num_format(p, buf, sizeof(buf));
	return json_string(buf);
}

static void rfc3339(int64_t real_ns, char *buf, size_t cap)
{
	time_t t = (time_t)(real_ns / NS_PER_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	int ms = (int)((real_ns % NS_PER_S) / NS_PER_MS);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%03dZ", base, ms);
}

static json_t *levels_json(const struct book *b, enum side s, int depth)
{
	json_t *arr = json_array();
	size_t n = book_levels(b, s);
	if (depth > 0 && (size_t)depth < n)
		n = (size_t)depth;
	for (size_t i = 0; i < n; i++) {
		const struct ev_level *lv = book_level(b, s, i);
		char p[NUM_BUF], z[NUM_BUF];
		num_format(lv->price, p, sizeof(p));
		num_format(lv->size, z, sizeof(z));
		json_array_append_new(arr, json_pack("{s:s, s:s}", "price", p, "size", z));
	}
	return arr;
}

static json_t *summary_json(struct lat_window *w, int64_t now_s, int secs)
{
	struct lat_summary s;
	lat_window_summary(w, now_s, secs, &s);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)s.count,
	                 "negative", (json_int_t)s.negative, "min", (json_int_t)s.min, "p50",
	                 (json_int_t)s.p50, "p95", (json_int_t)s.p95, "p99", (json_int_t)s.p99,
	                 "max", (json_int_t)s.max, "window_s", (json_int_t)secs);
}

static json_t *asset_json(const struct market_state *m, const struct asset *a,
                          const struct export_options *o)
{
	const struct book *b = &a->book;
	int64_t bid = book_best(b, SIDE_BID), ask = book_best(b, SIDE_ASK);
	json_t *j = json_object();
	json_object_set_new(j, "asset_id", json_string(a->id));
	json_object_set_new(j, "label", json_string(a->label));
	json_object_set_new(j, "market", json_string(a->market));
	if (a->question[0])
		json_object_set_new(j, "question", json_string(a->question));
	json_object_set_new(j, "state", json_string(asset_state_name(a->state)));
	json_object_set_new(j, "connection", json_integer(a->conn));
	json_object_set_new(j, "tick_size", a->tick ? price_json(a->tick) : json_null());
	json_object_set_new(j, "best_bid", price_json(bid));
	json_object_set_new(j, "best_ask", price_json(ask));
	json_object_set_new(j, "spread", price_json(book_spread(b)));
	json_object_set_new(j, "mid", price_json(book_mid(b)));
	/* Hundredths of a bp as a decimal string; negative when crossed. */
	json_object_set_new(j, "spread_bps",
	                    book_spread(b) == PRICE_NONE
	                        ? json_null()
	                        : price_json(book_spread_bps_x100(b) * (NUM_SCALE / 100)));
	json_object_set_new(
	    j, "last_update_ms_ago",
	    a->last_update_mono_ns
	        ? json_integer((o->now_mono_ns - a->last_update_mono_ns) / NS_PER_MS)
	        : json_null());
	json_object_set_new(j, "last_book_ms_ago",
	                    a->last_book_mono_ns
	                        ? json_integer((o->now_mono_ns - a->last_book_mono_ns) / NS_PER_MS)
	                        : json_null());
	json_object_set_new(j, "msgs", json_integer((json_int_t)a->msgs));
	json_object_set_new(j, "bbo_checks", json_integer((json_int_t)a->bbo_checks));
	json_object_set_new(j, "bbo_mismatches", json_integer((json_int_t)a->bbo_mismatches));
	json_object_set_new(j, "resyncs", json_integer((json_int_t)a->resyncs));
	json_object_set_new(j, "orphan_updates", json_integer((json_int_t)a->orphan_updates));
	export_rest_asset(m, a, o, j);
	if (a->have_trade) {
		char p[NUM_BUF], z[NUM_BUF];
		num_format(a->last_trade.price, p, sizeof(p));
		num_format(a->last_trade.size, z, sizeof(z));
		json_object_set_new(j, "last_trade",
		                    json_pack("{s:s, s:s, s:s, s:I}", "price", p, "size", z, "side",
		                              a->last_trade.side == SIDE_BID ? "BUY" : "SELL",
		                              "timestamp_ms", (json_int_t)a->last_trade.ts_ms));
	} else {
		json_object_set_new(j, "last_trade", json_null());
	}
	int64_t now_s = market_now_s(m, o->now_mono_ns);
	json_object_set_new(
	    j, "flow_1m",
	    json_pack("{s:I, s:o, s:o, s:o}", "trades",
	              (json_int_t)rate_sum(&a->flow.trades, now_s, STATS_WINDOW_SECS), "buy_volume",
	              price_json(rate_sum(&a->flow.buy_vol, now_s, STATS_WINDOW_SECS)),
	              "sell_volume",
	              price_json(rate_sum(&a->flow.sell_vol, now_s, STATS_WINDOW_SECS)), "notional",
	              price_json(rate_sum(&a->flow.notional, now_s, STATS_WINDOW_SECS))));
	json_object_set_new(j, "bids", levels_json(b, SIDE_BID, o->depth));
	json_object_set_new(j, "asks", levels_json(b, SIDE_ASK, o->depth));
	export_redis_asset(j, a, o->handon);
	return j;
}

/* The snapshot but its assets: the members before "assets" go to *root, those after it to
 * *tail (see export_snapshot_string). */
static void snapshot_json(const struct market_state *m, const struct export_options *o,
                          json_t **out_root, json_t **out_tail)
{
	char when[40];
	rfc3339(o->now_real_ns, when, sizeof(when));
	int64_t now_s = market_now_s(m, o->now_mono_ns);
	const struct conn_info *c = &m->conn;

	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("clobtop.snapshot/1"));
	json_object_set_new(root, "generated_at", json_string(when));
	json_object_set_new(
	    root, "source",
	    json_pack("{s:s, s:s}", "mode", m->mode, "url", o->url ? o->url : c->url));
	json_object_set_new(
	    root, "connection",
	    json_pack("{s:s, s:b, s:I, s:o}", "state",
	              strcmp(m->mode, "replay") == 0 ? "replay" : conn_kind_name(c->event), "alive",
	              c->alive, "reconnects", (json_int_t)c->reconnects, "last_error",
	              c->last_error[0] ? json_string(c->last_error) : json_null()));
	uint64_t dropped = m->transport.ring_drops;
	json_object_set_new(
	    root, "counters",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "frames",
	              (json_int_t)m->cnt.frames, "events", (json_int_t)m->cnt.events, "bytes",
	              (json_int_t)m->cnt.bytes, "malformed", (json_int_t)m->cnt.malformed,
	              "unknown", (json_int_t)m->cnt.unknown, "dropped", (json_int_t)dropped, "gaps",
	              (json_int_t)m->cnt.gaps, "resyncs", (json_int_t)m->cnt.resyncs, "pongs",
	              (json_int_t)m->cnt.pongs, "oversize", (json_int_t)m->transport.oversize,
	              "unsolicited", (json_int_t)m->cnt.unsolicited, "parsed_by_ui",
	              (json_int_t)m->cnt.ui_parsed));
	json_object_set_new(root, "latency",
	                    json_pack("{s:o, s:o, s:o, s:o}", "feed_ms",
	                              summary_json(m->feed_ms, now_s, STATS_WINDOW_SECS),
	                              "pipeline_us",
	                              summary_json(m->pipeline_us, now_s, STATS_WINDOW_SECS),
	                              "feed_ms_1s", summary_json(m->feed_ms, now_s, 1),
	                              "pipeline_us_1s", summary_json(m->pipeline_us, now_s, 1)));
	*out_root = root;
	root = *out_tail = json_object();
	json_object_set_new(root, "connections", export_conn_json(m, o));
	export_rest_snapshot(m, o, root);

	json_t *alerts = json_array();
	size_t n = 0;
	while (market_alert_at(m, n))
		n++;
	for (size_t i = n; i-- > 0;) {
		const struct alert *al = market_alert_at(m, i);
		char t[40], last[40];
		rfc3339(al->t_real_ns, t, sizeof(t));
		rfc3339(al->t_last_real_ns, last, sizeof(last));
		json_t *ids = json_array();
		for (uint32_t k = 0; k < al->nassets && k < ALERT_GROUP_IDS; k++)
			json_array_append_new(ids, json_string(m->assets[al->asset_idx[k]].id));
		json_array_append_new(
		    alerts, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "time", t,
		                      "last_time", last, "asset_id", al->asset_id, "kind",
		                      alert_kind_name(al->kind), "severity",
		                      alert_severity_name(alert_kind_severity(al->kind)), "message",
		                      al->message, "count", (json_int_t)al->count, "assets",
		                      (json_int_t)al->nassets, "asset_ids", ids));
	}
	json_object_set_new(root, "alerts", alerts);
	export_redis_json(root, o->handon);
	export_user_json(m, root);
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Where a write to path really goes: path itself, or the target of a symbolic link (so
 * the link stays a link); never a directory, device or FIFO, which a rename would have
 * replaced with a plain file (--export /dev/full as root once did).  *mode gets the mode
 * to keep.  The result is malloc'ed; NULL with a message in err. */
static char *write_target(const char *path, mode_t *mode, char *err, size_t errlen)
{
	struct stat st;
	*mode = 0644;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return strdup(path);
		set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	char *real = S_ISLNK(st.st_mode) ? realpath(path, NULL) : strdup(path);
	if (!real) {
		set_err(err, errlen, "cannot write %s: it is a symbolic link to %s", path,
		        errno == ENOENT ? "a missing file" : strerror(errno));
		return NULL;
	}
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "cannot write %s: not a regular file", path);
		free(real);
		return NULL;
	}
	*mode = st.st_mode & 07777;
	return real;
}

int export_write_atomic(const char *path_in, const char *data, size_t len, char *err, size_t errlen)
{
	if (strcmp(path_in, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len) != 0) {
			set_err(err, errlen, "cannot write to standard output: %s",
			        strerror(errno));
			return -1;
		}
		return 0;
	}
	mode_t mode;
	char *path = write_target(path_in, &mode, err, errlen);
	if (!path)
		return -1;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		set_err(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		free(path);
		return -1;
	}
	fchmod(fd, mode);
	const char *what = "write";
	if (write_all(fd, data, len) != 0)
		goto fail;
	what = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	what = "close";
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "rename";
	if (rename(tmp, path) != 0)
		goto fail;
	fsync_dir(path);
	free(tmp);
	free(path);
	return 0;
fail:
	set_err(err, errlen, "cannot %s %s: %s", what, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	free(path);
	return -1;
}

int export_snapshot(const struct market_state *m, const struct export_options *o, const char *path,
                    char *err, size_t errlen)
{
	char *s = export_snapshot_string(m, o);
	if (!s) {
		set_err(err, errlen, "out of memory building the snapshot");
		return -1;
	}
	size_t len = strlen(s);
	s[len] = '\0';
	char *withnl = realloc(s, len + 2);
	if (!withnl) {
		free(s);
		set_err(err, errlen, "out of memory building the snapshot");
		return -1;
	}
	withnl[len] = '\n';
	withnl[len + 1] = '\0';
	int rc = export_write_atomic(path, withnl, len + 1, err, errlen);
	free(withnl);
	return rc;
}

int export_snapshot_dir(const struct market_state *m, const struct export_options *o,
                        const char *dir, char *path_out, size_t path_cap, char *err, size_t errlen)
{
	time_t t = (time_t)(o->now_real_ns / NS_PER_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	const char *d = dir && *dir ? dir : ".";
	for (int i = 0; i < 100; i++) {
		int n =
		    i ? snprintf(path_out, path_cap, "%s/clobtop-snapshot-%s-%d.json", d, stamp, i)
		      : snprintf(path_out, path_cap, "%s/clobtop-snapshot-%s.json", d, stamp);
		if (n < 0 || (size_t)n >= path_cap) {
			set_err(err, errlen, "export path too long");
			return -1;
		}
		struct stat st;
		if (stat(path_out, &st) != 0)
			return export_snapshot(m, o, path_out, err, errlen);
	}
	set_err(err, errlen, "too many snapshots named clobtop-snapshot-%s*.json in %s", stamp, d);
	return -1;
}

/* ---- Prometheus text exposition ---- */

struct buf {
	char *p;    /* text */
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
	bool oom;   /* an append failed */
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 8192;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* One asset, dumped and freed at once, indented as an element of the root's array. */
static void buf_add_asset(struct buf *b, json_t *j)
{
	char *t = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!t) {
		b->oom = true;
		return;
	}
	for (const char *p = t, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		bprintf(b, "\n  %.*s", n, p);
		if (!nl)
			break;
	}
	free(t);
}

/* The text of one jansson tree of the whole snapshot, but the assets (10,000 books to full
 * depth took 250 MB as one tree) are built and dumped one at a time between the members
 * before and after them. */
char *export_snapshot_string(const struct market_state *m, const struct export_options *o)
{
	json_t *root = NULL, *tail = NULL;
	snapshot_json(m, o, &root, &tail);
	char *head = root ? json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	char *rest = tail ? json_dumps(tail, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	json_decref(tail);
	struct buf b = {.oom = !head || !rest};
	char *end = head ? strrchr(head, '}') : NULL; /* "{\n \"schema\": ...\n}" */
	if (end && end > head && end[-1] == '\n' && rest) {
		bprintf(&b, "%.*s,\n \"assets\": [", (int)(end - 1 - head), head);
		size_t n = 0;
		for (size_t i = 0; i < m->nassets; i++) {
			if (!m->assets[i].subscribed)
				continue;
			if (n++)
				bprintf(&b, ",");
			buf_add_asset(&b, asset_json(m, &m->assets[i], o));
		}
		/* rest is "{\n \"connections\": ...\n}", or "{}" */
		bprintf(&b, "%s%s%s", n ? "\n ]" : "]", rest[1] == '\n' ? "," : "", rest + 1);
	} else {
		b.oom = true;
	}
	free(head);
	free(rest);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Label values: backslash, double quote and newline escaped (the exposition format). */
static void label_value(char *dst, size_t cap, const char *src)
{
	size_t j = 0;
	for (; *src && j + 3 < cap; src++) {
		if (*src == '\\' || *src == '"') {
			dst[j++] = '\\';
			dst[j++] = *src;
		} else if (*src == '\n') {
			dst[j++] = '\\';
			dst[j++] = 'n';
		} else {
			dst[j++] = *src;
		}
	}
	dst[j] = '\0';
}

/* A latency window as a Prometheus summary in seconds (base units): quantiles over the
 * last 60 s, then how many samples that window holds and how many were negative, as gauges
 * (a window's count goes down, so it is no summary _count).  to_us converts the window's
 * unit to microseconds, which num_format prints as seconds. */
static void metric_summary(struct buf *b, const char *name, const char *help, struct lat_window *w,
                           int64_t to_us, int64_t now_s)
{
	struct lat_summary s;
	lat_window_summary(w, now_s, STATS_WINDOW_SECS, &s);
	bprintf(b, "# HELP %s_seconds %s, seconds (last 60 s).\n# TYPE %s_seconds summary\n", name,
	        help, name);
	const int64_t q[] = {s.p50, s.p95, s.p99, s.max};
	const char *const qname[] = {"0.5", "0.95", "0.99", "1"};
	for (size_t i = 0; i < 4; i++) {
		char v[NUM_BUF];
		num_format(num_mul_div(q[i], to_us, 1), v, sizeof(v));
		bprintf(b, "%s_seconds{quantile=\"%s\"} %s\n", name, qname[i], v);
	}
	bprintf(b,
	        "# HELP %s_window_observations %s: samples in the last 60 s.\n"
	        "# TYPE %s_window_observations gauge\n%s_window_observations %" PRIu64 "\n",
	        name, help, name, name, s.count);
	bprintf(b,
	        "# HELP %s_window_negative_observations %s: samples below zero in the last 60 s.\n"
	        "# TYPE %s_window_negative_observations gauge\n"
	        "%s_window_negative_observations %" PRIu64 "\n",
	        name, help, name, name, s.negative);
}

static void counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, help, name, name, v);
}

char *export_metrics_string(const struct market_state *m, const struct export_options *o,
                            size_t *len)
{
	struct buf b = {0};
	int64_t now_s = market_now_s(m, o->now_mono_ns);
	counter(&b, "clobtop_frames_total", "Feed messages received.", m->cnt.frames);
	counter(&b, "clobtop_frames_parsed_by_ui_total",
	        "Feed messages parsed on the UI thread, not where they arrived.", m->cnt.ui_parsed);
	counter(&b, "clobtop_bytes_total", "Feed payload bytes received.", m->cnt.bytes);
	counter(&b, "clobtop_events_total", "Normalised events applied.", m->cnt.events);
	counter(&b, "clobtop_malformed_total", "Frames or entries that could not be understood.",
	        m->cnt.malformed);
	counter(&b, "clobtop_unknown_total", "Events of an unknown type.", m->cnt.unknown);
	counter(&b, "clobtop_dropped_total", "Messages dropped because the ring was full.",
	        m->transport.ring_drops);
	counter(&b, "clobtop_resyncs_total", "Resync requests.", m->cnt.resyncs);
	counter(&b, "clobtop_reconnects_total", "Reconnections.", m->conn.reconnects);
	bprintf(&b,
	        "# HELP clobtop_connected Whether the feed is connected and alive.\n"
	        "# TYPE clobtop_connected gauge\nclobtop_connected %d\n",
	        m->conn.alive ? 1 : 0);
	bprintf(&b,
	        "# HELP clobtop_last_update_timestamp_seconds When the newest feed record was "
	        "received (Unix time; 0 before any).\n"
	        "# TYPE clobtop_last_update_timestamp_seconds gauge\n"
	        "clobtop_last_update_timestamp_seconds %" PRId64 ".%03" PRId64 "\n",
	        m->feed_real_ns / 1000000000, m->feed_real_ns % 1000000000 / 1000000);
	metric_summary(&b, "clobtop_feed_latency", "Receipt time minus exchange timestamp",
	               m->feed_ms, 1000, now_s);
	metric_summary(&b, "clobtop_pipeline_latency", "Applied minus received", m->pipeline_us, 1,
	               now_s);
	char *rest = export_rest_metrics(m, o);
	bprintf(&b, "%s", rest ? rest : "");
	b.oom = b.oom || !rest;
	free(rest);

	/* Counts by state for every asset; the per-asset series only for the first
	 * EXPORT_METRICS_MAX_ASSETS subscribed assets, so a scrape of the whole exchange stays
	 * small (clobtop_asset_series_dropped says how many were left out). */
	size_t by_state[ASSET_STATE_COUNT] = {0}, subscribed = 0;
	for (size_t i = 0; i < m->nassets; i++)
		if (m->assets[i].subscribed) {
			by_state[m->assets[i].state]++;
			subscribed++;
		}
	bprintf(&b, "# HELP clobtop_assets Subscribed assets by health state.\n"
	            "# TYPE clobtop_assets gauge\n");
	for (int st = 0; st < ASSET_STATE_COUNT; st++)
		bprintf(&b, "clobtop_assets{state=\"%s\"} %zu\n",
		        asset_state_name((enum asset_state)st), by_state[st]);
	bprintf(
	    &b,
	    "# HELP clobtop_asset_series_dropped Assets left out of the per-asset series (cap "
	    "%d).\n# TYPE clobtop_asset_series_dropped gauge\nclobtop_asset_series_dropped %zu\n",
	    EXPORT_METRICS_MAX_ASSETS,
	    subscribed > EXPORT_METRICS_MAX_ASSETS ? subscribed - EXPORT_METRICS_MAX_ASSETS : 0);
	static const char *const per_asset[] = {
	    "clobtop_asset_best_bid Best bid price.",
	    "clobtop_asset_best_ask Best ask price.",
	    "clobtop_asset_spread Best ask minus best bid.",
	    "clobtop_asset_age_seconds Seconds since the last update.",
	    "clobtop_asset_bbo_mismatches_total Exchange best price disagreements.",
	    "clobtop_asset_state Health state (1 for the current state).",
	};
	for (size_t k = 0; k < sizeof(per_asset) / sizeof(per_asset[0]); k++) {
		const char *sp = strchr(per_asset[k], ' ');
		int nlen = (int)(sp - per_asset[k]);
		bprintf(&b, "# HELP %s\n# TYPE %.*s %s\n", per_asset[k], nlen, per_asset[k],
		        strstr(per_asset[k], "_total") ? "counter" : "gauge");
		size_t shown = 0;
		for (size_t i = 0; i < m->nassets; i++) {
			const struct asset *a = &m->assets[i];
			if (!a->subscribed)
				continue;
			if (shown++ >= EXPORT_METRICS_MAX_ASSETS)
				break;
			char label[ASSET_LABEL_MAX * 2], v[NUM_BUF];
			label_value(label, sizeof(label), a->label);
			int64_t val = PRICE_NONE;
			switch (k) {
			case 0:
				val = book_best(&a->book, SIDE_BID);
				break;
			case 1:
				val = book_best(&a->book, SIDE_ASK);
				break;
			case 2:
				val = book_spread(&a->book);
				break;
			case 3:
				val = a->last_update_mono_ns
				          ? (o->now_mono_ns - a->last_update_mono_ns) / 1000
				          : PRICE_NONE;
				break;
			case 4:
				val = (int64_t)a->bbo_mismatches * NUM_SCALE;
				break;
			default:
				bprintf(&b, "%.*s{asset_id=\"%s\",label=\"%s\",state=\"%s\"} 1\n",
				        nlen, per_asset[k], a->id, label,
				        asset_state_name(a->state));
				continue;
			}
			if (val == PRICE_NONE)
				continue; /* absent, not zero: an empty side has no price */
			num_format(val, v, sizeof(v));
			bprintf(&b, "%.*s{asset_id=\"%s\",label=\"%s\"} %s\n", nlen, per_asset[k],
			        a->id, label, v);
		}
	}
	char *handon = export_redis_metrics(o->handon);
	if (handon)
		bprintf(&b, "%s", handon);
	free(handon);
	char user[2048];
	if (export_user_metrics(m, user, sizeof(user)))
		bprintf(&b, "%s", user);
	char *conns = export_conn_metrics(m, o);
	bprintf(&b, "%s", conns ? conns : "");
	b.oom |= !conns;
	free(conns);
	if (b.oom || !b.p) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

int export_metrics(const struct market_state *m, const struct export_options *o, const char *path,
                   char *err, size_t errlen)
{
	size_t len;
	char *text = export_metrics_string(m, o, &len);
	if (!text) {
		set_err(err, errlen, "out of memory building metrics");
		return -1;
	}
	int rc = export_write_atomic(path, text, len, err, errlen);
	free(text);
	return rc;
}
