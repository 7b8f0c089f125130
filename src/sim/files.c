/*
 * files: the files clobsim writes besides its log: --port-file and --state-file
 * (atomically, through a temporary file and rename) and --assets-out.
 *
 * Never writes a file partially in place of a complete one; never touches sockets.
 * Called only from clobsim's single thread, at start-up and at exit.
 */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rest.h"
#include "simclock.h"

static int write_text_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

/* "TOKEN outcome · question" per visible token.  Returns 0, or -1 with a message on
 * stderr. */
int files_write_assets(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "clobsim: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < g->nmarkets; i++)
		for (int k = 0; k < 2 && g->m[i].visible; k++)
			fprintf(f, "%s %s \u00b7 %s\n", g->m[i].token[k], g->m[i].outcome[k],
			        g->m[i].question);
	if (fclose(f) != 0) {
		fprintf(stderr, "clobsim: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

void files_write_port(const char *path, int port)
{
	char pb[16];
	int n = snprintf(pb, sizeof pb, "%d\n", port);

	if (write_text_file(path, pb, (size_t)n) != 0)
		sim_log("cannot write port file %s: %s", path, strerror(errno));
}

void files_write_state(struct server *s)
{
	struct sbuf b = {0};

	rest_state(&s->gen, s->url, sim_real_ms(), &b);
	if (!b.p || write_text_file(s->cfg->state_file, b.p, b.len) != 0)
		sim_log("cannot write state file %s: %s", s->cfg->state_file, strerror(errno));
	else
		sim_log("state written to %s", s->cfg->state_file);
	sbuf_free(&b);
}
