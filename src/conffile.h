/*
 * conffile: the text format of clobtop's config file and state file.
 *
 * A file is lines of "name = value" (a bare "name" means "name = yes"), '#' comments,
 * blank lines, and, in a config file, "[watchlist NAME]" sections whose lines are
 * "ID [label] [# comment]" as in an assets file.  A value may be "double quoted" (with \"
 * and \\ inside) to keep spaces or a '#'; unquoted, it ends at whitespace followed by
 * '#'.  A UTF-8 byte-order mark is ignored.  A bad line is reported as FILE:LINE with its
 * text sanitised; what a name means is the caller's business (conf_set_fn).
 *
 * Never touches the terminal and never exits: errors come back in err.  Keeps every value
 * it hands out alive until conffile_free, so the caller may store the pointers.  Refuses a
 * file that is not a regular file (a directory, a FIFO, a device).
 *
 * Main thread only, at start-up and at exit.
 */
#ifndef CLOBTOP_CONFFILE_H
#define CLOBTOP_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "assetlist.h"

#define CONF_NAME_MAX 64 /* bytes of a key or watchlist name */

struct conf_watchlist {
	char name[CONF_NAME_MAX]; /* [watchlist NAME] */
	unsigned line;            /* where the section starts */
	struct asset_list assets; /* its ID [label] lines */
};

struct conf {
	char path[4096];           /* the file read, "" when none */
	char **vals;               /* values handed to the caller (owned) */
	size_t nvals;              /* in vals */
	struct conf_watchlist *wl; /* sections (owned) */
	size_t nwl;                /* in wl */
};

/* Applies one "name = value" line; returns 0, or -1 with the reason in err. */
typedef int conf_set_fn(void *ctx, const char *name, const char *value, char *err, size_t errlen);

enum conf_read {
	CONF_READ_OK = 0,     /* read and applied */
	CONF_READ_ABSENT = 1, /* no such file (only when missing_ok) */
	CONF_READ_ERROR = -1, /* err says why, as FILE:LINE: ... for a bad line */
};

/* Reads path into c, calling set for each "name = value" line in order.  sections allows
 * [watchlist NAME] sections (the config file; the state file has none). */
enum conf_read conffile_read(struct conf *c, const char *path, bool missing_ok, bool sections,
                             conf_set_fn *set, void *ctx, char *err, size_t errlen);

/* The section [watchlist name], or NULL. */
const struct conf_watchlist *conffile_watchlist(const struct conf *c, const char *name);

/* $base/clobtop/leaf where base is $env_var when it is an absolute path, else
 * $HOME/home_rel.  Returns 0, or -1 when neither is set (nothing to read or write). */
int conffile_xdg_path(char *buf, size_t cap, const char *env_var, const char *home_rel,
                      const char *leaf);

/* Writes value so conffile_read gives it back: quoted when it needs to be. */
void conffile_quote(char *buf, size_t cap, const char *value);

/* The name in names closest to word when it is close enough to be a likely typo, or NULL. */
const char *conffile_suggest(const char *word, const char *const *names, size_t n);

void conffile_free(struct conf *c);

#endif
