/*
 * optconf: the config file's part in options_parse (see options.h): where the file is,
 * reading it through the option table, and resolving --watchlist against its sections.
 *
 * Never exits and never touches the terminal.  Main thread only, at start-up.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "conffile.h"
#include "options.h"
#include "sanitize.h"

static int conf_set(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
	return options_set(ctx, name, value, err, errlen);
}

int optconf_read(struct options *o, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *p = o->config_path;
	if (o->no_config) {
		if (p)
			snprintf(err, errlen, "--config and --no-config: choose one");
		return p ? -1 : 0;
	}
	if (!p &&
	    conffile_xdg_path(path, sizeof(path), "XDG_CONFIG_HOME", ".config", "config") != 0)
		return 0; /* no HOME: no default file */
	if (!p)
		p = path;
	/* The default file may be absent; one named with --config must be there. */
	enum conf_read r =
	    conffile_read(&o->conf, p, !o->config_path, true, conf_set, o, err, errlen);
	return r == CONF_READ_ERROR ? -1 : 0;
}

int optconf_watchlists(struct options *o, char *err, size_t errlen)
{
	char name[CONF_NAME_MAX], file[256];
	for (size_t i = 0; i < o->nwatchlists; i++) {
		const struct conf_watchlist *w = conffile_watchlist(&o->conf, o->watchlists[i]);
		if (!w) {
			sanitize_text(name, sizeof(name), o->watchlists[i],
			              strlen(o->watchlists[i]));
			sanitize_text(file, sizeof(file), o->conf.path, strlen(o->conf.path));
			if (file[0])
				snprintf(err, errlen, "--watchlist %s: no [watchlist %s] in %s",
				         name, name, file);
			else
				snprintf(err, errlen, "--watchlist %s: no config file was read%s",
				         name, o->no_config ? " (--no-config)" : "");
			return -1;
		}
		for (size_t j = 0; j < w->assets.n; j++)
			if (assetlist_add(&o->assets, w->assets.ids[j], strlen(w->assets.ids[j]),
			                  w->assets.labels[j], err, errlen) != 0)
				return -1;
	}
	return 0;
}
