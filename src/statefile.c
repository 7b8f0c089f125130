/*
 * statefile: the view kept across runs (see statefile.h).  Main thread only.
 */
#include "config.h"

#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "sanitize.h"

#define STATE_VERSION "1"

static int state_set(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
	struct ui_view *v = ctx;
	char *dst = NULL;
	size_t cap = 0;
	if (strcmp(name, "version") == 0) {
		if (value && strcmp(value, STATE_VERSION) == 0)
			return 0;
		snprintf(err, errlen, "version %s is not one this clobtop writes (%s)",
		         value ? value : "(none)", STATE_VERSION);
		return -1;
	}
	if (strcmp(name, "sort") == 0) {
		dst = v->sort;
		cap = sizeof(v->sort);
	} else if (strcmp(name, "filter") == 0) {
		dst = v->filter;
		cap = sizeof(v->filter);
	} else {
		return 0; /* written by a newer clobtop: not ours to judge */
	}
	if (!value || strlen(value) >= cap) {
		snprintf(err, errlen, "%s: %s", name, value ? "too long" : "no value");
		return -1;
	}
	snprintf(dst, cap, "%s", value);
	return 0;
}

int statefile_path(char *buf, size_t cap)
{
	return conffile_xdg_path(buf, cap, "XDG_STATE_HOME", ".local/state", "state");
}

int statefile_load(const char *path, struct ui_view *v, char *warn, size_t cap)
{
	struct conf c = {0};
	char why[512];
	*v = (struct ui_view){0};
	enum conf_read r = conffile_read(&c, path, true, false, state_set, v, why, sizeof(why));
	conffile_free(&c);
	if (r == CONF_READ_ERROR) {
		*v = (struct ui_view){0};
		snprintf(warn, cap, "ignoring the saved view: %s", why);
		return -1;
	}
	return r == CONF_READ_OK ? 1 : 0;
}

/* mkdir -p of path's directory (0700: a state directory is private by custom). */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const struct ui_view *v)
{
	char sort[sizeof(v->sort) * 2 + 4], filter[sizeof(v->filter) * 2 + 4];
	char text[sizeof(sort) + sizeof(filter) + 128];
	conffile_quote(sort, sizeof(sort), v->sort);
	conffile_quote(filter, sizeof(filter), v->filter);
	int n = snprintf(text, sizeof(text),
	                 "# clobtop's view, rewritten on exit (delete it to start afresh)\n"
	                 "version = %s\nsort = %s\nfilter = %s\n",
	                 STATE_VERSION, sort, filter);
	for (int off = 0; off < n;) {
		ssize_t w = write(fd, text + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (int)w;
	}
	return fsync(fd);
}

int statefile_save(const char *path, const struct ui_view *v, char *err, size_t cap)
{
	char tmp[PATH_MAX], shown[256];
	sanitize_text(shown, sizeof(shown), path, strlen(path));
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp) || make_parent(path) != 0) {
		snprintf(err, cap, "cannot save the view to %s: %s", shown,
		         n < 0 || (size_t)n >= sizeof(tmp) ? "path too long" : strerror(errno));
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = fd < 0 ? -1 : write_all(fd, v);
	int saved = errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		if (fd >= 0)
			unlink(tmp);
		snprintf(err, cap, "cannot save the view to %s: %s", shown, strerror(saved));
	}
	return rc;
}
