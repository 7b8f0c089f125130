/*
 * fuzz_wsframe: libFuzzer target for clobsim's WebSocket frame decoder and HTTP
 * request-head parser (src/sim/ws.c).
 *
 * The first input byte picks the decoder's mode (server: masked frames expected, or
 * client) and how the rest is split into reads, so both the reassembly across partial
 * reads and the refusal paths are explored.  Must never crash, leak or read out of
 * bounds; built and run by 'make fuzz' (clang, libFuzzer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_rx rx;
	struct http_req req;
	uint8_t *buf;
	size_t have = 0, fed = 0, chunk;

	if (size < 1)
		return 0;
	ws_parse_request((const char *)data + 1, size - 1, 4096, &req);

	ws_rx_init(&rx, data[0] & 1, 1u << 16);
	chunk = (size_t)(data[0] >> 1) + 1; /* bytes per simulated read: 1..128 */
	data++;
	size--;
	buf = malloc(size ? size : 1);
	while (fed < size || have) {
		size_t n = size - fed < chunk ? size - fed : chunk;
		struct ws_event ev;
		size_t used;
		int r;

		memcpy(buf + have, data + fed, n);
		have += n;
		fed += n;
		r = ws_rx_next(&rx, buf, have, &used, &ev);
		if (used > have)
			abort();
		memmove(buf, buf + used, have - used);
		have -= used;
		if (r < 0)
			break;
		if (r == WS_RX_EVENT && ev.len) {
			/* touch both ends of the payload: ASan checks the bounds */
			volatile uint8_t sink = (uint8_t)(ev.data[0] ^ ev.data[ev.len - 1]);
			(void)sink;
		}
		if (r == WS_RX_NEED && n == 0)
			break;
	}
	free(buf);
	ws_rx_free(&rx);
	return 0;
}
