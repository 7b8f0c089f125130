/* app_user: see app_user.h. */
#include "app_user.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "feed.h"
#include "ring.h"
#include "user.h"
#include "usercreds.h"

#define USER_RING_BYTES (1u << 20)               /* the user feed's rings */
#define REJECT_WINDOW   (INT64_C(5) * NS_PER_S)  /* closed this soon after auth: rejected */
#define NEED_MARKETS_NS (INT64_C(10) * NS_PER_S) /* start with every market after this */

struct app_user {
	struct usercreds creds;  /* read by the feed thread while it runs */
	struct user_model model; /* orders and trades */
	struct ring *data;       /* user feed -> UI */
	struct ring *cmd;        /* UI -> user feed */
	struct feed *feed;       /* the user feed, NULL before start or after a give-up */
	char url[512];           /* the user channel */
	char *sent;              /* condition ids the feed has, space-separated (heap) */
	int rejections;          /* in a row */
	int64_t auth_mono_ns;    /* last CONN_SUBSCRIBED (auth frame sent), 0 none */
	bool data_since_auth;    /* an event arrived since then */
	bool gave_up;            /* stopped after APP_USER_MAX_REJECTIONS */
	int64_t opened_mono_ns;  /* app_user_open */
	atomic_int unconfirmed;  /* auth frames built since a frame last came back: the feed
	                            thread adds, the UI thread clears */
};

/* On the feed thread, at every connection: the auth frame, unless the last ones went
 * unanswered so often that the credentials must be wrong (the UI thread is about to stop
 * the feed: no more auth frames meanwhile, however fast the reconnects come). */
static size_t auth_frame(void *ctx, char *buf, size_t cap, const char *const *ids, size_t n)
{
	struct app_user *u = ctx;
	if (atomic_fetch_add(&u->unconfirmed, 1) >= APP_USER_MAX_REJECTIONS)
		return 0;
	return usercreds_auth_frame(&u->creds, buf, cap, ids, n);
}

static int derive_url(struct app_user *u, const char *market_url, const char *given, char *err,
                      size_t errlen)
{
	if (given) {
		snprintf(u->url, sizeof(u->url), "%s", given);
		return 0;
	}
	const char *p = strstr(market_url, "/ws/market");
	if (!p) {
		snprintf(err, errlen,
		         "--user: cannot derive the user channel from %s (no /ws/market "
		         "in it): give --user-url",
		         market_url);
		return -1;
	}
	snprintf(u->url, sizeof(u->url), "%.*s/ws/user%s", (int)(p - market_url), market_url,
	         p + strlen("/ws/market"));
	return 0;
}

int app_user_open(struct app *a, char *err, size_t errlen)
{
	const struct options *o = a->o;
	if (!o->user)
		return 0;
	if (o->replay) {
		snprintf(err, errlen, "--user needs a live feed, not --replay");
		return -1;
	}
	struct app_user *u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->user = u;
	int r = o->user_creds ? usercreds_load_file(&u->creds, o->user_creds, true, err, errlen)
	                      : usercreds_load_env(&u->creds, err, errlen);
	/* Nothing started later (hooks, --demo's clobsim) inherits them, and their bytes are
	 * overwritten where they lie, so /proc/PID/environ no longer shows them either. */
	static const char *const names[] = {"CLOB_API_KEY", "CLOB_SECRET", "CLOB_PASS_PHRASE"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *v = getenv(names[i]);
		if (v)
			explicit_bzero(v, strlen(v));
		unsetenv(names[i]);
	}
	if (r != 0)
		return -1;
	if (derive_url(u, a->url, o->user_url, err, errlen) != 0)
		return -1;
	u->data = ring_create(USER_RING_BYTES);
	u->cmd = ring_create(USER_RING_BYTES);
	if (!u->data || !u->cmd) {
		snprintf(err, errlen, "cannot create the user channel's rings");
		return -1;
	}
	user_init(&u->model, o->trade_stuck_ms * NS_PER_MS);
	u->opened_mono_ns = clock_mono_ns();
	a->m.user = &u->model;
	return 0;
}

/* The condition ids of the subscribed assets, space-separated (heap), or NULL when
 * memory ran out. */
static char *wanted_markets(const struct market_state *m)
{
	size_t cap = 1;
	for (size_t i = 0; i < m->nassets; i++)
		cap += strlen(m->assets[i].market) + 1;
	char *s = calloc(cap, 1);
	if (!s)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < m->nassets; i++) {
		const struct asset *as = &m->assets[i];
		if (!as->subscribed || !as->market[0] || strstr(s, as->market))
			continue;
		len += (size_t)snprintf(s + len, cap - len, "%s%s", len ? " " : "", as->market);
	}
	return s;
}

/* The ids of list that are not in other, space-separated, into out (heap). */
static char *minus(const char *list, const char *other)
{
	char *out = calloc(strlen(list) + 1, 1), *copy = strdup(list), *save = NULL;
	size_t len = 0;
	if (!out || !copy) {
		free(copy);
		free(out);
		return NULL;
	}
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (!strstr(other, t))
			len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", t);
	free(copy);
	return out;
}

static void start_feed(struct app *a, char *ids)
{
	struct app_user *u = a->user;
	const char *v[4096];
	size_t n = 0;
	char *copy = strdup(ids), *save = NULL;
	if (!copy)
		return;
	for (char *t = strtok_r(copy, " ", &save); t && n < 4096; t = strtok_r(NULL, " ", &save))
		v[n++] = t;
	struct feed_config fc = a->o->feed;
	fc.url = u->url;
	fc.ca_file = a->o->ca_file;
	fc.insecure = a->o->insecure;
	fc.freeze_ms = 1 << 30; /* a quiet account is normal: no freeze remedy */
	fc.assets = v;
	fc.nassets = n;
	fc.first_frame = auth_frame;
	fc.first_frame_ctx = u;
	char err[256];
	u->feed = feed_start(&fc, u->data, u->cmd, err, sizeof(err));
	free(copy);
	if (!u->feed) {
		snprintf(u->model.state, sizeof(u->model.state), "user channel: %.120s", err);
		free(ids);
		return;
	}
	free(u->sent);
	u->sent = ids;
	snprintf(u->model.state, sizeof(u->model.state), "user channel: connecting (%zu markets)",
	         n);
}

/* Keep the feed's markets equal to those of the subscribed assets. */
static void follow_markets(struct app *a, int64_t now)
{
	struct app_user *u = a->user;
	char *want = wanted_markets(&a->m);
	if (!want)
		return;
	if (!u->feed) {
		/* Wait for the first market ids (they come with the books); then all. */
		if (!u->gave_up && (want[0] || now - u->opened_mono_ns > NEED_MARKETS_NS))
			start_feed(a, want);
		else
			free(want);
		return;
	}
	if (strcmp(want, u->sent) == 0) {
		free(want);
		return;
	}
	char *add = minus(want, u->sent), *del = minus(u->sent, want);
	bool ok = add && del && (!add[0] || feed_command(u->cmd, FEED_SUB, add)) &&
	          (!del[0] || feed_command(u->cmd, FEED_UNSUB, del));
	free(add);
	free(del);
	if (ok) {
		free(u->sent);
		u->sent = want;
	} else {
		free(want);
	}
}

static void set_state(struct app_user *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_state(struct app_user *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->model.state, sizeof(u->model.state), fmt, ap);
	va_end(ap);
}

/* The server closed right after the auth frame, or said 1008: the credentials. */
static void rejected(struct app *a)
{
	struct app_user *u = a->user;
	u->rejections++;
	u->model.rejections++;
	u->model.connected = false;
	u->auth_mono_ns = 0;
	market_alert(&a->m, ALERT_CONNECTION, NULL,
	             "user channel: authentication rejected (%d of %d attempts)", u->rejections,
	             APP_USER_MAX_REJECTIONS);
	if (u->rejections < APP_USER_MAX_REJECTIONS) {
		set_state(u, "user channel: authentication rejected (%d in a row)", u->rejections);
		return;
	}
	feed_stop(u->feed);
	u->feed = NULL;
	u->gave_up = true;
	set_state(u, "user channel: authentication rejected (%d times; stopped, R retries)",
	          u->rejections);
}

static void on_conn(struct app *a, const struct ring_rec *rec)
{
	struct app_user *u = a->user;
	const struct conn_event *ce = rec->data;
	if (rec->len < sizeof(*ce))
		return;
	switch (ce->kind) {
	case CONN_CONNECTED:
		if (!u->rejections)
			set_state(u, "user channel: connected, authenticating");
		break;
	case CONN_SUBSCRIBED:
		u->auth_mono_ns = rec->t_mono_ns;
		u->data_since_auth = false;
		if (!u->rejections)
			set_state(u, "user channel: subscribed (%lld markets)",
			          (long long)ce->value);
		break;
	case CONN_CLOSED:
	case CONN_ERROR:
	case CONN_DEAD:
		if (u->auth_mono_ns && !u->data_since_auth &&
		    (ce->code == 1008 || rec->t_mono_ns - u->auth_mono_ns < REJECT_WINDOW)) {
			rejected(a);
			return;
		}
		u->auth_mono_ns = 0;
		u->model.connected = false;
		if (!u->rejections)
			set_state(u, "user channel: disconnected (%d), reconnecting",
			          (int)ce->code);
		break;
	default:
		break;
	}
}

static void drain_user(struct app *a)
{
	struct app_user *u = a->user;
	struct ring_rec rec;
	ring_wake_drain(u->data);
	while (u->data && ring_peek(u->data, &rec)) {
		if (rec.kind == REC_FRAME) {
			user_apply_frame(&u->model, &a->m, rec.data, rec.len, rec.t_mono_ns);
			atomic_store(&u->unconfirmed, 0);
			if (!u->data_since_auth && u->auth_mono_ns) {
				u->data_since_auth = true;
				u->rejections = 0;
				u->model.connected = true;
				set_state(u, "user channel: connected");
			}
		} else if (rec.kind == REC_CONN) {
			on_conn(a, &rec);
		}
		ring_release(u->data);
	}
}

void app_user_tick(struct app *a, int64_t now_mono_ns)
{
	if (!a->user)
		return;
	drain_user(a);
	follow_markets(a, now_mono_ns);
	user_tick(&a->user->model, &a->m, now_mono_ns);
}

void app_user_retry(struct app *a)
{
	struct app_user *u = a->user;
	if (!u || !u->gave_up)
		return;
	u->gave_up = false;
	u->rejections = 0;
	atomic_store(&u->unconfirmed, 0);
	free(u->sent);
	u->sent = NULL;
	set_state(u, "user channel: retrying");
}

void app_user_stop(struct app *a)
{
	struct app_user *u = a->user;
	if (!u)
		return;
	if (u->feed) {
		feed_stop(u->feed);
		u->feed = NULL;
	}
	if (u->data)
		drain_user(a);
	if (u->rejections)
		fprintf(stderr, "clobtop: user channel: authentication rejected (%d attempts)\n",
		        u->rejections);
}

void app_user_free(struct app *a)
{
	struct app_user *u = a->user;
	if (!u)
		return;
	a->m.user = NULL;
	usercreds_wipe(&u->creds);
	ring_destroy(u->data);
	ring_destroy(u->cmd);
	free(u->sent);
	free(u);
	a->user = NULL;
}
