/*
 * conffile: config and state file text (see conffile.h).  Main thread only.
 */
#include "config.h"

#include "conffile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sanitize.h"

#define SHOWN_MAX 96 /* bytes of a bad line quoted back */

static void why_set(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

static char *skip_ws(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

static bool at_end(const char *p)
{
	return *p == '\0' || *p == '#';
}

/* A "quoted" value from p (at the opening quote), unescaped in place into *out. */
static int lex_quoted(char *p, char **out, char *why, size_t wl)
{
	char *w = p, *r = p + 1;
	*out = w;
	for (; *r && *r != '"'; r++) {
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\') {
				why_set(
				    why, wl,
				    "only \\\" and \\\\ may follow a backslash in a quoted value");
				return -1;
			}
		}
		*w++ = *r;
	}
	if (*r != '"') {
		why_set(why, wl, "the quoted value has no closing '\"'");
		return -1;
	}
	*w = '\0';
	if (!at_end(skip_ws(r + 1))) {
		why_set(why, wl, "text after the closing '\"' (a comment starts with '#')");
		return -1;
	}
	return 0;
}

/* "name = value", "name = \"value\"" or a bare "name"; p starts at the name. */
static int lex_setting(char *p, char **name, char **value, char *why, size_t wl)
{
	*name = p;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	char *nend = p;
	p = skip_ws(p);
	if (nend == *name || nend - *name >= CONF_NAME_MAX || (*p != '=' && !at_end(p))) {
		why_set(why, wl,
		        "expected 'name = value', a [watchlist NAME] section or a # comment");
		return -1;
	}
	bool bare = at_end(p);
	*nend = '\0';
	if (bare) {
		*value = NULL;
		return 0;
	}
	p = skip_ws(p + 1);
	if (*p == '"')
		return lex_quoted(p, value, why, wl);
	*value = p;
	char *hash = strstr(p, " #");
	if (*p == '#')
		*p = '\0';
	else if (hash)
		*hash = '\0';
	size_t n = strlen(p);
	while (n && p[n - 1] == ' ')
		p[--n] = '\0';
	return 0;
}

/* "[watchlist NAME]"; p starts at '['. */
static int lex_section(struct conf *c, char *p, unsigned lineno, char *why, size_t wl)
{
	char *close = strchr(p, ']');
	if (!close || !at_end(skip_ws(close + 1))) {
		why_set(why, wl, "a section is '[watchlist NAME]' on a line of its own");
		return -1;
	}
	*close = '\0';
	p = skip_ws(p + 1);
	if (strncmp(p, "watchlist ", 10) != 0) {
		why_set(why, wl, "unknown section: the only kind is [watchlist NAME]");
		return -1;
	}
	char *name = skip_ws(p + 10), *e = name;
	while (isalnum((unsigned char)*e) || *e == '-' || *e == '_' || *e == '.')
		e++;
	if (e == name || e - name >= CONF_NAME_MAX || *skip_ws(e)) {
		why_set(why, wl, "a watchlist name is 1 to %d letters, digits, '-', '_' or '.'",
		        CONF_NAME_MAX - 1);
		return -1;
	}
	*e = '\0';
	const struct conf_watchlist *dup = conffile_watchlist(c, name);
	if (dup) {
		why_set(why, wl, "watchlist '%s' is already defined at line %u", name, dup->line);
		return -1;
	}
	struct conf_watchlist *w = realloc(c->wl, (c->nwl + 1) * sizeof(*w));
	if (!w) {
		why_set(why, wl, "out of memory");
		return -1;
	}
	c->wl = w;
	w += c->nwl++;
	*w = (struct conf_watchlist){.line = lineno};
	snprintf(w->name, sizeof(w->name), "%s", name);
	return 0;
}

static int keep_value(struct conf *c, char **value, char *why, size_t wl)
{
	char **v = realloc(c->vals, (c->nvals + 1) * sizeof(*v));
	if (v)
		c->vals = v;
	char *copy = v ? strdup(*value) : NULL;
	if (!copy) {
		why_set(why, wl, "out of memory");
		return -1;
	}
	c->vals[c->nvals++] = copy;
	*value = copy;
	return 0;
}

struct reader {
	struct conf *c;   /* being filled */
	bool sections;    /* [watchlist] allowed */
	conf_set_fn *set; /* applies a setting */
	void *ctx;        /* for set */
};

/* One line without its newline.  Returns 0, or -1 with the reason in why. */
static int parse_line(struct reader *r, char *line, unsigned lineno, char *why, size_t wl)
{
	for (char *t = line; *t; t++)
		if (*t == '\t')
			*t = ' ';
	size_t n = strlen(line);
	if (n && line[n - 1] == '\r')
		line[--n] = '\0'; /* a file from Windows */
	if (!sanitize_is_clean(line, n)) {
		why_set(why, wl, "control characters or invalid UTF-8");
		return -1;
	}
	char *p = skip_ws(line);
	if (at_end(p))
		return 0;
	if (*p == '[' && r->sections)
		return lex_section(r->c, p, lineno, why, wl);
	if (r->c->nwl) {
		struct conf_watchlist *w = &r->c->wl[r->c->nwl - 1];
		if (isalpha((unsigned char)*p) && strchr(p, '=')) {
			why_set(why, wl, "settings go before the first [watchlist] section");
			return -1;
		}
		return assetlist_add_line(&w->assets, p, why, wl);
	}
	char *name, *value;
	if (lex_setting(p, &name, &value, why, wl) != 0)
		return -1;
	if (value && keep_value(r->c, &value, why, wl) != 0)
		return -1;
	return r->set(r->ctx, name, value, why, wl);
}

static FILE *open_regular(const char *path, const char *shown, bool missing_ok, enum conf_read *rc,
                          char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO must not block */
	if (fd < 0) {
		*rc = (errno == ENOENT && missing_ok) ? CONF_READ_ABSENT : CONF_READ_ERROR;
		snprintf(err, errlen, "cannot open %s: %s", shown, strerror(errno));
		return NULL;
	}
	*rc = CONF_READ_ERROR;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file%s", shown,
		         S_ISDIR(st.st_mode) ? " (a directory)" : "");
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", shown, strerror(errno));
		close(fd);
	}
	return f;
}

enum conf_read conffile_read(struct conf *c, const char *path, bool missing_ok, bool sections,
                             conf_set_fn *set, void *ctx, char *err, size_t errlen)
{
	char shown[256], text[SHOWN_MAX], why[512];
	sanitize_text(shown, sizeof(shown), path, strlen(path));
	enum conf_read rc;
	FILE *f = open_regular(path, shown, missing_ok, &rc, err, errlen);
	if (!f)
		return rc;
	snprintf(c->path, sizeof(c->path), "%s", path);
	struct reader r = {.c = c, .sections = sections, .set = set, .ctx = ctx};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	rc = CONF_READ_OK;
	for (unsigned lineno = 1; rc == CONF_READ_OK && (n = getline(&line, &cap, f)) >= 0;
	     lineno++) {
		char *p = line;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* a UTF-8 byte-order mark, as some editors write */
		size_t len = (size_t)n - (size_t)(p - line);
		if (len && p[len - 1] == '\n')
			p[--len] = '\0';
		sanitize_text(text, sizeof(text), p, len);
		if (memchr(p, '\0', len))
			snprintf(why, sizeof(why), "a NUL byte: not a text file");
		else if (parse_line(&r, p, lineno, why, sizeof(why)) == 0)
			continue;
		snprintf(err, errlen, "%s:%u: %s (the line: %s)", shown, lineno, why, text);
		rc = CONF_READ_ERROR;
	}
	if (rc == CONF_READ_OK && ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", shown, strerror(errno));
		rc = CONF_READ_ERROR;
	}
	free(line);
	fclose(f);
	return rc;
}

const struct conf_watchlist *conffile_watchlist(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nwl; i++)
		if (strcmp(c->wl[i].name, name) == 0)
			return &c->wl[i];
	return NULL;
}

int conffile_xdg_path(char *buf, size_t cap, const char *env_var, const char *home_rel,
                      const char *leaf)
{
	const char *base = getenv(env_var), *home = getenv("HOME");
	int n;
	if (base && base[0] == '/')
		n = snprintf(buf, cap, "%s/clobtop/%s", base, leaf);
	else if (home && home[0])
		n = snprintf(buf, cap, "%s/%s/clobtop/%s", home, home_rel, leaf);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

void conffile_quote(char *buf, size_t cap, const char *value)
{
	size_t o = 0;
	if (*value && !strpbrk(value, " #\"\\") && cap) {
		snprintf(buf, cap, "%s", value);
		return;
	}
	for (const char *p = value; o + 4 < cap; p++) {
		if (p == value)
			buf[o++] = '"';
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	if (cap) {
		if (o + 1 < cap)
			buf[o++] = '"';
		buf[o < cap ? o : cap - 1] = '\0';
	}
}

/* Edit distance, for "did you mean" (names are short). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[CONF_NAME_MAX + 1];
	if (la > CONF_NAME_MAX || lb > CONF_NAME_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *conffile_suggest(const char *word, const char *const *names, size_t n)
{
	size_t len = strlen(word), best = SIZE_MAX, limit = len < 6 ? 1 : len / 3;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, names[i]);
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	return best <= limit ? pick : NULL;
}

void conffile_free(struct conf *c)
{
	for (size_t i = 0; i < c->nvals; i++)
		free(c->vals[i]);
	for (size_t i = 0; i < c->nwl; i++)
		assetlist_free(&c->wl[i].assets);
	free(c->vals);
	free(c->wl);
	*c = (struct conf){0};
}
