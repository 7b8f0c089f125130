/*
 * demo: the --demo clobsim child (see demo.h).
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define PORT_WAIT_NS (10 * NS_PER_S) /* clobsim must report its port within this */
#define STOP_WAIT_NS NS_PER_S        /* SIGTERM grace before SIGKILL */

static volatile sig_atomic_t child_pid; /* 0 when none */

void demo_kill(void)
{
	pid_t pid = (pid_t)child_pid;
	if (pid > 0)
		kill(pid, SIGTERM);
}

void demo_stop(void)
{
	pid_t pid = (pid_t)child_pid;
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	int64_t deadline = clock_mono_ns() + STOP_WAIT_NS;
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (clock_mono_ns() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	child_pid = 0;
}

/* Where clobsim lives: --sim, next to this binary, or on PATH. */
static void find_sim(const char *sim_path, char *path, size_t cap)
{
	if (sim_path) {
		snprintf(path, cap, "%s", sim_path);
		return;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, cap, "%s/clobsim", self);
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, cap, "clobsim");
}

/* In the child: never outlive the parent, stdout into the pipe, then clobsim. */
static void exec_sim(const char *sim, const char *assets, int pfd[2], pid_t parent)
{
	/* The kernel sends SIGTERM when the forking thread (main) dies, however it dies;
	 * a parent that died before this line is caught by the getppid check. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	dup2(pfd[1], STDOUT_FILENO);
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDERR_FILENO);
	}
	close(pfd[0]);
	close(pfd[1]);
	/* Lively, with something for every pane now and then: a market that never trades
	 * (stale), a transient cross, a withheld update (drift, then resync), a garbage
	 * frame, and a disconnect every few minutes. */
	execlp(sim, sim, "--port", "0", "--markets", "12", "--rate", "300", "--quiet-markets", "1",
	       "--cross-every", "4000", "--drop-every", "6000", "--garbage-every", "30000",
	       "--close-every", "180", "--assets-out", assets, (char *)NULL);
	_exit(127);
}

/* Reads "clobsim: listening on 127.0.0.1:PORT" from fd; 0 when it did not come. */
static int read_port(int fd, volatile sig_atomic_t *quit)
{
	static const char tag[] = "listening on 127.0.0.1:";
	char buf[512];
	size_t len = 0;
	int64_t deadline = clock_mono_ns() + PORT_WAIT_NS;
	while (clock_mono_ns() < deadline && !(quit && *quit)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return 0;
		len += (size_t)n;
		buf[len] = '\0';
		const char *at = strstr(buf, tag);
		if (at && strchr(at, '\n'))
			return atoi(at + strlen(tag));
		if (len == sizeof(buf) - 1)
			return 0;
	}
	return 0;
}

static int fail(const char *sim, volatile sig_atomic_t *quit, char *err, size_t errlen)
{
	int status;
	pid_t pid = (pid_t)child_pid;
	if (quit && *quit)
		snprintf(err, errlen, "--demo: interrupted while starting %s", sim);
	else if (waitpid(pid, &status, WNOHANG) == pid && WIFEXITED(status) &&
	         WEXITSTATUS(status) == 127) {
		child_pid = 0;
		snprintf(
		    err, errlen,
		    "--demo could not run %s: is clobsim installed next to clobtop? (--sim PATH)",
		    sim);
	} else
		snprintf(err, errlen, "--demo: %s did not report its port within 10 s", sim);
	demo_stop();
	return -1;
}

int demo_start(const char *sim_path, struct asset_list *assets, struct demo_endpoints *out,
               volatile sig_atomic_t *quit, char *err, size_t errlen)
{
	static bool registered;
	char sim[PATH_MAX + 16];
	find_sim(sim_path, sim, sizeof(sim));
	char tmp[] = "/tmp/clobtop-demo-assets.XXXXXX";
	int afd = mkstemp(tmp);
	int pfd[2] = {-1, -1};
	if (afd < 0 || pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "--demo: %s", strerror(errno));
		if (afd >= 0)
			close(afd), unlink(tmp);
		return -1;
	}
	close(afd);
	if (!registered)
		registered = atexit(demo_stop) == 0;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		exec_sim(sim, tmp, pfd, parent);
	close(pfd[1]);
	if (pid < 0) {
		snprintf(err, errlen, "--demo: fork: %s", strerror(errno));
		close(pfd[0]);
		unlink(tmp);
		return -1;
	}
	child_pid = pid;
	int port = read_port(pfd[0], quit);
	close(pfd[0]);
	if (!port) {
		unlink(tmp);
		return fail(sim, quit, err, errlen);
	}
	snprintf(out->url, sizeof(out->url), "ws://127.0.0.1:%d/ws/market", port);
	snprintf(out->gamma_url, sizeof(out->gamma_url), "http://127.0.0.1:%d", port);
	int rc = assets->n ? 0 : assetlist_read_file(assets, tmp, err, errlen);
	unlink(tmp);
	if (rc != 0)
		demo_stop();
	return rc;
}
