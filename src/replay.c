/*
 * replay / record: recorded frames in, through the same ring as the live feed; received
 * frames out, as JSON Lines.  See replay.h.
 *
 * The replay thread never touches market state; the recorder never runs on the receive
 * thread.
 */
#include "replay.h"

#include "clock.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"


struct replay {
	pthread_t thread;         /* the producer */
	FILE *in;                 /* the recording */
	struct ring *ring;        /* where frames go */
	double speed;             /* 0 = as fast as possible */
	atomic_bool stop;         /* set by replay_stop */
	atomic_bool done;         /* the thread has pushed everything */
	_Atomic uint64_t frames;  /* frames pushed */
	_Atomic uint64_t bad;     /* lines neither a frame nor a record */
};

/* Sleeps until the monotonic time `due`, in short steps so replay_stop is prompt. */
static void sleep_until(struct replay *r, int64_t due)
{
	int64_t left;
	while (!atomic_load(&r->stop) && (left = due - clock_mono_ns()) > 0)
		clock_sleep_ns(left < 50000000 ? left : 50000000);
}

/* Pushes, waiting while the ring is full: a file, unlike the network, can wait.  Waiting
 * means sleeping briefly; a dropped record would be counted by the ring, so we retry the
 * push only when we know the ring is full rather than racing it. */
static bool push_wait(struct replay *r, uint16_t kind, int64_t t_real_ns, const void *data,
		      size_t len)
{
	if (len > ring_max_record(r->ring))
		return false;
	struct ring_rec rec = {.len = (uint32_t)len, .kind = kind, .data = data};
	for (;;) {
		size_t need = len + 64;
		if (ring_capacity(r->ring) - ring_used(r->ring) >= need * 2 + 64) {
			rec.t_real_ns = t_real_ns;
			rec.t_mono_ns = clock_mono_ns();
			if (ring_push(r->ring, &rec))
				return true;
		}
		if (atomic_load(&r->stop))
			return false;
		clock_sleep_ns(20000);
	}
}

/* The exchange timestamp of a raw frame, for pacing recordings without receipt times. */
static int64_t frame_ts_ms(const char *s, size_t len)
{
	static const char key[] = "\"timestamp\":\"";
	const char *p = memmem(s, len, key, sizeof(key) - 1);
	if (!p)
		return 0;
	p += sizeof(key) - 1;
	int64_t v = 0;
	while (p < s + len && *p >= '0' && *p <= '9' && v < INT64_MAX / 10)
		v = v * 10 + (*p++ - '0');
	return v;
}

static void *replay_main(void *arg)
{
	struct replay *r = arg;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t first_t = -1, start_mono = 0;

	while (!atomic_load(&r->stop) && (n = getline(&line, &cap, r->in)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		const char *frame = line;
		size_t flen = (size_t)n;
		int64_t t_real = 0, t_pace = 0;
		json_t *rec = NULL;
		if (line[0] == '{' && strstr(line, "\"t_ns\"") && strstr(line, "\"frame\"")) {
			rec = json_loadb(line, (size_t)n, 0, NULL);
			json_t *f = rec ? json_object_get(rec, "frame") : NULL;
			json_t *t = rec ? json_object_get(rec, "t_ns") : NULL;
			if (json_is_string(f) && json_is_integer(t)) {
				frame = json_string_value(f);
				flen = json_string_length(f);
				t_real = t_pace = (int64_t)json_integer_value(t);
			} else {
				json_decref(rec);
				rec = NULL;
			}
		}
		if (!rec)
			t_pace = frame_ts_ms(frame, flen) * 1000000;
		if (r->speed > 0 && t_pace > 0) {
			if (first_t < 0) {
				first_t = t_pace;
				start_mono = clock_mono_ns();
			}
			sleep_until(r, start_mono + (int64_t)((double)(t_pace - first_t) / r->speed));
		}
		if (push_wait(r, REC_FRAME, t_real, frame, flen))
			atomic_fetch_add(&r->frames, 1);
		else if (!atomic_load(&r->stop))
			atomic_fetch_add(&r->bad, 1);
		json_decref(rec);
	}
	free(line);

	struct conn_event ce = {.kind = CONN_STOPPED};
	snprintf(ce.text, sizeof(ce.text), "replay finished");
	push_wait(r, REC_CONN, clock_real_ns(), &ce, sizeof(ce));
	atomic_store(&r->done, true);
	return NULL;
}

struct replay *replay_start(const char *path, double speed, struct ring *data, char *err,
			    size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!r->in) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	r->ring = data;
	r->speed = speed;
	int rc = pthread_create(&r->thread, NULL, replay_main, r);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the replay thread: %s", strerror(rc));
		if (r->in != stdin)
			fclose(r->in);
		free(r);
		return NULL;
	}
	return r;
}

bool replay_done(const struct replay *r)
{
	return atomic_load(&((struct replay *)r)->done);
}

uint64_t replay_frames(const struct replay *r)
{
	return atomic_load(&((struct replay *)r)->frames);
}

uint64_t replay_bad_lines(const struct replay *r)
{
	return atomic_load(&((struct replay *)r)->bad);
}

void replay_stop(struct replay *r)
{
	if (!r)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	if (r->in != stdin)
		fclose(r->in);
	free(r);
}

/* ---- recorder ---- */

struct recorder {
	FILE *out;         /* buffered */
	char error[256];   /* first error, "" when none */
};

struct recorder *recorder_open(const char *path, char *err, size_t errlen)
{
	struct recorder *rec = calloc(1, sizeof(*rec));
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rec->out = fopen(path, "a");
	if (!rec->out) {
		snprintf(err, errlen, "cannot open %s for recording: %s", path, strerror(errno));
		free(rec);
		return NULL;
	}
	setvbuf(rec->out, NULL, _IOFBF, 1 << 16);
	return rec;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int recorder_write(struct recorder *rec, int64_t t_real_ns, const char *frame, size_t len)
{
	FILE *f = rec->out;
	fprintf(f, "{\"t_ns\":%lld,\"frame\":\"", (long long)t_real_ns);
	const unsigned char *s = (const unsigned char *)frame;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else {
			size_t k = utf8_len(s + i, len - i);
			if (k == 0) {
				/* JSON text cannot carry invalid UTF-8: keep the record loadable. */
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(s + i, 1, k, f);
				i += k;
			}
		}
	}
	fputs("\"}\n", f);
	if (ferror(f) && !rec->error[0]) {
		snprintf(rec->error, sizeof(rec->error), "recording failed: %s", strerror(errno));
		return -1;
	}
	return rec->error[0] ? -1 : 0;
}

const char *recorder_error(const struct recorder *rec)
{
	return rec->error;
}

int recorder_close(struct recorder *rec)
{
	if (!rec)
		return 0;
	int rc = rec->error[0] ? -1 : 0;
	if (fclose(rec->out) != 0)
		rc = -1;
	free(rec);
	return rc;
}
