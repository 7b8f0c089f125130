/*
 * headless: standard-input commands and the --summary line (see headless.h).
 * Main (UI) thread only.
 */
#include "headless.h"
#include "sanitize.h"
#include "clob.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "app_redis.h"
#include "labels.h"

void headless_init(struct app *a)
{
	a->in.open = false;
	if (options_stdin_is_replay(a->o)) {
		fprintf(stderr, "clobtop: standard input carries the replay (--replay -): "
		                "headless commands are not read\n");
		return;
	}
	int fl = fcntl(STDIN_FILENO, F_GETFL);
	a->in.open = fl >= 0 && fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == 0;
}

/* sub/unsub/resync with the ids in rest (space-separated, len bytes). */
static void ids_command(struct app *a, const char *verb, const char *rest, size_t len)
{
	if (!len) {
		fprintf(stderr, "clobtop: %s needs token ids\n", verb);
		return;
	}
	char ids[sizeof(a->in.buf)], ok[sizeof(a->in.buf)] = "";
	size_t nok = 0, used = 0;
	memcpy(ids, rest, len + 1);
	char *save = NULL;
	for (char *id = strtok_r(ids, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		if (!token_id_valid(id, strlen(id))) {
			char shown[96];
			sanitize_text(shown, sizeof(shown), id, strlen(id));
			fprintf(stderr,
			        "clobtop: %s: '%s' is not a token id (1 to %d digits): skipped\n",
			        verb, shown, TOKEN_ID_MAX);
			continue;
		}
		if (verb[0] == 's')
			market_add(&a->m, id, NULL);
		else if (verb[0] == 'u')
			market_remove(&a->m, id);
		else
			market_resync(&a->m, id, "operator");
		used +=
		    (size_t)snprintf(ok + used, sizeof(ok) - used, "%s%s", nok++ ? " " : "", id);
	}
	/* Only the ids just accepted go to the feed. */
	if (nok && verb[0] != 'r' && !app_command(a, verb[0] == 's' ? FEED_SUB : FEED_UNSUB, ok))
		fprintf(stderr, "clobtop: %s: no live feed or command queue full\n", verb);
	if (verb[0] == 's')
		labels_request(a);
}

static void command(struct app *a, char *line)
{
	char *save = NULL;
	char *verb = strtok_r(line, " \t\r", &save);
	if (!verb || *verb == '#')
		return;
	char rest[sizeof(a->in.buf)] = "";
	size_t len = 0;
	for (char *w; (w = strtok_r(NULL, " \t\r", &save));) {
		int n = snprintf(rest + len, sizeof(rest) - len, "%s%s", len ? " " : "", w);
		if (n > 0 && (size_t)n < sizeof(rest) - len)
			len += (size_t)n;
	}
	if (strcmp(verb, "quit") == 0 || strcmp(verb, "q") == 0) {
		app_quit = 1;
	} else if (strcmp(verb, "sub") == 0 || strcmp(verb, "unsub") == 0 ||
	           strcmp(verb, "resync") == 0) {
		ids_command(a, verb, rest, len);
	} else if (strcmp(verb, "export") == 0) {
		char msg[PATH_MAX + 64];
		bool ok = app_export(a, len ? rest : NULL, msg, sizeof(msg));
		fprintf(ok ? stdout : stderr, "clobtop: %s\n", msg);
		fflush(stdout);
	} else if (strcmp(verb, "vwap") == 0) {
		app_redis_vwap(a, rest);
	} else {
		fprintf(stderr,
		        "clobtop: unknown command '%s' (sub ID..., unsub ID..., resync ID, export "
		        "[PATH], vwap ID BUY|SELL SIZE, quit)\n",
		        verb);
	}
}

void headless_read(struct app *a)
{
	struct headless *in = &a->in;
	ssize_t n = read(STDIN_FILENO, in->buf + in->len, sizeof(in->buf) - 1 - in->len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			in->open = false;
		return;
	}
	in->len += (size_t)n;
	in->buf[in->len] = '\0';
	char *start = in->buf, *nl;
	while ((nl = memchr(start, '\n', in->len - (size_t)(start - in->buf)))) {
		*nl = '\0';
		command(a, start);
		start = nl + 1;
	}
	size_t left = in->len - (size_t)(start - in->buf);
	if (left == sizeof(in->buf) - 1) {
		fprintf(stderr, "clobtop: command line too long, ignored\n");
		left = 0;
	}
	memmove(in->buf, start, left);
	in->len = left;
}

void headless_summary(struct app *a, int64_t now_mono)
{
	struct market_state *m = &a->m;
	int64_t now_s = market_now_s(m, now_mono);
	struct lat_summary f, p;
	lat_window_summary(m->feed_ms, now_s, 1, &f);
	lat_window_summary(m->pipeline_us, now_s, 1, &p);
	size_t n[ASSET_STATE_COUNT] = {0}, total = 0;
	for (size_t i = 0; i < m->nassets; i++)
		if (m->assets[i].subscribed) {
			n[m->assets[i].state]++;
			total++;
		}
	printf("t=%" PRId64 "s conn=%s frames=%" PRIu64 " msgs/s=%.0f assets=%zu fresh=%zu "
	       "await=%zu stale=%zu crossed=%zu drift=%zu feed_ms p50=%" PRId64 " p99=%" PRId64
	       " pipeline_us p50=%" PRId64 " p99=%" PRId64 " malformed=%" PRIu64 " dropped=%" PRIu64
	       " reconnects=%" PRIu64 "\n",
	       now_s, a->replay ? "replay" : conn_kind_name(m->conn.event), m->cnt.frames,
	       rate_per_sec(&m->msg_rate, now_s, 1), total, n[ASSET_FRESH] + n[ASSET_QUIET],
	       n[ASSET_AWAITING], n[ASSET_STALE], n[ASSET_CROSSED], n[ASSET_DRIFT], f.p50, f.p99,
	       p.p50, p.p99, m->cnt.malformed, m->transport.ring_drops, m->conn.reconnects);
	fflush(stdout);
}
