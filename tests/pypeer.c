/* pypeer: see pypeer.h. */
#include "pypeer.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pypeer_start(char *const argv[], pid_t *pid, int wait_ms)
{
	int fds[2];
	*pid = -1;
	if (pipe(fds) != 0)
		return 0;
	*pid = fork();
	if (*pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	char line[32] = "";
	size_t used = 0;
	long long deadline = mono_ms() + wait_ms;
	while (*pid > 0 && used < sizeof(line) - 1 && !strchr(line, '\n') && mono_ms() < deadline) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = read(fds[0], line + used, sizeof(line) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		line[used] = '\0';
	}
	close(fds[0]);
	int port = atoi(line);
	if (port <= 0 || port > 65535) {
		pypeer_stop(pid);
		return 0;
	}
	return port;
}

void pypeer_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}
