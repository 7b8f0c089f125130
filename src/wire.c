/* wire: see wire.h. */
#include <stdio.h>
#include <string.h>

#include "wire.h"

/* Appends to a bounded buffer; once anything does not fit, pos goes past cap for good. */
struct outbuf {
	char *buf;  /* destination */
	size_t cap; /* bytes available including the NUL */
	size_t pos; /* bytes written so far (may exceed cap on overflow) */
};

static void out_raw(struct outbuf *o, const char *s, size_t n)
{
	if (o->pos + n < o->cap)
		memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void out_str(struct outbuf *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

/* Token ids are decimal, but an id comes from the user's command line or config: escape
 * it so it can never break out of its JSON string. */
static void out_json_string(struct outbuf *o, const char *s)
{
	out_raw(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			out_raw(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			out_raw(o, esc, 6);
		} else {
			out_raw(o, (const char *)&c, 1);
		}
	}
	out_raw(o, "\"", 1);
}

static void out_ids(struct outbuf *o, const char *const *ids, size_t n)
{
	out_str(o, "\"assets_ids\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			out_raw(o, ",", 1);
		out_json_string(o, ids[i] ? ids[i] : "");
	}
	out_raw(o, "]", 1);
}

static size_t out_finish(struct outbuf *o)
{
	if (o->cap == 0)
		return 0;
	if (o->pos >= o->cap) {
		o->buf[0] = '\0';
		return 0;
	}
	o->buf[o->pos] = '\0';
	return o->pos;
}

size_t wire_fmt_initial(char *buf, size_t cap, const char *const *ids, size_t n)
{
	struct outbuf o = {buf, cap, 0};
	out_str(&o, "{");
	out_ids(&o, ids, n);
	out_str(&o, ",\"type\":\"market\",\"initial_dump\":true,\"custom_feature_enabled\":true}");
	return out_finish(&o);
}

size_t wire_fmt_subscribe(char *buf, size_t cap, const char *const *ids, size_t n)
{
	struct outbuf o = {buf, cap, 0};
	out_str(&o, "{\"operation\":\"subscribe\",");
	out_ids(&o, ids, n);
	out_str(&o, ",\"custom_feature_enabled\":true}");
	return out_finish(&o);
}

size_t wire_fmt_unsubscribe(char *buf, size_t cap, const char *const *ids, size_t n)
{
	struct outbuf o = {buf, cap, 0};
	out_str(&o, "{\"operation\":\"unsubscribe\",");
	out_ids(&o, ids, n);
	out_str(&o, "}");
	return out_finish(&o);
}

size_t wire_fmt_user(char *buf, size_t cap, const char *key, const char *secret,
                     const char *passphrase, const char *const *markets, size_t n)
{
	struct outbuf o = {buf, cap, 0};
	out_str(&o, "{\"auth\":{\"apiKey\":");
	out_json_string(&o, key);
	out_str(&o, ",\"secret\":");
	out_json_string(&o, secret);
	out_str(&o, ",\"passphrase\":");
	out_json_string(&o, passphrase);
	out_str(&o, "}");
	if (n) {
		out_str(&o, ",\"markets\":[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				out_raw(&o, ",", 1);
			out_json_string(&o, markets[i] ? markets[i] : "");
		}
		out_raw(&o, "]", 1);
	}
	out_str(&o, ",\"type\":\"user\"}");
	return out_finish(&o);
}
