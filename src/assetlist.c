/*
 * assets: token ids named at start (see assets.h).  Start-up only, main thread.
 */
#include "assetlist.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clob.h"
#include "sanitize.h"

int assetlist_add(struct asset_list *l, const char *id, size_t idlen, const char *label, char *err,
                  size_t errlen)
{
	if (!token_id_valid(id, idlen)) {
		char shown[96];
		sanitize_text(shown, sizeof(shown), id, idlen);
		snprintf(err, errlen, "bad asset id '%s': a token id is 1 to %d decimal digits",
		         shown, TOKEN_ID_MAX);
		return -1;
	}
	char **ids = realloc(l->ids, (l->n + 1) * sizeof(*ids));
	if (ids)
		l->ids = ids;
	char **labels = ids ? realloc(l->labels, (l->n + 1) * sizeof(*labels)) : NULL;
	if (labels)
		l->labels = labels;
	char *i = labels ? strndup(id, idlen) : NULL;
	char *lb = i && label && *label ? strdup(label) : NULL;
	if (!i || (label && *label && !lb)) {
		free(i);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->ids[l->n] = i;
	l->labels[l->n] = lb;
	l->n++;
	return 0;
}

int assetlist_add_arg(struct asset_list *l, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	return assetlist_add(l, arg, eq ? (size_t)(eq - arg) : strlen(arg), eq ? eq + 1 : NULL, err,
	                     errlen);
}

int assetlist_add_line(struct asset_list *l, char *p, char *err, size_t errlen)
{
	char *hash = strchr(p, '#');
	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	char *e = p;
	while (*e && !isspace((unsigned char)*e))
		e++;
	char *label = e;
	while (isspace((unsigned char)*label))
		label++;
	size_t ll = strlen(label);
	while (ll && isspace((unsigned char)label[ll - 1]))
		label[--ll] = '\0';
	return assetlist_add(l, p, (size_t)(e - p), label, err, errlen);
}

int assetlist_read_file(struct asset_list *l, const char *path, char *err, size_t errlen)
{
	char shown[256];
	sanitize_text(shown, sizeof(shown), path, strlen(path));
	FILE *f = fopen(path, "r");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "cannot open assets file %s: %s", shown, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "assets file %s: not a regular file (a directory)", shown);
		fclose(f);
		return -1;
	}
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	for (unsigned lineno = 1; rc == 0 && (n = getline(&line, &cap, f)) >= 0; lineno++) {
		char *p = line;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* a UTF-8 byte-order mark, as some editors write */
		if (memchr(p, '\0', (size_t)n - (size_t)(p - line))) {
			snprintf(err, errlen, "%s:%u: a NUL byte: not a text file", shown, lineno);
			rc = -1;
		} else if (assetlist_add_line(l, p, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", shown, lineno, why);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "cannot read assets file %s: %s", shown, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

void assetlist_free(struct asset_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->ids[i]);
		free(l->labels[i]);
	}
	free(l->ids);
	free(l->labels);
	*l = (struct asset_list){0};
}
