/*
 * clients: GET /clients, the test suite's map of clobsim's market-channel connections:
 * each connection's id (the one GET /fault?client=N and --fault-client name), the tokens
 * it subscribed, how many of them it serves (at most --max-per-conn), and the most asset
 * ids it sent in one frame.
 *
 * Reads the server state and writes JSON into a buffer; never touches a socket.  Called
 * only from the poll loop (clobsim is single-threaded).
 */
#include "server.h"

#include <stdio.h>

static void client_json(struct server *s, const struct client *c, struct sbuf *b)
{
	char tmp[256];
	snprintf(tmp, sizeof tmp,
	         "{\"id\":%llu,\"assets\":%d,\"served\":%d,\"over_cap\":%d,"
	         "\"max_ids_in_frame\":%zu,\"data_sent\":%llu,\"stalled\":%s,\"frozen\":%s,"
	         "\"tokens\":[",
	         (unsigned long long)c->id, c->nserved + c->nover, c->nserved, c->nover, c->max_ids,
	         (unsigned long long)c->data_sent, c->stalled ? "true" : "false",
	         c->frozen ? "true" : "false");
	sbuf_adds(b, tmp);
	bool first = true;
	for (int t = 0; c->sub && t < s->gen.nmarkets * 2; t++) {
		if (!c->sub[t])
			continue;
		if (!first)
			sbuf_addc(b, ',');
		first = false;
		sbuf_addc(b, '"');
		sbuf_adds(b, s->gen.m[t / 2].token[t % 2]);
		sbuf_addc(b, '"');
	}
	sbuf_adds(b, "]}");
}

void clients_json(struct server *s, struct sbuf *b)
{
	bool first = true;
	sbuf_adds(b, "{\"max_per_conn\":");
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%d", s->cfg->max_per_conn);
	sbuf_adds(b, tmp);
	sbuf_adds(b, ",\"clients\":[");
	for (size_t i = 0; i < s->nc; i++) {
		const struct client *c = s->c[i];
		if (c->st != C_WS || c->user_channel || c->dead)
			continue;
		if (!first)
			sbuf_addc(b, ',');
		first = false;
		client_json(s, c, b);
	}
	sbuf_adds(b, "]}\n");
}
