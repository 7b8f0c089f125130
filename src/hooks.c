/*
 * hooks: the --on-alert runner thread (see hooks.h).  Starts children with posix_spawn
 * (no code runs between fork and exec), each in its own process group so a timeout
 * kills the whole pipeline the shell started.
 */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ring.h"

extern char **environ;

#define RATE_WINDOW_NS (60 * NS_PER_S)

struct child {
	pid_t pid;          /* 0 when none runs for this kind */
	int64_t start_ns;   /* CLOCK_MONOTONIC */
	bool killed;        /* the timeout fired */
	char kind_name[24]; /* for the result */
};

struct hooks {
	char *cmd;                          /* --on-alert */
	int rate;                           /* starts per minute */
	int64_t timeout_ns;                 /* per hook */
	struct ring *in, *out;              /* alerts in, results out */
	int stop_fd;                        /* eventfd */
	atomic_bool stopping;               /* hooks_stop was called */
	pthread_t thread;                   /* the runner */
	struct child child[HOOK_KINDS_MAX]; /* hook thread only */
	int64_t *starts;                    /* ring of the last `rate` start times */
	int nstart;                         /* index of the oldest start in starts */
	atomic_uint_fast64_t submitted, started, failed, skipped; /* hooks_stats */
};

static const char *const outcome_names[] = {
#define X(e, s) s,
    HOOK_OUTCOMES(X)
#undef X
};

const char *hook_outcome_name(enum hook_outcome o)
{
	return (unsigned)o < HOOK_OUTCOME_COUNT ? outcome_names[o] : "?";
}

static void count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void report(struct hooks *h, uint32_t kind, const char *kind_name, enum hook_outcome o,
                   int status, int64_t ms, const char *detail)
{
	struct hook_result r = {.kind = kind, .outcome = o, .status = status, .duration_ms = ms};
	snprintf(r.kind_name, sizeof(r.kind_name), "%s", kind_name);
	if (o == HOOK_EXIT || o == HOOK_SIGNAL)
		snprintf(r.text, sizeof(r.text),
		         "alert hook for %s %s (%s %d) after %" PRId64 " ms", kind_name,
		         hook_outcome_name(o), o == HOOK_EXIT ? "exit status" : "signal", status,
		         ms);
	else
		snprintf(r.text, sizeof(r.text), "alert hook for %s %s%s%s", kind_name,
		         hook_outcome_name(o), detail ? ": " : "", detail ? detail : "");
	if (o != HOOK_OK && o != HOOK_BUSY && o != HOOK_RATE)
		count(&h->failed);
	if (o == HOOK_BUSY || o == HOOK_RATE)
		count(&h->skipped);
	struct ring_rec rec = {.len = sizeof(r), .kind = 1, .data = &r};
	ring_push(h->out, &rec);
}

static void rfc3339_ms(int64_t ns, char *buf, size_t cap)
{
	time_t s = (time_t)(ns / NS_PER_S);
	struct tm tm;
	gmtime_r(&s, &tm);
	char t[32];
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%03dZ", t, (int)(ns % NS_PER_S / NS_PER_MS));
}

/* The child's environment: ours without CLOBTOP_ALERT_*, plus the alert's. */
static char **build_env(const struct hook_alert *a, const char *when, char *store, size_t cap)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 8, sizeof(*env));
	if (!env)
		return NULL;
	size_t k = 0, used = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CLOBTOP_ALERT_", 14) != 0)
			env[k++] = environ[i];
	char ms[24];
	snprintf(ms, sizeof(ms), "%" PRId64, a->t_real_ns / NS_PER_MS);
	const char *kv[][2] = {
	    {"KIND", a->kind_name}, {"SEVERITY", a->severity}, {"ASSET_ID", a->asset_id},
	    {"LABEL", a->label},    {"MESSAGE", a->message},   {"TIME", when},
	    {"TIME_MS", ms}};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		int w =
		    snprintf(store + used, cap - used, "CLOBTOP_ALERT_%s=%s", kv[i][0], kv[i][1]);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		env[k++] = store + used;
		used += (size_t)w + 1;
	}
	env[k] = NULL;
	return env;
}

static char *alert_json(const struct hook_alert *a, const char *when)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "kind", a->kind_name, "severity",
	              a->severity, "asset_id", a->asset_id, "label", a->label, "message",
	              a->message, "time", when, "time_ms", (json_int_t)(a->t_real_ns / NS_PER_MS));
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

/* Starts CMD for alert a; returns the pid or -1 (errno set). */
static pid_t spawn(struct hooks *h, const struct hook_alert *a)
{
	char when[40], store[1024];
	rfc3339_ms(a->t_real_ns, when, sizeof(when));
	char **env = build_env(a, when, store, sizeof(store));
	char *json = alert_json(a, when);
	int p[2] = {-1, -1}, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid = -1;
	int e = ENOMEM;
	if (env && json && null >= 0 && pipe2(p, O_CLOEXEC) == 0) {
		posix_spawn_file_actions_t fa;
		posix_spawnattr_t at;
		sigset_t none, def;
		sigemptyset(&none);
		sigemptyset(&def);
		sigaddset(&def, SIGPIPE); /* clobtop ignores it; the hook must not */
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, p[0], 0);
		posix_spawn_file_actions_adddup2(&fa, null, 1);
		posix_spawn_file_actions_adddup2(&fa, null, 2);
		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
		                                  POSIX_SPAWN_SETSIGDEF);
		posix_spawnattr_setpgroup(&at, 0);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &def);
		char *argv[] = {"/bin/sh", "-c", h->cmd, NULL};
		e = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env);
		if (e != 0)
			pid = -1;
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
		close(p[0]);
		/* The alert is far smaller than a pipe buffer: this never blocks. */
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		if (pid > 0 && write(p[1], json, strlen(json)) < 0 && errno == EPIPE) {
			/* The hook exited without reading (its exit status tells).  SIGPIPE is
			 * blocked in this thread (hooks_main): take the pending one off. */
			sigset_t pipe_set;
			sigemptyset(&pipe_set);
			sigaddset(&pipe_set, SIGPIPE);
			struct timespec zero = {0, 0};
			sigtimedwait(&pipe_set, NULL, &zero);
		}
		close(p[1]);
	} else if (null >= 0 || env) {
		e = errno;
	}
	if (null >= 0)
		close(null);
	free(env);
	free(json);
	errno = e;
	return pid;
}

static bool rate_ok(struct hooks *h, int64_t now)
{
	int64_t oldest = h->starts[h->nstart];
	if (oldest && now - oldest < RATE_WINDOW_NS)
		return false;
	h->starts[h->nstart] = now;
	h->nstart = (h->nstart + 1) % h->rate;
	return true;
}

static void take_alert(struct hooks *h, const struct hook_alert *a)
{
	uint32_t k = a->kind < HOOK_KINDS_MAX ? a->kind : HOOK_KINDS_MAX - 1;
	struct child *c = &h->child[k];
	int64_t now = clock_mono_ns();
	if (c->pid > 0) {
		report(h, a->kind, a->kind_name, HOOK_BUSY, 0, 0, NULL);
		return;
	}
	if (!rate_ok(h, now)) {
		report(h, a->kind, a->kind_name, HOOK_RATE, 0, 0, NULL);
		return;
	}
	pid_t pid = spawn(h, a);
	if (pid < 0) {
		report(h, a->kind, a->kind_name, HOOK_SPAWN, 0, 0, strerror(errno));
		return;
	}
	count(&h->started);
	*c = (struct child){.pid = pid, .start_ns = now};
	snprintf(c->kind_name, sizeof(c->kind_name), "%s", a->kind_name);
}

/* Reaps finished hooks and kills those past their time; returns ms until the next check. */
static int64_t tend_children(struct hooks *h)
{
	int64_t now = clock_mono_ns(), next = 1000;
	for (uint32_t k = 0; k < HOOK_KINDS_MAX; k++) {
		struct child *c = &h->child[k];
		if (c->pid <= 0)
			continue;
		int st;
		int64_t ms = (now - c->start_ns) / NS_PER_MS;
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			enum hook_outcome o = c->killed         ? HOOK_TIMEOUT
			                      : WIFSIGNALED(st) ? HOOK_SIGNAL
			                      : WEXITSTATUS(st) ? HOOK_EXIT
			                                        : HOOK_OK;
			char d[48];
			snprintf(d, sizeof(d), "killed after %" PRId64 " ms", ms);
			report(h, k, c->kind_name, o,
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), ms,
			       o == HOOK_TIMEOUT ? d : NULL);
			c->pid = 0;
			continue;
		}
		if (!c->killed && now - c->start_ns >= h->timeout_ns) {
			kill(-c->pid, SIGKILL);
			c->killed = true;
		}
		next = 20; /* a child is running: look again soon */
	}
	return next;
}

static void *hooks_main(void *arg)
{
	struct hooks *h = arg;
	/* A hook that exits before reading its alert must not kill the whole process with
	 * SIGPIPE: the write then fails with EPIPE instead (the signal is thread-directed). */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	while (!atomic_load(&h->stopping)) {
		int64_t wait = tend_children(h);
		struct pollfd fds[2] = {{ring_wake_fd(h->in), POLLIN, 0}, {h->stop_fd, POLLIN, 0}};
		poll(fds, 2, (int)wait);
		ring_wake_drain(h->in);
		struct ring_rec rec;
		while (ring_peek(h->in, &rec)) {
			struct hook_alert a;
			memcpy(&a, rec.data, sizeof(a));
			ring_release(h->in);
			take_alert(h, &a);
		}
	}
	for (uint32_t k = 0; k < HOOK_KINDS_MAX; k++)
		if (h->child[k].pid > 0) {
			kill(-h->child[k].pid, SIGKILL);
			waitpid(h->child[k].pid, NULL, 0);
		}
	return NULL;
}

static void destroy(struct hooks *h)
{
	if (h->in)
		ring_destroy(h->in);
	if (h->out)
		ring_destroy(h->out);
	if (h->stop_fd >= 0)
		close(h->stop_fd);
	free(h->starts);
	free(h->cmd);
	free(h);
}

struct hooks *hooks_start(const struct hooks_config *c, char *err, size_t errlen)
{
	struct hooks *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "--on-alert: out of memory");
		return NULL;
	}
	h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	h->rate = c->rate_per_min > 0 ? c->rate_per_min : 30;
	h->timeout_ns = (c->timeout_ms > 0 ? c->timeout_ms : 10000) * NS_PER_MS;
	h->cmd = strdup(c->cmd ? c->cmd : "");
	h->starts = calloc((size_t)h->rate, sizeof(*h->starts));
	h->in = ring_create(64 * 1024);
	h->out = ring_create(64 * 1024);
	if (h->stop_fd < 0 || !h->cmd || !h->starts || !h->in || !h->out ||
	    pthread_create(&h->thread, NULL, hooks_main, h) != 0) {
		snprintf(err, errlen, "--on-alert: cannot start the hook runner: %s",
		         strerror(errno));
		destroy(h);
		return NULL;
	}
	return h;
}

void hooks_stop(struct hooks *h)
{
	if (!h)
		return;
	atomic_store(&h->stopping, true);
	uint64_t one = 1;
	if (write(h->stop_fd, &one, sizeof(one)) < 0) {
		/* cannot fail on an eventfd far from full; the thread also wakes within 1 s */
	}
	pthread_join(h->thread, NULL);
	destroy(h);
}

bool hooks_submit(struct hooks *h, const struct hook_alert *a)
{
	count(&h->submitted);
	struct ring_rec rec = {.len = sizeof(*a), .kind = 1, .data = a};
	if (ring_push(h->in, &rec))
		return true;
	count(&h->skipped);
	return false;
}

bool hooks_result(struct hooks *h, struct hook_result *out)
{
	struct ring_rec rec;
	if (!ring_peek(h->out, &rec))
		return false;
	memcpy(out, rec.data, sizeof(*out));
	ring_release(h->out);
	return true;
}

void hooks_stats(struct hooks *h, struct hooks_stats *o)
{
	o->submitted = atomic_load_explicit(&h->submitted, memory_order_relaxed);
	o->started = atomic_load_explicit(&h->started, memory_order_relaxed);
	o->failed = atomic_load_explicit(&h->failed, memory_order_relaxed);
	o->skipped = atomic_load_explicit(&h->skipped, memory_order_relaxed);
}
