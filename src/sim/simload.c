/*
 * simload: a minimal load client for clobsim: subscribes to every token the server
 * lists on /markets and counts the WebSocket messages it receives, to measure the
 * frames/s the server sustains.  A benchmark tool, not a test: it prints figures.
 *
 * Blocking sockets on 127.0.0.1 only; never runs longer than the seconds it is given.
 * Single-threaded.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/sbuf.h"
#include "sim/simclock.h"
#include "sim/ws.h"

static double now_s(void)
{
	return (double)sim_mono_ns() / 1e9;
}

static int dial(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("simload: connect");
		exit(1);
	}
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	while (n) {
		ssize_t w = send(fd, q, n, MSG_NOSIGNAL);
		if (w <= 0) {
			perror("simload: send");
			exit(1);
		}
		q += w;
		n -= (size_t)w;
	}
}

/* Every 78-digit run in /markets' answer is a token id. */
static void fetch_ids(int port, struct sbuf *ids)
{
	int fd = dial(port);
	char req[] = "GET /markets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	struct sbuf body = {0};
	int nids = 0;

	send_all(fd, req, sizeof req - 1);
	for (;;) {
		sbuf_reserve(&body, 65536);
		ssize_t n = read(fd, body.p + body.len, 65536);
		if (n <= 0)
			break;
		body.len += (size_t)n;
	}
	close(fd);
	sbuf_addc(&body, '\0');
	for (size_t i = 0; i + 78 <= body.len; i++) {
		size_t k = 0;
		while (i + k < body.len && body.p[i + k] >= '0' && body.p[i + k] <= '9')
			k++;
		if (k == 78) {
			if (nids++)
				sbuf_addc(ids, ',');
			sbuf_addc(ids, '"');
			sbuf_add(ids, body.p + i, 78);
			sbuf_addc(ids, '"');
		}
		i += k;
	}
	sbuf_free(&body);
	fprintf(stderr, "simload: %d token ids\n", nids);
}

static void send_text(int fd, const char *t, size_t n)
{
	uint8_t h[WS_MAX_HEADER];
	static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
	size_t hl = ws_frame_header(h, true, WS_OP_TEXT, n, key);
	uint8_t *p = malloc(hl + n);

	memcpy(p, h, hl);
	memcpy(p + hl, t, n);
	ws_mask(p + hl, n, key, 0);
	send_all(fd, p, hl + n);
	free(p);
}

int main(int argc, char **argv)
{
	int port, fd;
	double secs;
	struct sbuf ids = {0}, sub = {0}, in = {0};
	struct ws_rx rx;
	uint64_t msgs = 0, bytes = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: simload PORT SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	secs = atof(argv[2]);
	fetch_ids(port, &ids);

	fd = dial(port);
	static const char hs[] = "GET /ws/market HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	                         "Sec-WebSocket-Version: 13\r\n\r\n";
	send_all(fd, hs, sizeof hs - 1);
	SBUF_LIT(&sub, "{\"assets_ids\":[");
	sbuf_add(&sub, ids.p, ids.len);
	SBUF_LIT(&sub,
	         "],\"type\":\"market\",\"initial_dump\":true,\"custom_feature_enabled\":true}");
	send_text(fd, sub.p, sub.len);

	ws_rx_init(&rx, false, 256u << 20);
	bool head_done = false;
	double t0 = now_s(), tend = t0 + secs;
	while (now_s() < tend) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		sbuf_reserve(&in, 1 << 20);
		ssize_t n = read(fd, in.p + in.len, 1 << 20);
		if (n <= 0) {
			fprintf(stderr, "simload: connection closed\n");
			break;
		}
		in.len += (size_t)n;
		bytes += (uint64_t)n;
		if (!head_done) {
			char *e = memmem(in.p + in.off, sbuf_pending(&in), "\r\n\r\n", 4);
			if (!e)
				continue;
			sbuf_consume(&in, (size_t)(e + 4 - (in.p + in.off)));
			head_done = true;
		}
		for (;;) {
			struct ws_event ev;
			size_t used;
			int r = ws_rx_next(&rx, (uint8_t *)in.p + in.off, sbuf_pending(&in), &used,
			                   &ev);
			sbuf_consume(&in, used);
			if (r == WS_RX_NEED)
				break;
			if (r < 0) {
				fprintf(stderr, "simload: protocol error %d\n", -r);
				return 1;
			}
			if (ev.opcode == WS_OP_TEXT)
				msgs++;
		}
	}
	double el = now_s() - t0;
	printf("simload: %llu messages in %.2f s = %.0f msgs/s, %.1f MB/s\n",
	       (unsigned long long)msgs, el, (double)msgs / el, (double)bytes / el / 1e6);
	close(fd);
	ws_rx_free(&rx);
	sbuf_free(&ids);
	sbuf_free(&sub);
	sbuf_free(&in);
	return 0;
}
