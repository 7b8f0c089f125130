/*
 * replay / record: recorded frames in, through the same ring as the live feed; received
 * frames out, as JSON Lines.  See replay.h.
 *
 * The replay thread never touches market state; the recorder never runs on the receive
 * thread.
 */
#include "replay.h"

#include "clock.h"
#include "num.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"

#define REPLAY_BLOCK        65536 /* bytes read from the file at a time */
#define REPLAY_REPORT_LINES 5     /* skipped lines reported one by one; the rest are counted */

/* Lines from a file descriptor, each at most max bytes; a longer one is skipped without
 * ever being held in memory whole (a 2 GB line costs one block, not 2 GB). */
struct lines {
	int fd;                 /* the recording (0 for standard input) */
	char *buf;              /* the current line, max + 1 bytes */
	size_t max;             /* longest line kept, bytes */
	size_t len;             /* bytes of the current line so far */
	uint64_t lineno;        /* 1-based number of the line last returned */
	size_t skipped_len;     /* bytes of the line being skipped so far */
	bool skipping;          /* the current line passed max */
	char blk[REPLAY_BLOCK]; /* read buffer */
	size_t bpos, bend;      /* unread bytes are blk[bpos..bend) */
	bool eof;               /* read() returned 0 */
	int error;              /* errno of a failed read, 0 when none */
};

struct replay {
	pthread_t thread;           /* the producer */
	struct lines in;            /* the recording */
	bool own_fd;                /* in.fd was opened here (not standard input) */
	struct ring *ring;          /* where frames go */
	double speed;               /* 0 = as fast as possible */
	atomic_bool stop;           /* set by replay_stop */
	atomic_bool done;           /* the thread has pushed everything */
	_Atomic uint64_t frames;    /* frames pushed */
	_Atomic uint64_t bad;       /* lines skipped: too long, or neither a frame nor a record */
	_Atomic uint64_t first_bad; /* line number of the first skipped line, 0 when none */
};

enum line_result { LINE_OK, LINE_TOO_LONG, LINE_END };

static bool lines_fill(struct lines *l)
{
	if (l->eof || l->error)
		return false;
	ssize_t n;
	do
		n = read(l->fd, l->blk, sizeof(l->blk));
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		l->eof = n == 0;
		l->error = n < 0 ? errno : 0;
		return false;
	}
	l->bpos = 0;
	l->bend = (size_t)n;
	return true;
}

/* The next line (without its newline) in l->buf / l->len, NUL-terminated. */
static enum line_result lines_next(struct lines *l)
{
	l->len = 0;
	l->skipping = false;
	l->skipped_len = 0;
	for (;;) {
		if (l->bpos == l->bend && !lines_fill(l)) {
			if (l->len == 0 && !l->skipping)
				return LINE_END;
			break; /* a last line without a newline */
		}
		char *start = l->blk + l->bpos;
		char *nl = memchr(start, '\n', l->bend - l->bpos);
		size_t take = nl ? (size_t)(nl - start) : l->bend - l->bpos;
		l->bpos += take + (nl != NULL);
		if (!l->skipping && l->len + take > l->max)
			l->skipping = true;
		if (l->skipping)
			l->skipped_len += take;
		else
			memcpy(l->buf + l->len, start, take), l->len += take;
		if (nl)
			break;
	}
	l->lineno++;
	if (l->skipping) {
		l->skipped_len += l->len;
		return LINE_TOO_LONG;
	}
	l->buf[l->len] = '\0';
	return LINE_OK;
}

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
		/* Room seen from the producer side only grows until we push.  An empty ring takes
		 * any record up to ring_max_record(), however close to it (a line just under the
		 * limit once waited for ever for "twice its size" free). */
		size_t need = len + 64, used = ring_used(r->ring);
		if (used == 0 || ring_capacity(r->ring) - used >= need * 2 + 64) {
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

/* Counts a skipped line and tells the operator, through the data ring like any other
 * connection event: the first few one by one, with their line numbers. */
static void skip_line(struct replay *r, const char *why)
{
	uint64_t n = atomic_fetch_add(&r->bad, 1) + 1;
	uint64_t zero = 0;
	atomic_compare_exchange_strong(&r->first_bad, &zero, r->in.lineno);
	if (n > REPLAY_REPORT_LINES)
		return;
	struct conn_event ce = {.kind = CONN_ERROR};
	snprintf(ce.text, sizeof(ce.text), "replay line %llu skipped: %s%s",
	         (unsigned long long)r->in.lineno, why,
	         n == REPLAY_REPORT_LINES ? " (further skipped lines are only counted)" : "");
	push_wait(r, REC_CONN, clock_real_ns(), &ce, sizeof(ce));
}

/* One line: a raw frame, or a {"t_ns", "frame"} record; paced, then pushed. */
static void replay_line(struct replay *r, int64_t *first_t, int64_t *start_mono)
{
	char *line = r->in.buf;
	size_t n = r->in.len;
	while (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n == 0)
		return;
	const char *frame = line;
	size_t flen = n;
	int64_t t_real = 0, t_pace = 0;
	json_t *rec = NULL;
	if (line[0] == '{' && strstr(line, "\"t_ns\"") && strstr(line, "\"frame\"")) {
		rec = json_loadb(line, n, 0, NULL);
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
	if (!rec) /* exchange milliseconds; a hostile timestamp must not overflow */
		t_pace = num_mul_div(frame_ts_ms(frame, flen), NS_PER_MS, 1);
	if (r->speed > 0 && t_pace > 0) {
		if (*first_t < 0) {
			*first_t = t_pace;
			*start_mono = clock_mono_ns();
		}
		double due = (double)(t_pace - *first_t) / r->speed;
		sleep_until(r, *start_mono +
		                   (due < 1e17 ? (int64_t)due : INT64_C(100000000000000000)));
	}
	if (push_wait(r, REC_FRAME, t_real, frame, flen))
		atomic_fetch_add(&r->frames, 1);
	else if (!atomic_load(&r->stop))
		skip_line(r, "larger than the ring can carry");
	json_decref(rec);
}

static void *replay_main(void *arg)
{
	struct replay *r = arg;
	int64_t first_t = -1, start_mono = 0;
	enum line_result lr;

	while (!atomic_load(&r->stop) && (lr = lines_next(&r->in)) != LINE_END) {
		if (lr == LINE_TOO_LONG) {
			char why[96];
			snprintf(why, sizeof why, "%zu bytes, longer than the %zu-byte limit",
			         r->in.skipped_len, r->in.max);
			skip_line(r, why);
			continue;
		}
		replay_line(r, &first_t, &start_mono);
	}

	struct conn_event ce = {.kind = CONN_STOPPED};
	uint64_t bad = atomic_load(&r->bad);
	if (r->in.error)
		snprintf(ce.text, sizeof(ce.text), "replay stopped: read error after line %llu: %s",
		         (unsigned long long)r->in.lineno, strerror(r->in.error));
	else if (bad)
		snprintf(ce.text, sizeof(ce.text),
		         "replay finished: %llu of %llu lines skipped (first at line %llu)",
		         (unsigned long long)bad, (unsigned long long)r->in.lineno,
		         (unsigned long long)atomic_load(&r->first_bad));
	else
		snprintf(ce.text, sizeof(ce.text), "replay finished");
	push_wait(r, REC_CONN, clock_real_ns(), &ce, sizeof(ce));
	atomic_store(&r->done, true);
	return NULL;
}

static void replay_free(struct replay *r)
{
	if (r->own_fd && r->in.fd >= 0)
		close(r->in.fd);
	free(r->in.buf);
	free(r);
}

/* Opens a recording: a regular file (never a directory, FIFO or device, which would
 * replay nothing or block), or "-" for standard input. */
static int open_recording(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot replay %s: not a regular file", path);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

struct replay *replay_start(const char *path, double speed, size_t max_line, struct ring *data,
                            char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	if (max_line == 0 || max_line > ring_max_record(data))
		max_line = ring_max_record(data);
	if (r)
		r->in.buf = malloc(max_line + 1);
	if (!r || !r->in.buf) {
		snprintf(err, errlen, "out of memory");
		free(r);
		return NULL;
	}
	r->in.max = max_line;
	r->in.fd = open_recording(path, err, errlen);
	r->own_fd = r->in.fd > 0;
	if (r->in.fd < 0) {
		replay_free(r);
		return NULL;
	}
	r->ring = data;
	r->speed = speed;
	int rc = pthread_create(&r->thread, NULL, replay_main, r);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the replay thread: %s", strerror(rc));
		replay_free(r);
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

uint64_t replay_first_bad_line(const struct replay *r)
{
	return atomic_load(&((struct replay *)r)->first_bad);
}

void replay_stop(struct replay *r)
{
	if (!r)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	replay_free(r);
}

/* ---- recorder ---- */

struct recorder {
	FILE *out;       /* buffered */
	char error[256]; /* first error, "" when none */
};

struct recorder *recorder_open(const char *path, char *err, size_t errlen)
{
	struct recorder *rec = calloc(1, sizeof(*rec));
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Never through a symbolic link (someone else's file), and never a FIFO or device:
	 * opening a FIFO would block before --duration even starts counting. */
	int fd =
	    open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot open %s for recording: %s", path,
		         errno == ELOOP ? "it is a symbolic link (give the real path)"
		                        : strerror(errno));
		if (fd >= 0)
			close(fd);
		free(rec);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot record into %s: not a regular file", path);
		close(fd);
		free(rec);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	rec->out = fdopen(fd, "a");
	if (!rec->out) {
		snprintf(err, errlen, "cannot open %s for recording: %s", path, strerror(errno));
		close(fd);
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
				/* JSON text cannot carry invalid UTF-8: keep the record loadable.
				 */
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
