/*
 * ws_ceiling: the raw ceiling of the loopback path, for comparison with clobtop.
 *
 * A minimal market-channel reader: libcurl with CURLOPT_CONNECT_ONLY=2, one subscription
 * frame, then curl_ws_recv in a poll() loop that counts complete messages and bytes and
 * parses nothing.  Against `clobsim --rate max` its rate is the most any client on this
 * machine could receive (clobsim's generator included), so clobtop's sustained rate is
 * reported as a fraction of it.
 *
 * Usage: ws_ceiling --url ws://127.0.0.1:PORT/ws/market --assets-file FILE
 *                   [--seconds S] [--warmup S] [--json FILE]
 * Must never: connect anywhere but the URL given, or run longer than warmup + seconds + 10 s.
 */
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECV_BUF (1u << 20) /* bytes per curl_ws_recv call */

struct counts {
	unsigned long long msgs;  /* complete messages */
	unsigned long long bytes; /* payload bytes */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The initial subscription from a clobsim --assets-out file ("ID label" per line). */
static char *subscription(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	char line[4096];
	len =
	    (size_t)snprintf(s, cap, "{\"type\":\"market\",\"initial_dump\":true,\"assets_ids\":[");
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		size_t id = strspn(line, "0123456789");
		if (!id)
			continue;
		if (len + id + 8 > cap) {
			cap = cap * 2 + id;
			s = realloc(s, cap);
		}
		len += (size_t)snprintf(s + len, cap - len, "%s\"%.*s\"", n++ ? "," : "", (int)id,
		                        line);
	}
	fclose(f);
	if (len + 64 > cap)
		s = realloc(s, cap = len + 64);
	snprintf(s + len, cap - len, "],\"custom_feature_enabled\":true}");
	return s;
}

static int send_all(CURL *c, const char *msg)
{
	size_t off = 0, len = strlen(msg);
	double give_up = now_s() + 5;
	while (off < len && now_s() < give_up) {
		size_t sent = 0;
		CURLcode rc = curl_ws_send(c, msg + off, len - off, &sent, 0, CURLWS_TEXT);
		if (rc == CURLE_AGAIN)
			continue;
		if (rc != CURLE_OK) {
			fprintf(stderr, "ws_ceiling: send: %s\n", curl_easy_strerror(rc));
			return -1;
		}
		off += sent;
	}
	return off == len ? 0 : -1;
}

/* Receives until `until`; counts into *c only after `from`.  Returns -1 on a dead socket. */
static int receive(CURL *c, curl_socket_t fd, char *buf, double from, double until,
                   struct counts *n)
{
	while (now_s() < until) {
		size_t got = 0;
		const struct curl_ws_frame *meta = NULL;
		CURLcode rc = curl_ws_recv(c, buf, RECV_BUF, &got, &meta);
		if (rc == CURLE_AGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			poll(&p, 1, 100);
			continue;
		}
		if (rc != CURLE_OK) {
			fprintf(stderr, "ws_ceiling: recv: %s\n", curl_easy_strerror(rc));
			return -1;
		}
		if (!meta || !(meta->flags & (CURLWS_TEXT | CURLWS_BINARY | CURLWS_CONT)))
			continue; /* ping, pong, close */
		if (now_s() < from)
			continue;
		n->bytes += got;
		if (meta->bytesleft == 0 && !(meta->flags & CURLWS_CONT))
			n->msgs++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = NULL, *assets = NULL, *json_out = NULL;
	double secs = 5, warmup = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--assets-file"))
			assets = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			secs = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--warmup"))
			warmup = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--json"))
			json_out = argv[i + 1];
	}
	if (!url || !assets || secs <= 0 || secs > 600 || warmup < 0 || warmup > 60) {
		fprintf(stderr, "usage: ws_ceiling --url URL --assets-file FILE [--seconds S] "
		                "[--warmup S] [--json FILE]\n");
		return 2;
	}
	char *sub = subscription(assets);
	if (!sub)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 2L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		fprintf(stderr, "ws_ceiling: connect %s: %s\n", url, curl_easy_strerror(rc));
		return 1;
	}
	curl_socket_t fd = CURL_SOCKET_BAD;
	curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &fd);
	if (send_all(c, sub) != 0)
		return 1;
	char *buf = malloc(RECV_BUF);
	struct counts n = {0};
	double t0 = now_s();
	int ok = receive(c, fd, buf, t0 + warmup, t0 + warmup + secs, &n);
	double dt = now_s() - (t0 + warmup);
	double rate = (double)n.msgs / dt;
	printf("ws_ceiling: %llu messages, %llu bytes in %.2f s: %.0f msgs/s, %.1f MB/s%s\n",
	       n.msgs, n.bytes, dt, rate, (double)n.bytes / dt / 1e6,
	       ok ? " (connection lost)" : "");
	if (json_out) {
		FILE *o = fopen(json_out, "w");
		if (o) {
			fprintf(
			    o,
			    "{\"msgs\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"msgs_per_s\":%.0f,"
			    "\"mb_per_s\":%.2f,\"lost\":%s}\n",
			    n.msgs, n.bytes, dt, rate, (double)n.bytes / dt / 1e6,
			    ok ? "true" : "false");
			fclose(o);
		}
	}
	free(buf);
	free(sub);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return ok ? 1 : 0;
}
