/*
 * restsrv: clobsim's CLOB REST book service: GET /book?token_id=ID and POST /books, the
 * --rest-limit sliding-window limiter (429 with Retry-After), and the REST faults
 * (rest500, rest429, restslow, restwrong) armed by --rest-fault or GET /fault.
 *
 * A request is admitted once: counted and logged, validated (a refusal costs no place in
 * the window), limited, then maybe spoiled by a fault.  A restslow request is held, its bytes left
 * unread in the connection's input, and answered by restsrv_pump when its time comes, so the loop,
 * the WebSocket and every other client keep flowing.  Answers reflect the generator's
 * truth when they are written.  It never blocks and never writes to a socket (http.c and
 * conn.c do).  Called only from the poll loop (clobsim is single-threaded).
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rest.h"
#include "restctl.h"
#include "simclock.h"

int restsrv_init(struct server *s)
{
	const struct sim_cfg *cfg = s->cfg;

	s->rf = cfg->rest.faults;
	s->start_ms = sim_real_ms();
	if (rlimit_init(&s->lim_book, cfg->rest.limit_book, REST_WINDOW_NS) != 0 ||
	    rlimit_init(&s->lim_books, cfg->rest.limit_books, REST_WINDOW_NS) != 0) {
		fprintf(stderr, "clobsim: out of memory for --rest-limit\n");
		return -1;
	}
	for (int k = 0; k < RF_KINDS; k++)
		if (s->rf.left[k])
			sim_log("REST fault %s armed for %llu answer(s) (--rest-fault)",
			        restctl_kind_name(k), (unsigned long long)s->rf.left[k]);
	return 0;
}

void restsrv_free(struct server *s)
{
	rlimit_free(&s->lim_book);
	rlimit_free(&s->lim_books);
}

static int error_json(struct sbuf *b, int status, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;

	sbuf_adds(b, t ? t : "{\"error\":\"out of memory\"}");
	free(t);
	json_decref(o);
	return status;
}

static void fault_logged(struct server *s, const struct client *c, int kind, const char *what)
{
	s->st.faults++;
	sim_log("client %llu: fault %s%s (%llu left)", (unsigned long long)c->id,
	        restctl_kind_name(kind), what, (unsigned long long)s->rf.left[kind]);
}

static int too_many(char *extra, size_t extracap, int secs, struct sbuf *b, const char *msg)
{
	snprintf(extra, extracap, "Retry-After: %d\r\n", secs);
	return error_json(b, 429, msg);
}

/* Count, log and validate a request; for /books parse its ids into s->ids.  Returns 0,
 * or the status of an error answer already in b. */
static int take_in(struct server *s, struct client *c, const struct http_req *r, bool books,
                   const char *body, size_t blen, struct sbuf *b)
{
	char err[160], id[REST_ID_CAP];

	if (!books) {
		s->st.rest_book++;
		sim_log("client %llu: %s %s", (unsigned long long)c->id, r->method, r->target);
		if (strcmp(r->method, "GET") != 0)
			return error_json(b, 405, "/book takes GET");
		if (!rest_query(r->target, "token_id", id, sizeof id))
			return error_json(b, 400, "Invalid payload: token_id is required");
		return 0;
	}
	s->st.rest_books++;
	if (strcmp(r->method, "POST") != 0) {
		sim_log("client %llu: %s %s", (unsigned long long)c->id, r->method, r->target);
		return error_json(b, 405, "/books takes POST");
	}
	enum rest_parse p = restctl_parse_ids(body, blen, &s->ids, err, sizeof err);
	s->st.rest_books_ids += (uint64_t)s->ids.n;
	sim_log("client %llu: POST %s (%d ids, %zu bytes)%s", (unsigned long long)c->id, r->target,
	        s->ids.n, blen, p == REST_IDS_OK ? "" : " refused: invalid body");
	return p == REST_IDS_OK ? 0 : error_json(b, 400, err);
}

/* Admit a request: 0 to answer it now, -1 when restslow holds it, else the status of
 * the answer already in b (405, 400, 429, 500). */
static int admit(struct server *s, struct client *c, const struct http_req *r, bool books,
                 const char *body, size_t blen, char *extra, size_t extracap)
{
	struct sbuf *b = &s->scratch;
	char msg[96];
	int st = take_in(s, c, r, books, body, blen, b);

	if (st)
		return st;
	int wait = rlimit_take(books ? &s->lim_books : &s->lim_book, sim_mono_ns());
	if (wait > 0) {
		s->st.rest_429++;
		s->st.rest_limited++;
		sim_log("client %llu: 429 rate limit on %s (retry after %d s)",
		        (unsigned long long)c->id, books ? "/books" : "/book", wait);
		snprintf(msg, sizeof msg, "Too Many Requests: at most %u %s requests per 10 s",
		         books ? s->lim_books.limit : s->lim_book.limit,
		         books ? "/books" : "/book");
		return too_many(extra, extracap, wait, b, msg);
	}
	if (restctl_take(&s->rf, RF_500)) {
		s->st.rest_500++;
		fault_logged(s, c, RF_500, "");
		return error_json(b, 500, "Internal Server Error (clobsim fault rest500)");
	}
	if (restctl_take(&s->rf, RF_429)) {
		s->st.rest_429++;
		snprintf(msg, sizeof msg, " (Retry-After %d)", s->rf.retry_after);
		fault_logged(s, c, RF_429, msg);
		return too_many(extra, extracap, s->rf.retry_after, b,
		                "Too Many Requests (clobsim fault rest429)");
	}
	if (restctl_take(&s->rf, RF_SLOW)) {
		s->st.rest_slow++;
		snprintf(msg, sizeof msg, " (answer held %d ms)", s->rf.slow_ms);
		fault_logged(s, c, RF_SLOW, msg);
		c->rest_due = sim_mono_ns() + (int64_t)s->rf.slow_ms * 1000000;
		c->rest_admitted = true;
		return -1;
	}
	return 0;
}

static void wrong_logged(struct server *s, const struct client *c, const char *asset)
{
	char what[REST_ID_CAP + 64];

	s->st.rest_wrong++;
	snprintf(what, sizeof what, " best bid (else ask) size +1 share in the book of %s", asset);
	fault_logged(s, c, RF_WRONG, what);
}

/* The answer of an admitted request (its /books ids in s->ids). */
static int answer(struct server *s, struct client *c, const struct http_req *r, bool books)
{
	struct sbuf *b = &s->scratch;
	const struct rest_faults *f = &s->rf;
	char id[REST_ID_CAP];

	if (books) {
		int at = f->left[RF_WRONG] ? 0 : -1;
		int st = rest_books(&s->gen, (const char(*)[REST_ID_LEN])s->ids.id, s->ids.n,
		                    s->start_ms, &at, f->wrong_asset, b);
		if (at >= 0) {
			int t = -1;
			for (int i = 0, k = -1; i < s->ids.n && k < at; i++)
				if (gen_find_token(&s->gen, s->ids.id[i], strlen(s->ids.id[i])) >=
				        0 &&
				    ++k == at)
					t = i;
			restctl_take(&s->rf, RF_WRONG);
			wrong_logged(s, c, t >= 0 ? s->ids.id[t] : "?");
		}
		return st;
	}
	if (!rest_query(r->target, "token_id", id, sizeof id))
		return error_json(b, 400, "Invalid payload: token_id is required");
	bool wrong = f->left[RF_WRONG] && (!f->wrong_asset[0] || !strcmp(f->wrong_asset, id));
	int st = rest_book(&s->gen, id, s->start_ms, &wrong, b);
	if (wrong) {
		restctl_take(&s->rf, RF_WRONG);
		wrong_logged(s, c, id);
	}
	return st;
}

/* GET /book and POST /books: the status with its body in s->scratch and any extra
 * header lines in extra; 0 when path is neither; -1 when the answer is held. */
int restsrv_route(struct server *s, struct client *c, const struct http_req *r, const char *path,
                  const char *body, size_t blen, char *extra, size_t extracap)
{
	bool books = !strcmp(path, "/books");
	char err[160];

	if (!books && strcmp(path, "/book") != 0)
		return 0;
	sbuf_reset(&s->scratch);
	extra[0] = '\0';
	if (!c->rest_admitted) {
		int st = admit(s, c, r, books, body, blen, extra, extracap);
		if (st)
			return st;
	} else if (books &&
	           restctl_parse_ids(body, blen, &s->ids, err, sizeof err) != REST_IDS_OK) {
		return error_json(&s->scratch, 400, err); /* cannot happen: it parsed before */
	}
	c->rest_admitted = false;
	return answer(s, c, r, books);
}

/* GET /fault?kind=rest500|rest429|restslow|restwrong[&count=N][&retry_after=S][&ms=M]
 * [&asset_id=ID] */
int restsrv_fault(struct server *s, const char *kind, const char *target, struct sbuf *b)
{
	static const char *const param_of[RF_KINDS] = {NULL, "retry_after", "ms", "asset_id"};
	char count[24], param[REST_ID_CAP + 8], err[128], tmp[256];
	int k = restctl_kind(kind);
	bool has_count = rest_query(target, "count", count, sizeof count);
	bool has_param = param_of[k] && rest_query(target, param_of[k], param, sizeof param);

	if (restctl_arm(&s->rf, k, has_count ? count : NULL, has_param ? param : NULL, err,
	                sizeof err) != 0) {
		sim_log("GET /fault kind=%s refused: %s", kind, err);
		snprintf(tmp, sizeof tmp, "{\"ok\":false,\"kind\":\"%s\",\"error\":\"%s\"}\n", kind,
		         err);
		sbuf_adds(b, tmp);
		return 400;
	}
	sim_log("GET /fault kind=%s: armed for %llu answer(s)", kind,
	        (unsigned long long)s->rf.left[k]);
	snprintf(tmp, sizeof tmp, "{\"ok\":true,\"kind\":\"%s\",\"count\":%llu}\n", kind,
	         (unsigned long long)s->rf.left[k]);
	sbuf_adds(b, tmp);
	return 200;
}

/* Answer the held requests whose time has come. */
void restsrv_pump(struct server *s, int64_t now)
{
	for (size_t k = 0; k < s->nc; k++) {
		struct client *c = s->c[k];
		if (c->rest_due && now >= c->rest_due && !c->dead && c->st == C_HTTP) {
			c->rest_due = 0;
			http_on_bytes(s, c);
		}
	}
}

/* The poll timeout: at most ms, less when a held answer is due sooner. */
int restsrv_timeout_ms(const struct server *s, int64_t now, int ms)
{
	for (size_t k = 0; k < s->nc; k++) {
		int64_t due = s->c[k]->rest_due;
		if (due && !s->c[k]->dead) {
			int64_t left = due > now ? (due - now + 999999) / 1000000 : 0;
			if (left < ms)
				ms = (int)left;
		}
	}
	return ms;
}

/* The REST counters, as members to append to the /stats object. */
void restsrv_stats(const struct server *s, struct sbuf *b)
{
	const struct stats *st = &s->st;
	char tmp[512];

	snprintf(tmp, sizeof tmp,
	         ",\"rest_book\":%llu,\"rest_books\":%llu,\"rest_books_ids\":%llu,"
	         "\"rest_429\":%llu,\"rest_limited\":%llu,\"rest_500\":%llu,\"rest_slow\":%llu,"
	         "\"rest_wrong\":%llu,\"rest_limit\":[%u,%u]",
	         (unsigned long long)st->rest_book, (unsigned long long)st->rest_books,
	         (unsigned long long)st->rest_books_ids, (unsigned long long)st->rest_429,
	         (unsigned long long)st->rest_limited, (unsigned long long)st->rest_500,
	         (unsigned long long)st->rest_slow, (unsigned long long)st->rest_wrong,
	         s->lim_book.limit, s->lim_books.limit);
	sbuf_adds(b, tmp);
}
