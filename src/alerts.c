/*
 * alerts: the alert log and the trade tape (see alerts.h).  Two fixed rings in the model;
 * storms of the same alert are grouped into one row here.  Never allocates.
 */
#include "alerts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "market.h"
#include "sanitize.h"

static const struct {
	const char *name;             /* in snapshots and filters */
	enum alert_severity severity; /* info, warn, crit */
} alert_kinds[] = {
#define X(e, s, sev) [e] = {s, sev},
    ALERT_KINDS(X)
#undef X
};

static const char *const severity_names[ALERT_SEV_COUNT] = {"info", "warn", "crit"};

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_kinds[k].name : "?";
}

enum alert_severity alert_kind_severity(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_kinds[k].severity : ALERT_SEV_WARN;
}

const char *alert_severity_name(enum alert_severity s)
{
	return (unsigned)s < ALERT_SEV_COUNT ? severity_names[s] : "?";
}

bool alert_names_asset(const struct alert *al, uint32_t idx)
{
	uint32_t n = al->nassets < ALERT_GROUP_IDS ? al->nassets : ALERT_GROUP_IDS;
	for (uint32_t i = 0; i < n; i++)
		if (al->asset_idx[i] == idx)
			return true;
	return false;
}

/* Adds the asset (by id) to the row's list unless it is there already. */
static void row_add_asset(struct market_state *m, struct alert *al, const char *asset_id)
{
	if (!asset_id || !asset_id[0])
		return;
	struct asset *a = market_find(m, asset_id, strlen(asset_id));
	if (!a)
		return;
	uint32_t idx = (uint32_t)(a - m->assets);
	if (alert_names_asset(al, idx))
		return;
	if (al->nassets < ALERT_GROUP_IDS)
		al->asset_idx[al->nassets] = idx;
	al->nassets++;
}

/* The newest row, when the alert belongs to its storm (its message starts with the first
 * n bytes of msg: all of it unless the caller folds a running count away). */
static struct alert *group_row(struct market_state *m, enum alert_kind kind, const char *msg,
                               size_t n, int64_t now_mono)
{
	if (m->nalerts == 0 || m->nalerts - 1 < m->alerts_cleared)
		return NULL;
	struct alert *al = &m->alerts[(m->nalerts - 1) % ALERT_LOG_SIZE];
	if (al->kind != kind || now_mono - al->t_last_mono_ns >= ALERT_GROUP_NS ||
	    strncmp(al->message, msg, n) != 0)
		return NULL;
	return al;
}

/* One more alert in the row al: its count, latest time and sequence. */
static void row_count(struct market_state *m, struct alert *al, const char *asset_id,
                      int64_t now_real, int64_t now_mono)
{
	m->alerts_raised++;
	m->alert_seq++;
	al->count++;
	al->t_last_real_ns = now_real;
	al->t_last_mono_ns = now_mono;
	al->seq = m->alert_seq;
	row_add_asset(m, al, asset_id);
}

/* Receipt time of the record (or backlog) being judged, so a late drain does not misdate
 * what happened. */
static int64_t alert_real_ns(const struct market_state *m)
{
	return m->cur_real_ns ? m->cur_real_ns : clock_real_ns();
}

void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
                  const char *fmt, ...)
{
	char raw[sizeof(m->alerts[0].message)], msg[sizeof(raw)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	sanitize_text(msg, sizeof(msg), raw, (size_t)n);
	int64_t now_real = alert_real_ns(m);
	int64_t now_mono = market_now_ns(m);
	struct alert *al = group_row(m, kind, msg, sizeof(msg), now_mono);
	if (!al) {
		al = &m->alerts[m->nalerts % ALERT_LOG_SIZE];
		memset(al, 0, sizeof(*al));
		al->t_real_ns = now_real;
		al->kind = kind;
		snprintf(al->asset_id, sizeof(al->asset_id), "%s", asset_id ? asset_id : "");
		snprintf(al->message, sizeof(al->message), "%s", msg);
		m->nalerts++;
	}
	row_count(m, al, asset_id, now_real, now_mono);
}

bool market_alert_fold(struct market_state *m, enum alert_kind kind, const char *prefix)
{
	char msg[sizeof(m->alerts[0].message)];
	sanitize_text(msg, sizeof(msg), prefix, strlen(prefix));
	int64_t now_mono = market_now_ns(m);
	struct alert *al = group_row(m, kind, msg, strlen(msg), now_mono);
	if (!al)
		return false;
	row_count(m, al, NULL, alert_real_ns(m), now_mono);
	return true;
}

void market_alerts_ack(struct market_state *m)
{
	m->alerts_acked_seq = m->alert_seq;
}

void market_alerts_clear(struct market_state *m)
{
	m->alerts_cleared = m->nalerts;
	m->alerts_acked_seq = m->alert_seq;
}

void alerts_tape_add(struct market_state *m, const struct trade *t)
{
	m->tape[m->ntrades % TAPE_SIZE] = *t;
	m->ntrades++;
}

const struct alert *market_alert_at(const struct market_state *m, size_t i)
{
	if (i >= m->nalerts || i >= ALERT_LOG_SIZE || i >= m->nalerts - m->alerts_cleared)
		return NULL;
	return &m->alerts[(m->nalerts - 1 - i) % ALERT_LOG_SIZE];
}

const struct trade *market_trade_at(const struct market_state *m, size_t i)
{
	if (i >= m->ntrades || i >= TAPE_SIZE)
		return NULL;
	return &m->tape[(m->ntrades - 1 - i) % TAPE_SIZE];
}
