/*
 * test_httpd: the HTTP query API on 127.0.0.1, fetched with libcurl (and raw sockets where
 * curl would hide what is tested): every route, the 400/404/405/503 answers, /healthz
 * following the published verdict and the publish age, the loopback rule, the connection
 * and request size limits, and documents published while clients read them (each answer
 * is one whole document, never a mix; run under TSan by scripts/test-all).
 *
 * Every wait is a deadline in seconds; every server is stopped by its test.
 */
#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "httpd.h"

#define ID_A "111"
#define ID_B "123456789012345678901234567890123456789012345678901234567890123456789012345678"

/* Two assets as src/export.c writes them: levels best first. */
static const char SNAPSHOT[] =
    "{\n \"schema\": \"clobtop.snapshot/1\",\n \"assets\": [\n"
    "  {\"asset_id\": \"" ID_A "\", \"label\": \"A yes\", \"state\": \"fresh\",\n"
    "   \"bids\": [{\"price\": \"0.48\", \"size\": \"100\"}, {\"price\": \"0.47\", \"size\": "
    "\"50\"}],\n"
    "   \"asks\": [{\"price\": \"0.52\", \"size\": \"30\"}, {\"price\": \"0.55\", \"size\": "
    "\"200\"}]},\n"
    "  {\"asset_id\": \"" ID_B "\", \"label\": \"B\", \"state\": \"empty\", \"bids\": [], "
    "\"asks\": []}\n"
    " ]\n}\n";
static const char METRICS[] = "# HELP clobtop_connected Whether the feed is connected.\n"
                              "# TYPE clobtop_connected gauge\nclobtop_connected 1\n";

static struct httpd *srv;
static char base[64];

struct resp {
	long status;     /* HTTP status, 0 when the transfer failed */
	char *body;      /* NUL-terminated */
	size_t len;      /* bytes of body */
	char ctype[128]; /* Content-Type */
	char allow[64];  /* Allow header */
	double clen;     /* Content-Length announced, -1 when none */
};

static size_t on_body(char *p, size_t sz, size_t n, void *cls)
{
	struct resp *r = cls;
	char *nb = realloc(r->body, r->len + sz * n + 1);
	ck_assert_ptr_nonnull(nb);
	memcpy(nb + r->len, p, sz * n);
	r->body = nb;
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *cls)
{
	struct resp *r = cls;
	size_t len = sz * n;
	if (len > 7 && strncasecmp(p, "Allow: ", 7) == 0)
		snprintf(r->allow, sizeof(r->allow), "%.*s", (int)(len - 9), p + 7);
	return len;
}

static void fetch(const char *method, const char *path, struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->body = calloc(1, 1);
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, path);
	CURL *c = curl_easy_init();
	ck_assert_ptr_nonnull(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		char *ct = NULL;
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct ? ct : "");
		curl_off_t cl = -1;
		curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		r->clen = (double)cl;
	}
	curl_easy_cleanup(c);
}

static void resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

static void expect(const char *method, const char *path, long status, const char *body_has)
{
	struct resp r;
	fetch(method, path, &r);
	ck_assert_msg(r.status == status, "%s %s: expected %ld, got %ld (%s)", method, path, status,
	              r.status, r.body);
	if (body_has)
		ck_assert_msg(strstr(r.body, body_has), "%s %s: expected \"%s\" in the body: %s",
		              method, path, body_has, r.body);
	resp_free(&r);
}

static struct httpd *start(const struct httpd_config *cfg)
{
	char err[256] = "";
	struct httpd *h = httpd_start(cfg, err, sizeof(err));
	ck_assert_msg(h, "httpd_start(%s) failed: %s", cfg->listen, err);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)httpd_port(h));
	return h;
}

static void publish(struct httpd *h, const char *snap, const char *metrics, bool healthy,
                    const char *reason)
{
	struct httpd_doc d = {.snapshot = snap,
	                      .snapshot_len = strlen(snap),
	                      .metrics = metrics,
	                      .metrics_len = strlen(metrics),
	                      .healthy = healthy,
	                      .reason = reason};
	ck_assert_int_eq(httpd_publish(h, &d), 0);
}

static void setup(void)
{
	struct httpd_config cfg = {.listen = "127.0.0.1:0"};
	srv = start(&cfg);
}

static void teardown(void)
{
	httpd_stop(srv);
	srv = NULL;
}

START_TEST(nothing_published_is_503_and_unknown_paths_404)
{
	expect("GET", "/healthz", 503, "nothing published yet");
	expect("GET", "/metrics", 503, "nothing published yet");
	expect("GET", "/snapshot", 503, NULL);
	expect("GET", "/book/" ID_A, 503, NULL);
	expect("GET", "/nope", 404, "/metrics");
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	expect("GET", "/", 404, NULL);
	expect("GET", "/metrics/x", 404, NULL);
	expect("GET", "/book", 404, NULL);
}
END_TEST

START_TEST(metrics_and_snapshot_are_the_published_bytes)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	struct resp r;
	fetch("GET", "/metrics", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_str_eq(r.body, METRICS);
	resp_free(&r);
	fetch("GET", "/snapshot", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "application/json");
	ck_assert_str_eq(r.body, SNAPSHOT);
	resp_free(&r);
	fetch("HEAD", "/snapshot", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_msg(r.clen == (double)strlen(SNAPSHOT), "HEAD Content-Length %.0f, want %zu",
	              r.clen, strlen(SNAPSHOT));
	resp_free(&r);
}
END_TEST

static json_t *snapshot_entry(const char *id)
{
	json_t *root = json_loads(SNAPSHOT, 0, NULL);
	ck_assert_ptr_nonnull(root);
	json_t *assets = json_object_get(root, "assets"), *found = NULL;
	for (size_t i = 0; i < json_array_size(assets); i++)
		if (strcmp(
		        json_string_value(json_object_get(json_array_get(assets, i), "asset_id")),
		        id) == 0)
			found = json_incref(json_array_get(assets, i));
	json_decref(root);
	ck_assert_ptr_nonnull(found);
	return found;
}

START_TEST(book_is_the_snapshot_entry_and_bad_ids_are_400)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	const char *ids[] = {ID_A, ID_B};
	for (int i = 0; i < 2; i++) {
		char path[200];
		snprintf(path, sizeof(path), "/book/%s", ids[i]);
		struct resp r;
		fetch("GET", path, &r);
		ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
		json_t *got = json_loads(r.body, 0, NULL), *want = snapshot_entry(ids[i]);
		ck_assert_msg(got && json_equal(got, want), "GET %s: not the snapshot entry: %s",
		              path, r.body);
		json_decref(got);
		json_decref(want);
		resp_free(&r);
	}
	expect("GET", "/book/112", 404, "112");
	expect("GET", "/book/12a", 400, "decimal digits");
	expect("GET", "/book/", 400, NULL);
	expect("GET", "/book/-1", 400, NULL);
	expect("GET", "/book/" ID_B "9", 400, NULL); /* 79 digits */
	expect("GET", "/book/111/x", 400, NULL);
}
END_TEST

static void expect_vwap(const char *query, const char *filled, bool sufficient, const char *vwap,
                        const char *notional, const char *best)
{
	char path[300];
	snprintf(path, sizeof(path), "/vwap?%s", query);
	struct resp r;
	fetch("GET", path, &r);
	ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j, "GET %s: not JSON: %s", path, r.body);
	const char *keys[] = {"filled", "vwap", "notional", "best"};
	const char *want[] = {filled, vwap, notional, best};
	for (int k = 0; k < 4; k++) {
		json_t *v = json_object_get(j, keys[k]);
		const char *got = json_is_string(v) ? json_string_value(v)
		                  : json_is_null(v) ? NULL
		                                    : "?";
		ck_assert_msg((!got && !want[k]) || (got && want[k] && strcmp(got, want[k]) == 0),
		              "GET %s: %s is %s, want %s", path, keys[k], got ? got : "null",
		              want[k] ? want[k] : "null");
	}
	ck_assert_msg(json_is_true(json_object_get(j, "sufficient")) == sufficient,
	              "GET %s: sufficient should be %d: %s", path, sufficient, r.body);
	json_decref(j);
	resp_free(&r);
}

START_TEST(vwap_walks_the_published_book_exactly)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	/* 30 @ 0.52 + 70 @ 0.55 = 54.1 */
	expect_vwap("asset_id=" ID_A "&side=BUY&size=100", "100", true, "0.541", "54.1", "0.52");
	/* 100 @ 0.48 + 20 @ 0.47 = 57.4; 57.4 / 120 = 0.4783333 */
	expect_vwap("asset_id=" ID_A "&side=SELL&size=120", "120", true, "0.478333", "57.4",
	            "0.48");
	/* all 150: 71.5 / 150 = 0.4766666 -> nearest micro-dollar */
	expect_vwap("asset_id=" ID_A "&side=sell&size=1000", "150", false, "0.476667", "71.5",
	            "0.48");
	expect_vwap("asset_id=" ID_A "&side=BUY&size=0.5", "0.5", true, "0.52", "0.26", "0.52");
	expect_vwap("asset_id=" ID_B "&side=BUY&size=10", "0", false, NULL, "0", NULL);
	expect("GET", "/vwap?asset_id=112&side=BUY&size=1", 404, "112");
	expect("GET", "/vwap?asset_id=1x&side=BUY&size=1", 400, "asset_id");
	expect("GET", "/vwap?side=BUY&size=1", 400, "asset_id");
	expect("GET", "/vwap?asset_id=111&side=HOLD&size=1", 400, "side");
	expect("GET", "/vwap?asset_id=111&size=1", 400, "side");
	expect("GET", "/vwap?asset_id=111&side=BUY&size=0", 400, "size");
	expect("GET", "/vwap?asset_id=111&side=BUY&size=-1", 400, "size");
	expect("GET", "/vwap?asset_id=111&side=BUY&size=1e3", 400, "size");
	expect("GET", "/vwap?asset_id=111&side=BUY&size=0.0000001", 400, "size");
	expect("GET", "/vwap?asset_id=111&side=BUY", 400, "size");
}
END_TEST

START_TEST(only_get_and_head_are_served)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	const char *methods[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
	for (int i = 0; i < 5; i++) {
		struct resp r;
		fetch(methods[i], "/metrics", &r);
		ck_assert_msg(r.status == 405, "%s /metrics: %ld", methods[i], r.status);
		ck_assert_msg(strstr(r.allow, "GET") && strstr(r.allow, "HEAD"),
		              "%s /metrics: Allow is \"%s\"", methods[i], r.allow);
		resp_free(&r);
	}
	expect("HEAD", "/metrics", 200, NULL);
}
END_TEST

START_TEST(healthz_follows_the_published_verdict)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	expect("GET", "/healthz", 200, "ok");
	publish(srv, SNAPSHOT, METRICS, false, "feed stalled: no frame for 12 s");
	expect("GET", "/healthz", 503, "feed stalled: no frame for 12 s");
	publish(srv, SNAPSHOT, METRICS, false, "bad\x1b[2Jbyte");
	expect("GET", "/healthz", 503, "bad?[2Jbyte");
	publish(srv, SNAPSHOT, METRICS, true, "connected, 2 assets fresh");
	expect("GET", "/healthz", 200, "connected, 2 assets fresh");
	expect("GET", "/metrics", 200, NULL); /* the other routes do not depend on health */
}
END_TEST

START_TEST(healthz_is_503_when_publishing_stops)
{
	struct httpd_config cfg = {.listen = "127.0.0.1:0", .max_publish_age_ns = 300 * NS_PER_MS};
	struct httpd *h = start(&cfg);
	publish(h, SNAPSHOT, METRICS, true, NULL);
	expect("GET", "/healthz", 200, "ok");
	clock_sleep_ns(600 * NS_PER_MS);
	expect("GET", "/healthz", 503, "no update published for");
	publish(h, SNAPSHOT, METRICS, true, NULL);
	expect("GET", "/healthz", 200, "ok");
	httpd_stop(h);
}
END_TEST

static void expect_listen(const char *spec, bool remote, bool ok, const char *msg)
{
	struct httpd_config cfg = {.listen = spec, .listen_remote = remote};
	char err[256] = "";
	int rc = httpd_check_listen(&cfg, err, sizeof(err));
	ck_assert_msg((rc == 0) == ok, "--listen %s (remote %d): check gave %d: %s", spec, remote,
	              rc, err);
	if (msg)
		ck_assert_msg(strstr(err, msg), "--listen %s: \"%s\" not in \"%s\"", spec, msg,
		              err);
	struct httpd *h = httpd_start(&cfg, err, sizeof(err));
	ck_assert_msg((h != NULL) == ok, "--listen %s (remote %d): start %s: %s", spec, remote,
	              h ? "succeeded" : "failed", err);
	httpd_stop(h);
}

START_TEST(non_loopback_needs_listen_remote)
{
	expect_listen("127.0.0.1:0", false, true, NULL);
	expect_listen("127.9.9.9:0", false, true, NULL);
	expect_listen("localhost:0", false, true, NULL);
	expect_listen("0", false, true, NULL);
	expect_listen("0.0.0.0:0", false, false, "--listen-remote");
	expect_listen("0.0.0.0:0", true, true, NULL);
	expect_listen("[::]:0", false, false, "--listen-remote");
	expect_listen("10.1.2.3:0", false, false, "loopback");
	expect_listen("example.com:80", true, false, "numeric");
	expect_listen("127.0.0.1:65536", false, false, "port");
	expect_listen("127.0.0.1:", false, false, "port");
	expect_listen("127.0.0.1:-1", false, false, "port");
	expect_listen(":80", false, false, "empty");
	expect_listen("", false, false, "ADDR:PORT");
	/* IPv6 loopback when the host has IPv6 */
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0)
		expect_listen("[::1]:0", false, true, NULL);
	if (fd >= 0)
		close(fd);
}
END_TEST

START_TEST(a_taken_port_is_an_error_naming_it)
{
	struct httpd_config cfg = {.listen = "127.0.0.1:0"};
	char spec[64], err[256] = "";
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", (unsigned)httpd_port(srv));
	cfg.listen = spec;
	ck_assert_ptr_null(httpd_start(&cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, spec) && strstr(err, "in use"), "error: %s", err);
}
END_TEST

static int connect_raw(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons(httpd_port(srv))};
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Bytes the server sends on fd within secs, until it closes; -1 when it keeps it open. */
static long read_until_close(int fd, double secs)
{
	int64_t end = clock_mono_ns() + (int64_t)(secs * NS_PER_S);
	long total = 0;
	char buf[4096];
	while (clock_mono_ns() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return total;
		total += n;
	}
	return -1;
}

static void wait_open(unsigned want)
{
	struct httpd_stats st;
	int64_t end = clock_mono_ns() + 10 * NS_PER_S;
	do {
		httpd_stats(srv, &st);
		if (st.conns_open == want)
			return;
		clock_sleep_ns(10 * NS_PER_MS);
	} while (clock_mono_ns() < end);
	ck_abort_msg("%u connections should be open, %llu are", want,
	             (unsigned long long)st.conns_open);
}

START_TEST(the_connection_limit_holds)
{
	httpd_stop(srv);
	struct httpd_config cfg = {.listen = "127.0.0.1:0", .max_conns = 8, .threads = 1};
	srv = start(&cfg);
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	int fds[8];
	for (int i = 0; i < 8; i++)
		fds[i] = connect_raw();
	wait_open(8);
	/* Over the limit the server stops accepting: the 9th waits in the kernel's backlog,
	 * unanswered, until a slot frees. */
	int extra = connect_raw();
	const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	ck_assert_int_eq(send(extra, req, sizeof(req) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(req) - 1);
	struct pollfd p = {.fd = extra, .events = POLLIN};
	ck_assert_msg(poll(&p, 1, 1000) == 0, "a 9th connection over a limit of 8 was served");
	struct httpd_stats st;
	httpd_stats(srv, &st);
	ck_assert_uint_eq(st.conns_open, 8);
	close(fds[0]);
	long got = read_until_close(extra, 10);
	ck_assert_msg(got > 0, "the waiting connection was not served once a slot freed (%ld)",
	              got);
	close(extra);
	for (int i = 1; i < 8; i++)
		close(fds[i]);
	wait_open(0);
	expect("GET", "/metrics", 200, NULL);
}
END_TEST

START_TEST(an_oversized_request_is_refused)
{
	publish(srv, SNAPSHOT, METRICS, true, NULL);
	int fd = connect_raw();
	char *req = malloc(HTTPD_REQUEST_MAX * 2 + 100);
	int n = sprintf(req, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ");
	memset(req + n, 'a', HTTPD_REQUEST_MAX * 2);
	n += HTTPD_REQUEST_MAX * 2;
	n += sprintf(req + n, "\r\n\r\n");
	(void)!send(fd, req, (size_t)n, MSG_NOSIGNAL);
	char buf[64] = "";
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ssize_t got = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_msg(got <= 0 || (strncmp(buf, "HTTP/1.1 4", 10) == 0),
	              "an oversized request got: %s", buf);
	close(fd);
	free(req);
	expect("GET", "/metrics", 200, NULL);
}
END_TEST

/* ---- publishing while reading: every answer is one whole published document ---- */

#define GEN_PAD 3000 /* bytes of padding, so a body takes several reads */

struct race {
	atomic_bool stop;   /* the publisher is done */
	atomic_int answers; /* answers checked */
	atomic_int bad;     /* answers that mixed documents */
	char bad_text[200]; /* the first bad answer's start */
};

static void make_docs(int gen, char **snap, char **metrics)
{
	char pad[GEN_PAD + 1];
	memset(pad, 'x', GEN_PAD);
	pad[GEN_PAD] = '\0';
	ck_assert_int_gt(asprintf(snap,
	                          "{\"assets\": [{\"asset_id\": \"" ID_A "\", \"label\": \"g%d\", "
	                          "\"pad\": \"%s\", \"bids\": [{\"price\": \"0.%03d\", \"size\": "
	                          "\"%d\"}], \"asks\": []}]}",
	                          gen, pad, gen % 1000, gen + 1),
	                 0);
	ck_assert_int_gt(asprintf(metrics, "gen %d\n%s\ngen %d\n", gen, pad, gen), 0);
}

/* The generation an answer shows at its start and at its end: equal when whole. */
static bool answer_whole(const struct resp *r, bool metrics)
{
	if (r->status != 200)
		return false;
	if (metrics) {
		int g1 = -1, g2 = -2;
		const char *last = strrchr(r->body, ' ');
		return sscanf(r->body, "gen %d", &g1) == 1 && last &&
		       sscanf(last, " %d", &g2) == 1 && g1 == g2;
	}
	const char *l = strstr(r->body, "\"label\": \"g"), *z = strstr(r->body, "\"size\": \"");
	return l && z && atoi(z + 9) == atoi(l + 11) + 1;
}

static void *reader(void *cls)
{
	struct race *rc = cls;
	for (int i = 0; !atomic_load(&rc->stop); i++) {
		struct resp r;
		bool metrics = i % 2;
		fetch("GET", metrics ? "/metrics" : "/book/" ID_A, &r);
		if (!answer_whole(&r, metrics) && atomic_fetch_add(&rc->bad, 1) == 0)
			snprintf(rc->bad_text, sizeof(rc->bad_text), "%ld %.150s", r.status,
			         r.body);
		atomic_fetch_add(&rc->answers, 1);
		resp_free(&r);
	}
	return NULL;
}

START_TEST(publishing_while_clients_read_never_mixes_documents)
{
	struct race rc = {0};
	char *snap, *metrics;
	make_docs(0, &snap, &metrics);
	publish(srv, snap, metrics, true, NULL);
	free(snap);
	free(metrics);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &rc), 0);
	int64_t end = clock_mono_ns() + 2 * NS_PER_S;
	int gen = 1;
	for (; clock_mono_ns() < end || atomic_load(&rc.answers) < 50; gen++) {
		make_docs(gen, &snap, &metrics);
		publish(srv, snap, metrics, gen % 2, NULL);
		free(snap);
		free(metrics);
		clock_sleep_ns(NS_PER_MS);
		ck_assert_msg(clock_mono_ns() < end + 20 * NS_PER_S, "readers got no answers");
	}
	atomic_store(&rc.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ck_assert_msg(rc.bad == 0, "%d of %d answers mixed documents, first: %s", rc.bad,
	              rc.answers, rc.bad_text);
	struct httpd_stats st;
	httpd_stats(srv, &st);
	ck_assert_uint_eq(st.publishes, (uint64_t)gen);
	ck_assert_uint_ge(st.requests, (uint64_t)rc.answers);
}
END_TEST

static Suite *httpd_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *tc = tcase_create("routes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nothing_published_is_503_and_unknown_paths_404);
	tcase_add_test(tc, metrics_and_snapshot_are_the_published_bytes);
	tcase_add_test(tc, book_is_the_snapshot_entry_and_bad_ids_are_400);
	tcase_add_test(tc, vwap_walks_the_published_book_exactly);
	tcase_add_test(tc, only_get_and_head_are_served);
	tcase_add_test(tc, healthz_follows_the_published_verdict);
	tcase_add_test(tc, healthz_is_503_when_publishing_stops);
	tcase_add_test(tc, non_loopback_needs_listen_remote);
	tcase_add_test(tc, a_taken_port_is_an_error_naming_it);
	tcase_add_test(tc, the_connection_limit_holds);
	tcase_add_test(tc, an_oversized_request_is_refused);
	tcase_add_test(tc, publishing_while_clients_read_never_mixes_documents);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	SRunner *sr = srunner_create(httpd_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
