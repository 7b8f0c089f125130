/*
 * log: clobsim's log (see log.h).
 *
 * Owns the log stream and nothing else: it never touches sockets or market state, and
 * never writes a network byte unescaped.  Called only from clobsim's single thread.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static FILE *log_fp;

int sim_log_open(const char *path)
{
	if (!path) {
		log_fp = stderr;
		return 0;
	}
	log_fp = fopen(path, "a");
	if (!log_fp) {
		log_fp = stderr;
		return -1;
	}
	setvbuf(log_fp, NULL, _IOLBF, 0);
	return 0;
}

void sim_log_close(void)
{
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	log_fp = NULL;
}

void sim_log(const char *fmt, ...)
{
	FILE *f = log_fp ? log_fp : stderr;
	va_list ap;

	fputs("clobsim: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

void sim_log_frame(uint64_t client, const char *what, const uint8_t *p, size_t n)
{
	char esc[4096 + 8];
	size_t w = 0;

	for (size_t i = 0; i < n && w + 5 < 4096; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			esc[w++] = (char)c;
		} else {
			static const char hx[] = "0123456789abcdef";
			esc[w++] = '\\';
			esc[w++] = 'x';
			esc[w++] = hx[c >> 4];
			esc[w++] = hx[c & 15];
		}
	}
	esc[w] = '\0';
	sim_log("client %llu recv %s %zu bytes: %s%s", (unsigned long long)client, what, n, esc,
	        w + 5 >= 4096 ? "..." : "");
}
