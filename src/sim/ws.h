/*
 * ws: RFC 6455 framing and the HTTP/1.1 upgrade handshake, for clobsim.
 *
 * Pure functions over byte buffers: no sockets, no clocks, no global state, so the
 * whole codec can be unit-tested and fuzzed.  It must never read or write outside the
 * buffers it is given, whatever bytes arrive, and never trust a length from the wire
 * before checking it against the caller's limit.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#ifndef CLOBSIM_WS_H
#define CLOBSIM_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

enum ws_close_code {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_UNSUPPORTED = 1003,
	WS_CLOSE_NO_STATUS = 1005, /* never sent on the wire */
	WS_CLOSE_BAD_DATA = 1007,  /* text that is not UTF-8 */
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
	WS_CLOSE_INTERNAL = 1011,
};

#define WS_MAX_HEADER  14 /* 2 + 8 (64-bit length) + 4 (mask key) */
#define WS_MAX_CONTROL 125
#define WS_ACCEPT_LEN  28 /* base64 of a 20-byte SHA-1 */

/* The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 4.2.2):
 * base64(SHA-1(key + GUID)).  out gets WS_ACCEPT_LEN characters and a NUL.  Returns 0,
 * or -1 when the key is empty or longer than 64 bytes. */
int ws_accept_key(const char *key, size_t klen, char out[WS_ACCEPT_LEN + 1]);

/* Write a frame header for a payload of len bytes.  mask_key NULL gives a server frame
 * (unmasked); otherwise the mask bit and key are written and the caller masks the
 * payload with ws_mask().  Returns the header length (2..14). */
size_t ws_frame_header(uint8_t out[WS_MAX_HEADER], bool fin, enum ws_opcode op, uint64_t len,
                       const uint8_t *mask_key);

/* XOR p with the 4-byte key, as if p started at byte `offset` of the payload. */
void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], size_t offset);

/* True when p holds complete, well-formed UTF-8 (no overlongs, no surrogates). */
bool ws_utf8_valid(const uint8_t *p, size_t n);

struct ws_frame_hdr {
	bool fin;       /* final fragment of a message */
	uint8_t rsv;    /* RSV1-3 bits, must be 0 (no extension is negotiated) */
	uint8_t opcode; /* enum ws_opcode, or an unknown value */
	bool masked;    /* MASK bit */
	uint8_t key[4]; /* masking key when masked */
	uint64_t len;   /* payload bytes */
	size_t hdr_len; /* header bytes, 2..14 */
};

/* Parse a frame header at p.  Returns 1 with *h filled, 0 when more bytes are needed,
 * or -1 when the length field is malformed (64-bit length with the top bit set). */
int ws_parse_header(const uint8_t *p, size_t n, struct ws_frame_hdr *h);

/* Incremental receiver: feeds on a byte buffer, hands back whole messages (fragments
 * reassembled) and control frames. */
struct ws_rx {
	bool expect_masked;          /* true on a server: unmasked client frames are an error */
	size_t max_msg;              /* bytes; a bigger message is closed with 1009 */
	uint8_t *msg;                /* reassembly buffer (heap, grows up to max_msg) */
	size_t msg_len;              /* bytes of the message assembled so far */
	size_t msg_cap;              /* bytes allocated at msg */
	uint8_t msg_op;              /* WS_OP_TEXT or WS_OP_BINARY while a message is open */
	bool in_msg;                 /* a fragmented message is open */
	uint8_t ctl[WS_MAX_CONTROL]; /* the last control frame's payload */
};

struct ws_event {
	uint8_t opcode;      /* WS_OP_TEXT, WS_OP_BINARY, WS_OP_CLOSE, WS_OP_PING, WS_OP_PONG */
	const uint8_t *data; /* payload (unmasked), valid until the next ws_rx_next call */
	size_t len;          /* bytes at data */
	uint16_t close_code; /* WS_OP_CLOSE: the peer's code, WS_CLOSE_NO_STATUS if none */
};

enum ws_rx_status {
	WS_RX_NEED = 0,  /* no complete event yet: read more bytes */
	WS_RX_EVENT = 1, /* *ev holds one event */
	                 /* negative values: -(close code to send), e.g. -1002 */
};

void ws_rx_init(struct ws_rx *rx, bool expect_masked, size_t max_msg);
void ws_rx_free(struct ws_rx *rx);

/* Consume bytes from buf[0..n).  *used gets the number of bytes consumed (also on
 * WS_RX_NEED: whole fragments are absorbed into the reassembly buffer); the caller drops
 * them and calls again with the rest.  The payload bytes in buf are unmasked in place.
 * Returns WS_RX_NEED, WS_RX_EVENT, or a negative close code on a protocol violation
 * (after which the connection must be closed with that code). */
int ws_rx_next(struct ws_rx *rx, uint8_t *buf, size_t n, size_t *used, struct ws_event *ev);

/* One parsed HTTP/1.1 request head. */
struct http_req {
	char method[8];    /* "GET" */
	char target[1024]; /* path and query, as sent */
	char key[64];      /* Sec-WebSocket-Key, "" when absent */
	int ws_version;    /* Sec-WebSocket-Version, 0 when absent */
	bool upgrade_ws;   /* Upgrade: websocket */
	bool conn_upgrade; /* Connection lists the token "upgrade" */
	bool http11;       /* HTTP/1.1 (or later) */
	long body_len;     /* Content-Length, -1 when absent, -2 when invalid */
	bool chunked;      /* Transfer-Encoding present (a body we do not read) */
	bool expect_100;   /* Expect: 100-continue */
};

/* Parse a request head ending in CRLF CRLF.  Returns the head's length in bytes, 0 when
 * more bytes are needed, or -1 when it is malformed or longer than max_head. */
long ws_parse_request(const char *buf, size_t n, size_t max_head, struct http_req *r);

#endif
