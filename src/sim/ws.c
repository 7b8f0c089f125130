/*
 * ws: RFC 6455 framing and the upgrade handshake (see ws.h).
 *
 * Everything here is a pure function of its input buffers.  It must never index past a
 * buffer whatever the wire says, never allocate more than the caller's max_msg for a
 * message, and never accept a frame RFC 6455 says must fail the connection.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#include "ws.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int ws_accept_key(const char *key, size_t klen, char out[WS_ACCEPT_LEN + 1])
{
	unsigned char cat[64 + sizeof ws_guid];
	unsigned char digest[SHA_DIGEST_LENGTH];

	if (klen == 0 || klen > 64)
		return -1;
	memcpy(cat, key, klen);
	memcpy(cat + klen, ws_guid, sizeof ws_guid - 1);
	SHA1(cat, klen + sizeof ws_guid - 1, digest);
	/* EVP_EncodeBlock writes 4 * ceil(20 / 3) = 28 characters and a NUL. */
	EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
	return 0;
}

size_t ws_frame_header(uint8_t out[WS_MAX_HEADER], bool fin, enum ws_opcode op, uint64_t len,
                       const uint8_t *mask_key)
{
	size_t n = 2;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | (op & 0x0f));
	if (len < 126) {
		out[1] = (uint8_t)len;
	} else if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		n = 4;
	} else {
		out[1] = 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask_key) {
		out[1] |= 0x80;
		memcpy(out + n, mask_key, 4);
		n += 4;
	}
	return n;
}

void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], size_t offset)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= key[(offset + i) & 3];
}

bool ws_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t need;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

int ws_parse_header(const uint8_t *p, size_t n, struct ws_frame_hdr *h)
{
	size_t need = 2;
	uint8_t l7;

	if (n < 2)
		return 0;
	h->fin = (p[0] & 0x80) != 0;
	h->rsv = (uint8_t)((p[0] >> 4) & 0x07);
	h->opcode = p[0] & 0x0f;
	h->masked = (p[1] & 0x80) != 0;
	l7 = p[1] & 0x7f;
	if (l7 == 126)
		need += 2;
	else if (l7 == 127)
		need += 8;
	if (h->masked)
		need += 4;
	if (n < need)
		return 0;
	if (l7 < 126) {
		h->len = l7;
	} else if (l7 == 126) {
		h->len = ((uint64_t)p[2] << 8) | p[3];
	} else {
		h->len = 0;
		for (int i = 0; i < 8; i++)
			h->len = (h->len << 8) | p[2 + i];
		if (h->len >> 63)
			return -1;
	}
	if (h->masked)
		memcpy(h->key, p + need - 4, 4);
	h->hdr_len = need;
	return 1;
}

void ws_rx_init(struct ws_rx *rx, bool expect_masked, size_t max_msg)
{
	memset(rx, 0, sizeof *rx);
	rx->expect_masked = expect_masked;
	rx->max_msg = max_msg;
}

void ws_rx_free(struct ws_rx *rx)
{
	free(rx->msg);
	rx->msg = NULL;
	rx->msg_len = rx->msg_cap = 0;
	rx->in_msg = false;
}

static int rx_append(struct ws_rx *rx, const uint8_t *p, size_t n)
{
	if (n > rx->max_msg - rx->msg_len)
		return -WS_CLOSE_TOO_BIG;
	if (rx->msg_len + n > rx->msg_cap) {
		size_t cap = rx->msg_cap ? rx->msg_cap : 256;
		uint8_t *m;

		while (cap < rx->msg_len + n)
			cap *= 2;
		if (cap > rx->max_msg)
			cap = rx->max_msg;
		m = realloc(rx->msg, cap ? cap : 1);
		if (!m)
			return -WS_CLOSE_INTERNAL;
		rx->msg = m;
		rx->msg_cap = cap;
	}
	if (n)
		memcpy(rx->msg + rx->msg_len, p, n);
	rx->msg_len += n;
	return 0;
}

static bool close_code_valid(unsigned code)
{
	if (code >= 3000 && code <= 4999)
		return true;
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

static int rx_control(struct ws_rx *rx, const struct ws_frame_hdr *h, const uint8_t *payload,
                      struct ws_event *ev)
{
	memcpy(rx->ctl, payload, (size_t)h->len);
	ev->opcode = h->opcode;
	ev->data = rx->ctl;
	ev->len = (size_t)h->len;
	ev->close_code = 0;
	if (h->opcode != WS_OP_CLOSE)
		return WS_RX_EVENT;
	if (h->len == 0) {
		ev->close_code = WS_CLOSE_NO_STATUS;
		return WS_RX_EVENT;
	}
	if (h->len == 1)
		return -WS_CLOSE_PROTOCOL;
	ev->close_code = (uint16_t)((rx->ctl[0] << 8) | rx->ctl[1]);
	if (!close_code_valid(ev->close_code))
		return -WS_CLOSE_PROTOCOL;
	if (!ws_utf8_valid(rx->ctl + 2, ev->len - 2))
		return -WS_CLOSE_BAD_DATA;
	ev->data = rx->ctl + 2;
	ev->len -= 2;
	return WS_RX_EVENT;
}

int ws_rx_next(struct ws_rx *rx, uint8_t *buf, size_t n, size_t *used, struct ws_event *ev)
{
	size_t off = 0;

	*used = 0;
	for (;;) {
		struct ws_frame_hdr h;
		uint8_t *payload;
		int r = ws_parse_header(buf + off, n - off, &h);
		int rc;

		if (r < 0)
			return -WS_CLOSE_PROTOCOL;
		if (r == 0)
			return WS_RX_NEED;
		if (h.rsv)
			return -WS_CLOSE_PROTOCOL;
		if (h.masked != rx->expect_masked)
			return -WS_CLOSE_PROTOCOL;
		if (h.opcode >= 0x8) {
			if (h.opcode > WS_OP_PONG || !h.fin || h.len > WS_MAX_CONTROL)
				return -WS_CLOSE_PROTOCOL;
		} else if (h.opcode > WS_OP_BINARY) {
			return -WS_CLOSE_PROTOCOL;
		} else if (h.opcode == WS_OP_CONT ? !rx->in_msg : rx->in_msg) {
			/* a continuation with nothing open, or a new message inside one */
			return -WS_CLOSE_PROTOCOL;
		}
		/* Check the size before waiting for the payload: never buffer a giant frame. */
		if (h.opcode < 0x8 && h.len > rx->max_msg - (rx->in_msg ? rx->msg_len : 0))
			return -WS_CLOSE_TOO_BIG;
		if (h.len > n - off - h.hdr_len)
			return WS_RX_NEED;

		payload = buf + off + h.hdr_len;
		if (h.masked)
			ws_mask(payload, (size_t)h.len, h.key, 0);
		off += h.hdr_len + (size_t)h.len;
		*used = off;

		if (h.opcode >= 0x8)
			return rx_control(rx, &h, payload, ev);

		if (h.opcode != WS_OP_CONT) {
			rx->msg_len = 0;
			rx->msg_op = h.opcode;
			rx->in_msg = true;
		}
		rc = rx_append(rx, payload, (size_t)h.len);
		if (rc < 0)
			return rc;
		if (!h.fin)
			continue;
		rx->in_msg = false;
		if (rx->msg_op == WS_OP_TEXT && !ws_utf8_valid(rx->msg, rx->msg_len))
			return -WS_CLOSE_BAD_DATA;
		ev->opcode = rx->msg_op;
		ev->data = rx->msg;
		ev->len = rx->msg_len;
		ev->close_code = 0;
		return WS_RX_EVENT;
	}
}

/* Case-insensitive search for a comma-separated token in a header value. */
static bool header_has_token(const char *v, size_t vlen, const char *tok)
{
	size_t tl = strlen(tok);
	size_t i = 0;

	while (i < vlen) {
		size_t s, e;

		while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < vlen && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
			return true;
	}
	return false;
}

static void copy_trimmed(char *dst, size_t cap, const char *v, size_t vlen)
{
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen >= cap)
		vlen = cap - 1;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
}

/* The headers that say whether a body follows: Content-Length (digits only, at most 18;
 * two that differ make it invalid), Transfer-Encoding, Expect: 100-continue. */
static void header_body(struct http_req *r, const char *p, size_t nlen, const char *v, size_t vlen)
{
	char num[24];

	if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
		long n = 0;
		size_t k;

		copy_trimmed(num, sizeof num, v, vlen);
		for (k = 0; num[k] >= '0' && num[k] <= '9' && k < 18; k++)
			n = n * 10 + (num[k] - '0');
		if (k == 0 || num[k] || (r->body_len != -1 && r->body_len != n))
			n = -2;
		r->body_len = n;
	} else if (nlen == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
		r->chunked = true;
	} else if (nlen == 6 && strncasecmp(p, "Expect", 6) == 0) {
		r->expect_100 = header_has_token(v, vlen, "100-continue");
	}
}

long ws_parse_request(const char *buf, size_t n, size_t max_head, struct http_req *r)
{
	const char *end = NULL;
	const char *p, *eol, *sp1, *sp2;
	size_t head;

	for (size_t i = 0; i + 3 < n; i++) {
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n') {
			end = buf + i;
			break;
		}
	}
	if (!end)
		return n > max_head ? -1 : 0;
	head = (size_t)(end - buf) + 4;
	if (head > max_head)
		return -1;

	memset(r, 0, sizeof *r);
	r->body_len = -1;
	eol = memchr(buf, '\r', (size_t)(end - buf) + 1);
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1 || sp1 == buf || (size_t)(sp1 - buf) >= sizeof r->method)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || (size_t)(sp2 - sp1 - 1) >= sizeof r->target)
		return -1;
	memcpy(r->method, buf, (size_t)(sp1 - buf));
	memcpy(r->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if ((size_t)(eol - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return -1;
	r->http11 = sp2[8] >= '1' && sp2[8] <= '9';

	for (p = eol + 2; p < end; p = eol + 2) {
		const char *colon, *v;
		size_t nlen, vlen;

		eol = memchr(p, '\r', (size_t)(end - p) + 1);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			return -1;
		nlen = (size_t)(colon - p);
		v = colon + 1;
		vlen = (size_t)(eol - v);
		if (nlen == 7 && strncasecmp(p, "Upgrade", 7) == 0) {
			r->upgrade_ws = header_has_token(v, vlen, "websocket");
		} else if (nlen == 10 && strncasecmp(p, "Connection", 10) == 0) {
			r->conn_upgrade = r->conn_upgrade || header_has_token(v, vlen, "upgrade");
		} else if (nlen == 17 && strncasecmp(p, "Sec-WebSocket-Key", 17) == 0) {
			copy_trimmed(r->key, sizeof r->key, v, vlen);
		} else if (nlen == 21 && strncasecmp(p, "Sec-WebSocket-Version", 21) == 0) {
			char num[8];

			copy_trimmed(num, sizeof num, v, vlen);
			r->ws_version = atoi(num);
		} else {
			header_body(r, p, nlen, v, vlen);
		}
	}
	return (long)head;
}
