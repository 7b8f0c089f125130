/*
 * sanitize: turn untrusted network text into text that is safe on a terminal, in a log
 * line and in an export.
 *
 * The output holds only valid UTF-8 of printable code points.  Rules, in the order a
 * byte meets them:
 *   - ESC starts an escape sequence, which is dropped whole: CSI (ESC [ params final),
 *     string sequences OSC / DCS / APC / PM / SOS (ESC ] P _ ^ X ... up to BEL, ESC \ or
 *     ST), and nF / two-byte forms (ESC intermediates* final).  The C1 introducers
 *     (CSI 0x9B, OSC 0x9D, DCS 0x90, APC 0x9F, PM 0x9E, SOS 0x98), whether raw 8-bit
 *     bytes or UTF-8 encoded, start the same sequences.  An unterminated string sequence
 *     runs to the end of the input; an unterminated CSI likewise.
 *   - TAB, CR and LF each become one space (so words on either side stay apart); every
 *     other C0 control, DEL and every C1 control (raw byte 0x80..0x9F on its own, or
 *     U+0080..U+009F) is dropped.
 *   - U+2028 / U+2029 (line and paragraph separators) become a space, like LF.
 *   - Bidi controls that can make text read differently from what it is (U+061C,
 *     U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) are dropped, and so are characters
 *     that draw nothing (U+200B..U+200D, U+2060..U+2064, U+FEFF, U+180E, U+FFF9..U+FFFB,
 *     the tags U+E0000..U+E007F).
 *   - Malformed UTF-8 (stray continuation byte 0xA0..0xBF, bytes 0xF8..0xFF, a sequence
 *     cut short, an overlong form, a surrogate, anything above U+10FFFF) becomes one
 *     U+FFFD per malformed sequence.
 * Sanitising is idempotent: clean text comes out unchanged.
 *
 * Must never: write more than cap bytes, leave dst without its NUL, cut a character in
 * half, allocate, or let an ESC / C1 byte through in any form.
 */
#include "sanitize.h"

#include <stdint.h>
#include <string.h>

#define ESC 0x1b
#define BEL 0x07

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
static const char space[] = " ";

/* One decoded unit of input: how many bytes it spans and what it is. */
struct utf8_unit {
	size_t len; /* bytes consumed, >= 1 */
	int32_t cp; /* code point, or -1 when malformed */
};

static struct utf8_unit utf8_decode(const unsigned char *s, size_t len)
{
	struct utf8_unit u = {1, -1};
	unsigned char b = s[0];
	size_t need;
	int32_t min, cp;

	if (b < 0x80) {
		u.cp = b;
		return u;
	}
	if (b >= 0xc0 && b <= 0xdf) {
		need = 2;
		min = 0x80;
		cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 3;
		min = 0x800;
		cp = b & 0x0f;
	} else if (b >= 0xf0 && b <= 0xf7) {
		need = 4;
		min = 0x10000;
		cp = b & 0x07;
	} else {
		return u; /* continuation byte on its own, or 0xF8..0xFF */
	}
	for (size_t i = 1; i < need; i++) {
		if (i >= len || (s[i] & 0xc0) != 0x80) {
			u.len = i; /* the lead byte and the continuations seen so far */
			return u;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	u.len = need;
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return u;
	u.cp = cp;
	return u;
}

static bool is_bidi_control(int32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Characters that draw nothing, so two labels that look the same can differ, or a label
 * can carry hidden text: zero-width space and joiners, word joiner and invisible operators,
 * the BOM / zero-width no-break space, the Mongolian vowel separator, interlinear
 * annotation controls and the tag characters. */
static bool is_invisible(int32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff ||
	       cp == 0x180e || (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

/* Code point of the C1 control at s, or -1: either a raw byte 0x80..0x9F that is not
 * part of a valid UTF-8 sequence, or U+0080..U+009F encoded as UTF-8. */
static int32_t c1_at(const unsigned char *s, size_t len, struct utf8_unit *u)
{
	*u = utf8_decode(s, len);
	if (u->cp >= 0x80 && u->cp <= 0x9f)
		return u->cp;
	if (u->cp < 0 && u->len == 1 && s[0] >= 0x80 && s[0] <= 0x9f)
		return s[0];
	return -1;
}

/* Skips a CSI body starting after the introducer.  Parameter and intermediate bytes
 * (0x20..0x3F) are consumed; a final byte (0x40..0x7E) ends the sequence and is
 * consumed; anything else abandons the sequence and is left for the caller. */
static size_t skip_csi(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= 0x20 && s[i] <= 0x3f)
		i++;
	if (i < len && s[i] >= 0x40 && s[i] <= 0x7e)
		i++;
	return i;
}

/* Skips a control string (OSC, DCS, APC, PM, SOS) up to and including its terminator:
 * BEL, ESC \ or ST (raw 0x9C or U+009C).  Without one it runs to the end. */
static size_t skip_string(const unsigned char *s, size_t len, size_t i)
{
	while (i < len) {
		struct utf8_unit u;

		if (s[i] == BEL)
			return i + 1;
		if (s[i] == ESC && i + 1 < len && s[i + 1] == '\\')
			return i + 2;
		if (c1_at(s + i, len - i, &u) == 0x9c)
			return i + u.len;
		i += u.len;
	}
	return len;
}

static bool is_string_introducer(int32_t c)
{
	/* ESC ] / P / _ / ^ / X, i.e. OSC, DCS, APC, PM, SOS; the C1 forms are c + 0x40. */
	return c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X';
}

/* Skips what follows a 7-bit ESC at s[i - 1]. */
static size_t skip_escape(const unsigned char *s, size_t len, size_t i)
{
	size_t j;

	if (i >= len)
		return i;
	if (s[i] == '[')
		return skip_csi(s, len, i + 1);
	if (is_string_introducer(s[i]))
		return skip_string(s, len, i + 1);
	/* nF: intermediates 0x20..0x2F then one final 0x30..0x7E; plain ESC x has none. */
	j = i;
	while (j < len && s[j] >= 0x20 && s[j] <= 0x2f)
		j++;
	if (j < len && s[j] >= 0x30 && s[j] <= 0x7e)
		return j + 1;
	/* Not a sequence (ESC before a control or a non-ASCII byte): drop the ESC and any
	 * intermediates, and let the next byte be judged on its own. */
	return j;
}

/* One step of the sanitiser: the input unit at s[i] spans *used bytes and becomes
 * out[0..*out_len), which points into s itself when the unit is kept as is. */
static void sanitize_step(const unsigned char *s, size_t len, size_t i, size_t *used,
                          const char **out, size_t *out_len)
{
	unsigned char b = s[i];
	struct utf8_unit u;
	int32_t c1;

	*out = NULL;
	*out_len = 0;
	if (b == ESC) {
		*used = skip_escape(s, len, i + 1) - i;
		return;
	}
	if (b == '\t' || b == '\n' || b == '\r') {
		*used = 1;
		*out = space;
		*out_len = 1;
		return;
	}
	if (b < 0x20 || b == 0x7f) {
		*used = 1;
		return;
	}
	c1 = c1_at(s + i, len - i, &u);
	if (c1 >= 0) {
		size_t next = i + u.len;

		if (c1 == 0x9b)
			next = skip_csi(s, len, next);
		else if (is_string_introducer(c1 - 0x40))
			next = skip_string(s, len, next);
		*used = next - i;
		return;
	}
	*used = u.len;
	if (u.cp < 0) {
		*out = replacement;
		*out_len = sizeof(replacement) - 1;
	} else if (u.cp == 0x2028 || u.cp == 0x2029) {
		*out = space;
		*out_len = 1;
	} else if (!is_bidi_control(u.cp) && !is_invisible(u.cp)) {
		*out = (const char *)s + i;
		*out_len = u.len;
	}
}

size_t sanitize_text(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		const char *out;
		size_t used, out_len;

		sanitize_step(s, len, i, &used, &out, &out_len);
		if (out_len > cap - 1 - n)
			break; /* stop rather than skip, so the result is a prefix */
		if (out_len > 0)
			memcpy(dst + n, out, out_len);
		n += out_len;
		i += used;
	}
	dst[n] = '\0';
	return n;
}

bool sanitize_is_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		const char *out;
		size_t used, out_len;

		sanitize_step(u, len, i, &used, &out, &out_len);
		if (out != s + i || out_len != used)
			return false;
		i += used;
	}
	return true;
}
