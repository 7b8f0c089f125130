/*
 * sanitize: make text that came from the network safe for a terminal, a log and an export.
 *
 * Applied once, where untrusted text enters the program's state (labels, questions,
 * close reasons, error texts).  What comes out holds only printable characters: valid
 * UTF-8 of printable code points; C0 and C1 controls, DEL, and whole escape sequences
 * (ESC [ ... final, ESC ] ... BEL or ST, and other ESC x) are removed; invalid UTF-8 bytes
 * become U+FFFD.  The output is always NUL-terminated and never cut inside a character.
 * TAB, CR, LF and U+2028/U+2029 each become one space (so words stay apart) rather than
 * vanishing; bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E/F, U+061C) are dropped;
 * 8-bit C1 introducers (0x9B CSI, 0x9D OSC, ...) start sequences like their ESC forms, and
 * an unterminated OSC/DCS/CSI is dropped to the end of the input.  Idempotent.
 */
#ifndef CLOBTOP_SANITIZE_H
#define CLOBTOP_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies src[0..len) into dst (capacity cap >= 1, result NUL-terminated) and returns the
 * length written.  Output longer than cap - 1 is cut at a character boundary. */
size_t sanitize_text(char *dst, size_t cap, const char *src, size_t len);

/* True when s[0..len) would come out of sanitize_text unchanged. */
bool sanitize_is_clean(const char *s, size_t len);

#endif
