/* usercreds: see usercreds.h. */
#include "usercreds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire.h"

static const char *const names[3] = {"CLOB_API_KEY", "CLOB_SECRET", "CLOB_PASS_PHRASE"};

static char *slot(struct usercreds *c, int i)
{
	return i == 0 ? c->key : i == 1 ? c->secret : c->passphrase;
}

bool usercreds_complete(const struct usercreds *c)
{
	return c->key[0] && c->secret[0] && c->passphrase[0];
}

/* One NAME=value line into its slot; false (with err) on a malformed line. */
static bool take_line(struct usercreds *c, char *line, size_t len, const char *path,
                      unsigned lineno, char *err, size_t errlen)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return true;
	char *eq = strchr(p, '=');
	size_t nl = eq ? (size_t)(eq - p) : 0;
	while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
		nl--;
	for (int i = 0; eq && i < 3; i++) {
		if (strlen(names[i]) != nl || strncmp(p, names[i], nl) != 0)
			continue;
		size_t vl = strlen(eq + 1);
		if (vl >= USERCREDS_MAX) {
			snprintf(err, errlen, "%s line %u: the value of %s is too long", path,
			         lineno, names[i]);
			return false;
		}
		memcpy(slot(c, i), eq + 1, vl + 1);
		return true;
	}
	/* Say which line, never what it holds: it may be a mistyped secret. */
	snprintf(
	    err, errlen,
	    "%s line %u: not CLOB_API_KEY=, CLOB_SECRET= or CLOB_PASS_PHRASE= (value not shown)",
	    path, lineno);
	return false;
}

static bool perms_ok(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return false;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: refused: the credentials file must be owned by you",
		         path);
		return false;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
		         "%s: refused: the credentials file is accessible by group or others "
		         "(mode %03o); run chmod 600 %s",
		         path, (unsigned)(st.st_mode & 0777), path);
		return false;
	}
	return true;
}

int usercreds_load_file(struct usercreds *c, const char *path, bool check_perms, char *err,
                        size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_perms && !perms_ok(fd, path, err, errlen)) {
		close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IONBF, 0); /* no stdio buffer left holding a secret */
	char line[USERCREDS_MAX + 64];
	unsigned lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		lineno++;
		ok = take_line(c, line, strlen(line), path, lineno, err, errlen);
	}
	explicit_bzero(line, sizeof line);
	fclose(f);
	if (ok && !usercreds_complete(c)) {
		snprintf(err, errlen, "%s: needs CLOB_API_KEY, CLOB_SECRET and CLOB_PASS_PHRASE",
		         path);
		ok = false;
	}
	if (!ok)
		usercreds_wipe(c);
	return ok ? 0 : -1;
}

int usercreds_load_env(struct usercreds *c, char *err, size_t errlen)
{
	for (int i = 0; i < 3; i++) {
		const char *v = getenv(names[i]);
		if (!v || !*v) {
			snprintf(
			    err, errlen,
			    "--user needs CLOB_API_KEY, CLOB_SECRET and CLOB_PASS_PHRASE in the "
			    "environment, or --user-creds FILE (%s is not set)",
			    names[i]);
			usercreds_wipe(c);
			return -1;
		}
		if (strlen(v) >= USERCREDS_MAX) {
			snprintf(err, errlen, "%s is too long", names[i]);
			usercreds_wipe(c);
			return -1;
		}
		snprintf(slot(c, i), USERCREDS_MAX, "%s", v);
	}
	return 0;
}

size_t usercreds_auth_frame(const struct usercreds *c, char *buf, size_t cap,
                            const char *const *markets, size_t n)
{
	return wire_fmt_user(buf, cap, c->key, c->secret, c->passphrase, markets, n);
}

static bool ct_equal(const char *a, const char *b)
{
	unsigned char d = 0;
	for (size_t i = 0; i < USERCREDS_MAX; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

bool usercreds_equal(const struct usercreds *a, const struct usercreds *b)
{
	bool k = ct_equal(a->key, b->key), s = ct_equal(a->secret, b->secret),
	     p = ct_equal(a->passphrase, b->passphrase);
	return k && s && p;
}

void usercreds_wipe(struct usercreds *c)
{
	explicit_bzero(c, sizeof *c);
}
