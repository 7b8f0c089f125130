/*
 * hooks: runs the operator's --on-alert command for alerts, off the UI thread.
 *
 * The UI thread offers alerts (plain data: this module knows nothing of the model)
 * through hooks_submit(); the hook thread runs `/bin/sh -c CMD` in a process group of its
 * own with the alert as one JSON object on its standard input
 *   {"kind":"stale","severity":"warn","asset_id":"…","label":"…","message":"…",
 *    "time":"2026-10-02T12:00:00.123Z","time_ms":1790000000123}
 * and the same fields in CLOBTOP_ALERT_KIND, _SEVERITY, _ASSET_ID, _LABEL, _MESSAGE, _TIME
 * and _TIME_MS.  Its stdout and stderr go to /dev/null (never to the terminal).
 *
 * At most one hook runs per alert kind (another alert of a kind whose hook is still
 * running is skipped: HOOK_BUSY), at most rate_per_min start per minute (HOOK_RATE), and
 * a hook still running after timeout_ms has its process group killed (HOOK_TIMEOUT).
 * Every outcome comes back through hooks_result(); nothing here is ever fatal.
 *
 * Threads: hooks_start/stop, hooks_submit and hooks_result from ONE thread (the UI);
 * hooks_stats from any thread.  hooks_submit never blocks: a full ring drops and counts.
 */
#ifndef CLOBTOP_HOOKS_H
#define CLOBTOP_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOOK_KINDS_MAX 32 /* alert kinds 0..31 */

struct hook_alert {
	int64_t t_real_ns;  /* when it was raised, CLOCK_REALTIME */
	uint32_t kind;      /* the caller's alert kind, < HOOK_KINDS_MAX */
	char kind_name[24]; /* "stale" */
	char severity[16];  /* "info", "warn", "crit" */
	char asset_id[80];  /* "" when not about one asset */
	char label[96];     /* sanitised */
	char message[200];  /* sanitised */
};

#define HOOK_OUTCOMES(X)                                                                           \
	X(HOOK_OK, "ok")                 /* exit status 0 */                                       \
	X(HOOK_EXIT, "failed")           /* status: the non-zero exit status */                    \
	X(HOOK_SIGNAL, "killed")         /* status: the signal that ended it */                    \
	X(HOOK_TIMEOUT, "timed out")     /* killed after timeout_ms */                             \
	X(HOOK_SPAWN, "could not start") /* text: why */                                           \
	X(HOOK_BUSY, "skipped (busy)")   /* a hook of this kind was still running */               \
	X(HOOK_RATE, "skipped (rate)")   /* over --on-alert-rate */

enum hook_outcome {
#define X(e, s) e,
	HOOK_OUTCOMES(X)
#undef X
	    HOOK_OUTCOME_COUNT
};

const char *hook_outcome_name(enum hook_outcome o);

struct hook_result {
	uint32_t kind;       /* the alert's kind */
	char kind_name[24];  /* its name */
	int32_t outcome;     /* enum hook_outcome */
	int32_t status;      /* exit status or signal number, 0 otherwise */
	int64_t duration_ms; /* from start to exit (0 when not started) */
	char text[160];      /* one line for the alert log */
};

struct hooks_config {
	const char *cmd;    /* --on-alert */
	int rate_per_min;   /* --on-alert-rate, <= 0 for 30 */
	int64_t timeout_ms; /* <= 0 for 10000 */
};

struct hooks_stats {
	uint64_t submitted; /* alerts offered */
	uint64_t started;   /* hooks started */
	uint64_t failed;    /* exit != 0, signal, timeout, spawn error */
	uint64_t skipped;   /* busy or over the rate, or the ring was full */
};

struct hooks;

struct hooks *hooks_start(const struct hooks_config *c, char *err, size_t errlen);
void hooks_stop(struct hooks *h); /* kills running hooks, joins; NULL is a no-op */
bool hooks_submit(struct hooks *h, const struct hook_alert *a);
bool hooks_result(struct hooks *h, struct hook_result *out);
void hooks_stats(struct hooks *h, struct hooks_stats *out);

#endif
