/*
 * statefile: the dashboard's view (sort and filter) kept across runs in
 * $XDG_STATE_HOME/clobtop/state (~/.local/state/clobtop/state without it).
 *
 * The file is conffile's "name = value" text: version, sort, filter.  It is read at start
 * (a corrupt one is ignored with a warning, never fatal) and replaced atomically on exit
 * (a temporary file beside it, fsync, rename), so a crash leaves the old or the new file,
 * never half of one.  Never touches the terminal: messages come back to the caller.
 *
 * Main thread only, at start-up and at exit.
 */
#ifndef CLOBTOP_STATEFILE_H
#define CLOBTOP_STATEFILE_H

#include <stddef.h>

#include "ui/ui.h"

/* Where the state lives; -1 when neither XDG_STATE_HOME nor HOME says. */
int statefile_path(char *buf, size_t cap);

/* 1 when v was filled from path, 0 when there is no file, -1 when it is unusable (warn
 * says why; v is then cleared). */
int statefile_load(const char *path, struct ui_view *v, char *warn, size_t cap);

/* Writes v to path atomically, creating its directory.  0, or -1 with err. */
int statefile_save(const char *path, const struct ui_view *v, char *err, size_t cap);

#endif
