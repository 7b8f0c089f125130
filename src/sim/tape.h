/*
 * tape: a recording to replay, loaded whole into memory.
 *
 * A JSON Lines file whose lines are either raw frames or records
 * {"t_ns":<receipt time ns>,"frame":"<frame text>"}.  Loading happens once at start-up;
 * serving never allocates.  Never alters a frame's bytes.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#ifndef CLOBSIM_TAPE_H
#define CLOBSIM_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tape_frame {
	const char *text;  /* frame bytes (inside tape.data), not NUL-terminated */
	size_t len;        /* bytes */
	int64_t t_ns;      /* offset from the first frame, ns; 0 for raw lines */
	bool price_change; /* mentions price_change (a --drop-every candidate) */
};

struct tape {
	char *data;               /* decoded frame bytes (heap) */
	struct tape_frame *frame; /* frames in file order (heap) */
	size_t n;                 /* entries at frame */
};

/* Load path.  Returns 0, or -1 with a reason in err. */
int tape_load(struct tape *t, const char *path, char *err, size_t errlen);
void tape_free(struct tape *t);

#endif
