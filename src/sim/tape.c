/*
 * tape: recordings for --replay (see tape.h).
 *
 * Record lines are decoded with jansson at load time (the frame is a JSON string whose
 * escapes must be undone); raw lines are kept byte for byte.  Never changes a frame.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#include "tape.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int add_frame(struct tape *t, size_t *cap, size_t *dlen, size_t *dcap, const char *p,
                     size_t n, int64_t t_ns)
{
	if (t->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct tape_frame *f = realloc(t->frame, nc * sizeof *f);
		if (!f)
			return -1;
		t->frame = f;
		*cap = nc;
	}
	if (*dlen + n > *dcap) {
		size_t nc = *dcap ? *dcap : 1 << 16;
		while (nc < *dlen + n)
			nc *= 2;
		char *d = realloc(t->data, nc);
		if (!d)
			return -1;
		t->data = d;
		*dcap = nc;
	}
	memcpy(t->data + *dlen, p, n);
	/* offsets for now: data may still move */
	t->frame[t->n].text = (const char *)(uintptr_t)*dlen;
	t->frame[t->n].len = n;
	t->frame[t->n].t_ns = t_ns;
	t->frame[t->n].price_change = memmem(p, n, "price_change", 12) != NULL;
	t->n++;
	*dlen += n;
	return 0;
}

int tape_load(struct tape *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t lcap = 0, fcap = 0, dlen = 0, dcap = 0;
	ssize_t n;
	int64_t t0 = -1;
	long lineno = 0;

	memset(t, 0, sizeof *t);
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		const char *p = line;
		size_t len = (size_t)n;
		int64_t t_ns = 0;
		json_t *rec = NULL;

		if (strncmp(line, "{\"t_ns\"", 7) == 0 || strstr(line, "\"frame\":") != NULL) {
			rec = json_loadb(line, (size_t)n, 0, NULL);
			json_t *fr = json_object_get(rec, "frame");
			json_t *tn = json_object_get(rec, "t_ns");
			if (json_is_string(fr) && (json_is_integer(tn) || json_is_string(tn))) {
				p = json_string_value(fr);
				len = json_string_length(fr);
				t_ns = json_is_integer(tn)
				           ? (int64_t)json_integer_value(tn)
				           : strtoll(json_string_value(tn), NULL, 10);
				if (t0 < 0)
					t0 = t_ns;
				t_ns -= t0;
				if (t_ns < 0)
					t_ns = 0;
			}
		}
		int rc = add_frame(t, &fcap, &dlen, &dcap, p, len, t_ns);
		json_decref(rec);
		if (rc) {
			snprintf(err, errlen, "%s: out of memory at line %ld", path, lineno);
			free(line);
			fclose(f);
			tape_free(t);
			return -1;
		}
	}
	free(line);
	fclose(f);
	for (size_t i = 0; i < t->n; i++)
		t->frame[i].text = t->data + (uintptr_t)t->frame[i].text;
	if (t->n == 0) {
		snprintf(err, errlen, "%s: no frames", path);
		return -1;
	}
	return 0;
}

void tape_free(struct tape *t)
{
	free(t->data);
	free(t->frame);
	memset(t, 0, sizeof *t);
}
