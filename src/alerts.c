/*
 * alerts: the alert log and the trade tape (see alerts.h).  Two fixed rings in the model;
 * never allocates.
 */
#include "alerts.h"

#include <stdarg.h>
#include <stdio.h>

#include "market.h"
#include "sanitize.h"

static const char *const alert_names[] = {
#define X(e, s) s,
    ALERT_KINDS(X)
#undef X
};

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_names[k] : "?";
}

void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
                  const char *fmt, ...)
{
	char raw[sizeof(m->alerts[0].message)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	struct alert *al = &m->alerts[m->nalerts % ALERT_LOG_SIZE];
	/* Receipt time of the record (or backlog) being judged, so a late drain does not
	 * misdate what happened. */
	al->t_real_ns = m->cur_real_ns ? m->cur_real_ns : clock_real_ns();
	al->kind = kind;
	snprintf(al->asset_id, sizeof(al->asset_id), "%s", asset_id ? asset_id : "");
	sanitize_text(al->message, sizeof(al->message), raw, (size_t)n);
	m->nalerts++;
}

void alerts_tape_add(struct market_state *m, const struct trade *t)
{
	m->tape[m->ntrades % TAPE_SIZE] = *t;
	m->ntrades++;
}

const struct alert *market_alert_at(const struct market_state *m, size_t i)
{
	if (i >= m->nalerts || i >= ALERT_LOG_SIZE)
		return NULL;
	return &m->alerts[(m->nalerts - 1 - i) % ALERT_LOG_SIZE];
}

const struct trade *market_trade_at(const struct market_state *m, size_t i)
{
	if (i >= m->ntrades || i >= TAPE_SIZE)
		return NULL;
	return &m->tape[(m->ntrades - 1 - i) % TAPE_SIZE];
}
