/*
 * feed_rx: the feed thread's receive path.  Reads what libcurl decoded, reassembles
 * fragmented messages into one buffer that only grows (up to max_message), stamps each
 * complete message and pushes it into the data ring (parsed into REC_EVENTS first when
 * the feed parses: evpack.h), answers PINGs, and ends the
 * connection on a close frame, a protocol violation or an oversized message.
 *
 * Feed thread only.  Never waits on the UI: a full data ring drops data.  Text from the
 * network (close reasons, libcurl's error words) is sanitised before it becomes an event.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed_int.h"
#include "sanitize.h"

static bool is_pong(const char *p, size_t n)
{
	return n == 4 && memcmp(p, "PONG", 4) == 0;
}

/* A parsing feed hands a message over unparsed (REC_FRAME, parsed by the UI thread as a
 * replay's are, with the same result) only while it cannot keep up with its socket and
 * the UI thread can: its ring is less than a quarter full.  One very busy connection then
 * still gets the two threads it had before; many ordinary ones parse where they are. */
static bool hand_over_raw(const struct feed *f)
{
	return f->behind && ring_used(f->data) < ring_capacity(f->data) / 4;
}

/* A parsing feed: the message becomes its events (REC_EVENTS), the time of receipt
 * still the moment it arrived.  A record the ring drops is remembered by its assets. */
static void deliver_events(struct feed *f, struct ring_rec *rec)
{
	size_t len = 0;
	const void *payload = evpack_frame(f->pack, f->rbuf, f->rlen, f->cfg.keep_raw, &len);
	if (!payload) {
		lostids_add_all(f->lost); /* out of memory: nobody can say what it held */
		return;
	}
	rec->kind = REC_EVENTS;
	rec->data = payload;
	rec->len = (uint32_t)len;
	if (!ring_push(f->data, rec))
		lostids_add_events(f->lost, payload, len);
}

static void deliver(struct feed *f)
{
	struct ring_rec rec = {
	    .len = (uint32_t)f->rlen,
	    .kind = REC_FRAME,
	    .flags = feed_rec_flags(f),
	    .t_real_ns = clock_real_ns(),
	    .t_mono_ns = clock_mono_ns(),
	    .data = f->rbuf,
	};
	bool pong = is_pong(f->rbuf, f->rlen);
	count(&f->st.frames, 1);
	if (pong) {
		count(&f->st.pongs, 1);
	} else {
		f->last_data_ms = rec.t_mono_ns / 1000000;
		f->freeze_fired = false;
	}
	feed_flush_pending(f);
	if (f->pack && !hand_over_raw(f))
		deliver_events(f, &rec);
	else if (!ring_push(f->data, &rec) && f->lost) /* a full ring drops and counts */
		lostids_add_all(f->lost); /* unparsed: nobody can say which assets it held */
}

/* True for the codes a close frame may carry (RFC 6455 section 7.4 and the IANA
 * registry): 1004-1006 and 1015 are reserved, below 1000 and 1016-2999 unassigned,
 * 5000 and up undefined.  Such a code is never echoed back. */
static bool close_code_valid(int code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
	       (code >= 3000 && code <= 4999);
}

static void report_close(struct feed *f)
{
	int code = CLOSE_NO_STATUS, reply = CLOSE_NORMAL;
	char reason[160]; /* sanitised; leaves room for the prefix in text */
	char text[sizeof(((struct conn_event *)0)->text)];
	reason[0] = '\0';
	if (f->ctrl_len == 1) {
		reply = CLOSE_PROTOCOL; /* a code needs 2 bytes: reported as none (1005) */
		snprintf(reason, sizeof(reason), "close frame with a 1-byte payload");
	} else if (f->ctrl_len >= 2) {
		code = ((unsigned char)f->ctrl[0] << 8) | (unsigned char)f->ctrl[1];
		sanitize_text(reason, sizeof(reason), f->ctrl + 2, f->ctrl_len - 2);
		reply = close_code_valid(code) ? code : CLOSE_PROTOCOL;
	}
	if (reply == CLOSE_PROTOCOL)
		snprintf(text, sizeof(text), "invalid close frame, answered %d%s%s", CLOSE_PROTOCOL,
		         reason[0] ? ": " : "", reason);
	else
		snprintf(text, sizeof(text), "%s", reason);
	feed_emit(f, CONN_CLOSED, code, 0, text);
	/* Echo a valid code, as RFC 6455 asks; a reserved or unknown one is a protocol
	 * error and must not go back on the wire. */
	feed_send_close(f, reply);
}

/* libcurl refuses protocol violations (masked frames, RSV bits, unknown opcodes,
 * control frames over 125 bytes or fragmented) with CURLE_RECV_ERROR and names them in
 * the error buffer with a "[WS]" prefix. */
static void report_recv_error(struct feed *f, CURLcode rc)
{
	char msg[CURL_ERROR_SIZE + 200];
	char clean[sizeof(((struct conn_event *)0)->text)];
	if (rc == CURLE_GOT_NOTHING) {
		feed_emit(f, CONN_CLOSED, CLOSE_ABNORMAL, 0,
		          "connection lost without a close frame");
		return;
	}
	bool protocol = strncmp(f->errbuf, "[WS]", 4) == 0;
	snprintf(msg, sizeof(msg), "%s: %s%s%.*s",
	         protocol ? "protocol violation by the server" : "receive failed",
	         curl_easy_strerror(rc), f->errbuf[0] ? ": " : "", CURL_ERROR_SIZE, f->errbuf);
	sanitize_text(clean, sizeof(clean), msg, strlen(msg));
	feed_emit(f, CONN_ERROR, (int32_t)rc, 0, clean);
	if (protocol)
		feed_send_close(f, CLOSE_PROTOCOL);
}

/* Ensures room for the next recv into the reassembly buffer. */
static bool reserve(struct feed *f)
{
	if (f->rcap - f->rlen >= RBUF_MIN_ROOM)
		return true;
	size_t want = f->rcap ? f->rcap * 2 : RBUF_INITIAL;
	char *n = realloc(f->rbuf, want);
	if (!n)
		return false;
	f->rbuf = n;
	f->rcap = want;
	return true;
}

enum chunk_result {
	CH_OK,  /* keep reading */
	CH_END, /* the connection is over (already reported) */
};

#define RX_BURST 1024 /* recv calls before the loop looks at timers, commands and stop */

/* A control frame chunk: they may come between the fragments of a message, so they are
 * kept out of the reassembly buffer. */
static enum chunk_result on_control(struct feed *f, const char *p, size_t n,
                                    const struct curl_ws_frame *m)
{
	if (m->offset == 0)
		f->ctrl_len = 0;
	size_t k = n < CTRL_MAX - f->ctrl_len ? n : CTRL_MAX - f->ctrl_len;
	memcpy(f->ctrl + f->ctrl_len, p, k);
	f->ctrl_len += k;
	if (m->bytesleft != 0)
		return CH_OK;
	f->last_rx_ms = now_ms();
	if (m->flags & CURLWS_CLOSE) {
		report_close(f);
		return CH_END;
	}
	if ((m->flags & CURLWS_PING) && f->own_pong) {
		/* Answered here, not by libcurl (CURLWS_NOAUTOPONG): libcurl's answer has no
		 * deadline and, on a peer that never reads, spins inside curl_ws_recv. */
		CURLcode rc = feed_send_all(f, f->ctrl, f->ctrl_len, CURLWS_PONG);
		if (rc != CURLE_OK) {
			feed_report_send_error(f, "PONG", rc);
			return CH_END;
		}
	}
	return CH_OK;
}

/* A message over max_message ends the connection (close 1009) as soon as a frame header
 * announces it: draining it would let a peer keep us busy for as long as it likes. */
static void drop_oversize(struct feed *f, uint64_t size)
{
	char text[200];
	count(&f->st.oversize, 1);
	feed_emit(f, CONN_OVERSIZE, 0, (int64_t)size, NULL);
	snprintf(text, sizeof(text),
	         "closed by clobtop: a message of %" PRIu64 " bytes or more exceeds the limit "
	         "of %zu bytes (--max-message)",
	         size, f->cfg.max_message);
	feed_emit(f, CONN_CLOSED, CLOSE_TOO_BIG, 0, text);
	feed_send_close(f, CLOSE_TOO_BIG);
}

/* A data frame chunk, already stored at rbuf + rlen. */
static enum chunk_result on_data(struct feed *f, size_t n, const struct curl_ws_frame *m)
{
	count(&f->st.bytes, n);
	f->msg_size += n;
	uint64_t announced = f->msg_size + (uint64_t)m->bytesleft;
	if (announced > f->cfg.max_message) {
		drop_oversize(f, announced);
		return CH_END;
	}
	f->rlen += n;
	if (m->bytesleft != 0)
		return CH_OK;
	/* Only a complete frame counts as life: a frame trickling in a byte at a time
	 * does not keep a connection alive past dead_ms. */
	f->last_rx_ms = now_ms();
	if (m->flags & CURLWS_CONT)
		return CH_OK; /* more fragments of this message follow */
	deliver(f);
	f->rlen = 0;
	f->msg_size = 0;
	return CH_OK;
}

/* Reads until libcurl says CURLE_AGAIN: it may hold data the socket no longer shows, so
 * a readable socket is a hint, not the only reason to read. */
enum rx_result feed_drain_socket(struct feed *f)
{
	for (unsigned burst = 0; burst < RX_BURST; burst++) {
		if (stopping(f))
			return RX_MORE;
		if (!reserve(f)) {
			feed_emit(f, CONN_ERROR, 0, 0, "out of memory growing the receive buffer");
			return RX_END;
		}
		size_t n = 0;
		const struct curl_ws_frame *m = NULL;
		char *dst = f->rbuf + f->rlen;
		CURLcode rc = curl_ws_recv(f->curl, dst, f->rcap - f->rlen, &n, &m);
		if (rc == CURLE_AGAIN)
			return RX_IDLE;
		if (rc != CURLE_OK) {
			report_recv_error(f, rc);
			return RX_END;
		}
		enum chunk_result r = m->flags & (CURLWS_CLOSE | CURLWS_PING | CURLWS_PONG)
		                          ? on_control(f, dst, n, m)
		                          : on_data(f, n, m);
		if (r == CH_END)
			return RX_END;
	}
	return RX_MORE;
}
