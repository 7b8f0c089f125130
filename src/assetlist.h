/*
 * assetlist: the token ids (and optional labels) the operator names at start, from --asset
 * ID[=LABEL] and --assets-file FILE ("ID [label] [# comment]" per line).
 *
 * Validates every id and reports a bad line as FILE:LINE; text quoted back in an error
 * passes through sanitize first, so an escape sequence in a file never reaches the
 * terminal.  Never touches the model: the caller adds the list to it.
 *
 * Not thread-safe: called from the main thread during start-up only.
 */
#ifndef CLOBTOP_ASSETLIST_H
#define CLOBTOP_ASSETLIST_H

#include <stddef.h>

struct asset_list {
	char **ids;    /* token ids, decimal strings (owned) */
	char **labels; /* their labels (owned), or NULL entries */
	size_t n;      /* entries in ids/labels */
};

/* Adds one id (idlen bytes at id) with an optional label (NULL or "" for none).
 * Returns 0, or -1 with a message in err. */
int assetlist_add(struct asset_list *l, const char *id, size_t idlen, const char *label, char *err,
                  size_t errlen);

/* "ID" or "ID=LABEL".  Returns 0, or -1 with a message in err. */
int assetlist_add_arg(struct asset_list *l, const char *arg, char *err, size_t errlen);

/* One line without its newline, "ID [label] [# comment]"; a blank or comment-only line
 * adds nothing.  Modifies line.  Returns 0, or -1 with the reason in err. */
int assetlist_add_line(struct asset_list *l, char *line, char *err, size_t errlen);

/* Reads "ID [label] [# comment]" lines; blank lines and lines starting with '#' are
 * skipped and a UTF-8 byte-order mark at the start is ignored.  A directory is refused.
 * Returns 0, or -1 with a message ("FILE:LINE: ...") in err. */
int assetlist_read_file(struct asset_list *l, const char *path, char *err, size_t errlen);

void assetlist_free(struct asset_list *l);

#endif
