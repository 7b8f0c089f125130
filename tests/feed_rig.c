/*
 * feed_rig: the helpers the feed tests share (see feed_rig.h).  Test processes only.
 */
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "feed_rig.h"

/* ---- the Python peer ---- */

int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The peer of the running test, so that a failed assertion (which exits the test's
 * process) still kills it and removes its record file. */
struct peer *current_peer;

/* Record files live here; rig_run() removes it, since a failed test's process ends with
 * _exit and cleans nothing. */
char tmpdir[32] = "/tmp/test_feed_XXXXXX";
const char *peer_count; /* --count for the next peer, NULL for the default */
const char *peer_size;  /* --size for the next peer, NULL for the default */
const char *peer_prog = "ws_peer.py";

void peer_atexit(void)
{
	if (current_peer)
		peer_kill(current_peer);
}

/* cert and key: serve wss:// with them; NULL for ws://. */
void peer_start_tls(struct peer *p, const char *script, const char *cert, const char *key)
{
	int fds[2];
	char script_path[512];
	snprintf(script_path, sizeof(script_path), "%s/tests/%s", TOP_SRCDIR, peer_prog);
	snprintf(p->record, sizeof(p->record), "%s/record_XXXXXX", tmpdir);
	int rfd = mkstemp(p->record);
	ck_assert_msg(rfd >= 0, "mkstemp failed: %s", strerror(errno));
	close(rfd);
	ck_assert_int_eq(pipe(fds), 0);
	pid_t parent = getpid();
	p->pid = fork();
	ck_assert_msg(p->pid >= 0, "fork failed");
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		const char *argv[] = {PYTHON3,
		                      script_path,
		                      "--script",
		                      script,
		                      "--record",
		                      p->record,
		                      "--count",
		                      peer_count ? peer_count : "5",
		                      "--size",
		                      peer_size ? peer_size : "10000",
		                      "--lifetime",
		                      "40",
		                      cert ? "--tls" : NULL,
		                      cert,
		                      key,
		                      NULL};
		execv(PYTHON3, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	current_peer = p;
	char line[32] = "";
	size_t len = 0;
	int64_t deadline = mono_ms() + 10000;
	while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
		int64_t left = deadline - mono_ms();
		struct pollfd pf = {.fd = fds[0], .events = POLLIN};
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			break;
		ssize_t r = read(fds[0], line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		line[len] = '\0';
	}
	close(fds[0]);
	p->port = atoi(line);
	if (p->port <= 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	ck_assert_msg(p->port > 0,
	              "ws_peer.py did not print its port (got \"%s\"); is "
	              "python3-websockets installed for " PYTHON3 "?",
	              line);
	snprintf(p->url, sizeof(p->url), "%s://127.0.0.1:%d/ws/market", cert ? "wss" : "ws",
	         p->port);
}

void peer_start(struct peer *p, const char *script, const char *count, const char *size)
{
	peer_count = count;
	peer_size = size;
	peer_start_tls(p, script, NULL, NULL);
	peer_count = peer_size = NULL;
}

void peer_kill(struct peer *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	if (p->record[0] == '/')
		unlink(p->record);
	if (current_peer == p)
		current_peer = NULL;
}

void lines_read(struct lines *l, const char *path)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	size_t cap = 1 << 16, len = 0;
	l->buf = malloc(cap);
	size_t r;
	while ((r = fread(l->buf + len, 1, cap - len - 1, fp)) > 0) {
		len += r;
		if (cap - len < 2) {
			cap *= 2;
			l->buf = realloc(l->buf, cap);
		}
	}
	fclose(fp);
	l->buf[len] = '\0';
	char *save = NULL;
	for (char *s = strtok_r(l->buf, "\n", &save); s && l->n < MAX_LINES;
	     s = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(s, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		l->conn[l->n] = atoi(s);
		l->text[l->n] = sp + 1;
		l->n++;
	}
}

void lines_free(struct lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

size_t lines_count(const struct lines *l, int conn, const char *prefix)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if ((conn == 0 || l->conn[i] == conn) &&
		    strncmp(l->text[i], prefix, strlen(prefix)) == 0)
			k++;
	return k;
}

/* Waits until the record holds at least want lines of conn starting with prefix. */
bool lines_wait(struct lines *l, const char *path, int conn, const char *prefix, size_t want)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	for (;;) {
		lines_read(l, path);
		if (lines_count(l, conn, prefix) >= want)
			return true;
		if (mono_ms() > deadline)
			return false;
		usleep(20000);
	}
}

/* ---- the data ring, as the UI would read it ---- */

void col_drain(struct col *c)
{
	struct ring_rec rec;
	ring_wake_drain(c->ring);
	while (ring_peek(c->ring, &rec)) {
		if (c->n < MAX_GOT) {
			struct got *g = &c->v[c->n++];
			memset(g, 0, sizeof(*g));
			g->kind = rec.kind;
			g->flags = rec.flags;
			g->t_real_ns = rec.t_real_ns;
			g->t_mono_ns = rec.t_mono_ns;
			if (rec.kind == REC_CONN && rec.len == sizeof(g->ev)) {
				memcpy(&g->ev, rec.data, sizeof(g->ev));
			} else {
				g->data = malloc(rec.len + 1);
				memcpy(g->data, rec.data, rec.len);
				g->data[rec.len] = '\0';
				g->len = rec.len;
			}
		}
		ring_release(c->ring);
	}
}

void col_free(struct col *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].data);
	c->n = 0;
}

/* Index of the nth (1-based) conn event of kind, or -1. */
int col_find_conn(const struct col *c, enum conn_kind kind, int nth)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == REC_CONN && c->v[i].ev.kind == (int32_t)kind && --nth == 0)
			return (int)i;
	return -1;
}

int col_find_frame(const struct col *c, const char *text, int nth)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == REC_FRAME && strcmp(c->v[i].data, text) == 0 && --nth == 0)
			return (int)i;
	return -1;
}

int col_count_conn(const struct col *c, enum conn_kind kind)
{
	int k = 0;
	for (size_t i = 0; i < c->n; i++)
		k += c->v[i].kind == REC_CONN && c->v[i].ev.kind == (int32_t)kind;
	return k;
}

void col_wait(struct col *c, int ms)
{
	struct pollfd pf = {.fd = ring_wake_fd(c->ring), .events = POLLIN};
	poll(&pf, 1, ms);
	col_drain(c);
}

int wait_conn(struct col *c, enum conn_kind kind, int nth)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	int i;
	while ((i = col_find_conn(c, kind, nth)) < 0 && mono_ms() < deadline)
		col_wait(c, 50);
	return i;
}

int wait_frame(struct col *c, const char *text)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	int i;
	while ((i = col_find_frame(c, text, 1)) < 0 && mono_ms() < deadline)
		col_wait(c, 50);
	return i;
}

/* Keeps collecting for ms (used only to show that something does NOT happen). */
void col_linger(struct col *c, int ms)
{
	int64_t deadline = mono_ms() + ms;
	while (mono_ms() < deadline)
		col_wait(c, 20);
}

const char *kind_at(const struct col *c, int i)
{
	if (i < 0 || (size_t)i >= c->n)
		return "(none)";
	if (c->v[i].kind != REC_CONN)
		return "(frame)";
	return conn_kind_name((enum conn_kind)c->v[i].ev.kind);
}

/* ---- a running feed ---- */

void rig_config(struct rig *r, size_t nids)
{
	memset(r, 0, sizeof(*r));
	feed_config_defaults(&r->cfg);
	r->cfg.batch = 100;
	r->cfg.ping_ms = 200;
	r->cfg.dead_ms = 3000;
	r->cfg.freeze_ms = 60000;
	r->cfg.max_message = 1 << 20;
	r->cfg.backoff_min_ms = 50;
	r->cfg.backoff_max_ms = 400;
	r->cfg.healthy_ms = 60000;
	r->nids = nids;
	r->ids = calloc(nids + 1, sizeof(char *));
	for (size_t i = 0; i < nids; i++) {
		r->ids[i] = malloc(80);
		/* 77-digit ids, like real token ids. */
		snprintf(r->ids[i], 80, "%077zu", 1000 + i);
	}
	r->cfg.assets = (const char *const *)r->ids;
	r->cfg.nassets = nids;
	r->data = ring_create(1 << 22);
	r->cmd = ring_create(1 << 16);
	ck_assert_ptr_nonnull(r->data);
	ck_assert_ptr_nonnull(r->cmd);
	r->col = calloc(1, sizeof(*r->col));
	r->col->ring = r->data;
}

void rig_start(struct rig *r)
{
	char err[256] = "";
	if (!r->cfg.url || strncmp(r->cfg.url, "wss://ws-sub", 12) == 0)
		r->cfg.url = r->peer.url;
	r->feed = feed_start(&r->cfg, r->data, r->cmd, err, sizeof(err));
	ck_assert_msg(r->feed != NULL, "feed_start failed: %s", err);
}

void rig_stop(struct rig *r)
{
	if (r->feed)
		feed_stop(r->feed);
	r->feed = NULL;
	col_drain(r->col);
}

void rig_free(struct rig *r)
{
	rig_stop(r);
	peer_kill(&r->peer);
	col_free(r->col);
	free(r->col);
	lines_free(&r->lines);
	ring_destroy(r->data);
	ring_destroy(r->cmd);
	for (size_t i = 0; i < r->nids; i++)
		free(r->ids[i]);
	free(r->ids);
}

/* The assets_ids of a recorded frame, appended to out (NULL: just count). */
long frame_ids(const char *text, const char *want_shape, char **out, size_t *nout)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		return -1;
	long n = -1;
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *op = json_string_value(json_object_get(j, "operation"));
	bool ok = strcmp(want_shape, "initial") == 0
	              ? type && strcmp(type, "market") == 0 && !op &&
	                    json_is_true(json_object_get(j, "initial_dump"))
	              : op && strcmp(op, want_shape) == 0 && !type;
	json_t *a = json_object_get(j, "assets_ids");
	if (ok && json_is_array(a)) {
		n = (long)json_array_size(a);
		for (size_t i = 0; out && i < json_array_size(a); i++)
			out[(*nout)++] = strdup(json_string_value(json_array_get(a, i)));
	}
	json_decref(j);
	return n;
}

int rig_run(Suite *s)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atexit(peer_atexit);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists each test */
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	DIR *d = opendir(tmpdir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300];
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		if (e->d_name[0] != '.')
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
