/*
 * httpd_serve: the HTTP API alone, for tests/httpd_slow.py.  Serves the snapshot and
 * metrics files given, republishing them every --interval-ms as the UI thread would, and
 * times every httpd_publish().  Commands on stdin, one per line:
 *   stats   prints "stats publishes=N max_publish_us=N conns_open=N conns_total=N
 *           requests=N" and resets the maximum
 *   quit    (or end of input) stops the server and exits 0
 * Prints "listening on 127.0.0.1:PORT" once ready.  Exits by itself after --deadline-s.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "httpd.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	char *p = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = (*len + 65536) * 2;
			p = realloc(p, cap);
			if (!p)
				exit(2);
		}
		size_t n = fread(p + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return p;
}

static void usage(void)
{
	fprintf(stderr, "usage: httpd_serve SNAPSHOT METRICS MAX_CONNS INTERVAL_MS DEADLINE_S\n");
	exit(2);
}

/* Returns false at "quit" or end of input. */
static bool command(struct httpd *h, int64_t *max_ns)
{
	char line[64];
	if (!fgets(line, sizeof(line), stdin) || strncmp(line, "quit", 4) == 0)
		return false;
	if (strncmp(line, "stats", 5) == 0) {
		struct httpd_stats st;
		httpd_stats(h, &st);
		printf("stats publishes=%llu max_publish_us=%lld conns_open=%llu conns_total=%llu "
		       "requests=%llu\n",
		       (unsigned long long)st.publishes, (long long)(*max_ns / NS_PER_US),
		       (unsigned long long)st.conns_open, (unsigned long long)st.conns_total,
		       (unsigned long long)st.requests);
		fflush(stdout);
		*max_ns = 0;
	}
	return true;
}

int main(int argc, char **argv)
{
	if (argc != 6)
		usage();
	struct httpd_doc doc = {.healthy = true, .reason = "ok"};
	doc.snapshot = slurp(argv[1], &doc.snapshot_len);
	doc.metrics = slurp(argv[2], &doc.metrics_len);
	struct httpd_config cfg = {.listen = "127.0.0.1:0", .max_conns = (unsigned)atoi(argv[3])};
	int64_t interval = atoll(argv[4]) * NS_PER_MS;
	int64_t deadline = clock_mono_ns() + atoll(argv[5]) * NS_PER_S;
	char err[256];
	struct httpd *h = httpd_start(&cfg, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "httpd_serve: %s\n", err);
		return 1;
	}
	printf("listening on 127.0.0.1:%u\n", (unsigned)httpd_port(h));
	fflush(stdout);
	int64_t max_ns = 0, next = clock_mono_ns();
	bool run = true;
	while (run && clock_mono_ns() < deadline) {
		int64_t now = clock_mono_ns();
		if (now >= next) {
			int64_t t0 = clock_mono_ns();
			if (httpd_publish(h, &doc) != 0)
				fprintf(stderr, "httpd_serve: publish failed\n");
			int64_t took = clock_mono_ns() - t0;
			max_ns = took > max_ns ? took : max_ns;
			next = now + interval;
		}
		struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
		int wait_ms = (int)((next - clock_mono_ns()) / NS_PER_MS);
		if (poll(&p, 1, wait_ms > 0 ? wait_ms : 0) > 0)
			run = command(h, &max_ns);
	}
	httpd_stop(h);
	free((char *)doc.snapshot);
	free((char *)doc.metrics);
	return 0;
}
