/*
 * options: clobtop's command line.
 *
 * One table (options.c) names every option once: its long and short name, the argument
 * name, the default as text, the help line and the handler that parses it.  The same
 * table drives getopt_long, --help and the defaults (each default is parsed by its
 * option's own handler, so the text shown is the value used); tests/options_doc.sh holds
 * man/clobtop.1 to it.
 *
 * Before the command line, the config file (conffile.h; --config, --no-config) is read
 * through the same table: "name = value" with the long names.
 *
 * Never exits and never touches the terminal: errors come back as a message, --help and
 * --version are written to the FILE the caller gives.  Reads the files the options name
 * (--assets-file) and checks the ones it will write (their directories) so a mistake is
 * reported at start, not an hour later.
 *
 * Main thread only (getopt_long keeps global state).
 */
#ifndef CLOBTOP_OPTIONS_H
#define CLOBTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assetlist.h"
#include "conffile.h"
#include "discover.h"
#include "feed.h"
#include "market.h"
#include "optredis.h"
#include "ui/ui.h"

/* Exit statuses, documented in --help and clobtop(1) EXIT STATUS. */
#define EXIT_OK      0 /* ran and stopped as asked */
#define EXIT_RUNTIME 1 /* ran, but an export, the recording or the connection failed */
#define EXIT_USAGE   2 /* bad command line, or could not start */

struct options {
	const char *url;           /* --url */
	bool demo;                 /* --demo */
	const char *sim_path;      /* --sim: clobsim binary for --demo, NULL = next to clobtop */
	const char *replay;        /* --replay FILE, "-" = standard input */
	double speed;              /* --speed: 0 = max */
	bool headless;             /* --headless */
	int64_t duration_ms;       /* --duration, 0 = until stopped */
	const char *export_path;   /* --export FILE: written at the end */
	const char *export_dir;    /* --export-dir: for 'e' and --export-every */
	int64_t export_every_ms;   /* --export-every, 0 = never */
	const char *metrics_file;  /* --metrics-file */
	const char *listen;        /* --listen ADDR:PORT: the HTTP query API, or NULL */
	bool listen_remote;        /* --listen-remote: a non-loopback --listen is allowed */
	int depth;                 /* --depth: levels per side in snapshots, 0 = all */
	const char *record;        /* --record FILE */
	const char *ca_file;       /* --ca-file */
	bool insecure;             /* --insecure */
	const char *gamma_url;     /* --gamma */
	bool no_gamma;             /* --no-gamma */
	size_t ring_size;          /* --ring-size, bytes */
	int per_conn;              /* --per-connection: assets per WebSocket (pool.h) */
	bool summary;              /* --summary: one line per second in headless mode */
	bool user;                 /* --user: open the user channel */
	const char *user_url;      /* --user-url, NULL = derived from --url */
	const char *user_creds;    /* --user-creds FILE, NULL = the environment */
	int64_t trade_stuck_ms;    /* --trade-stuck-after */
	struct feed_config feed;   /* feed thread settings (max_message 0 = what the ring holds) */
	struct market_config mcfg; /* health thresholds */
	struct rest_options rest;  /* REST truth: --rest-url, --audit-every, fallback */
	struct ui_options ui;      /* screen settings */
	struct redis_options rcfg; /* --redis*, --depth-sizes, --on-alert* */
	struct discover_options disc; /* --all-markets, --event, --tag, --follow-new, ... */
	struct asset_list assets;  /* --asset / --assets-file / --watchlist */
	const char *config_path;   /* --config, NULL = the default file */
	bool no_config;            /* --no-config */
	const char **watchlists;   /* --watchlist names (owned array, borrowed names) */
	size_t nwatchlists;        /* in watchlists */
	struct conf conf;          /* the config file read: owns its values and watchlists */
};

enum options_status {
	OPTIONS_RUN,   /* parsed and consistent: run */
	OPTIONS_DONE,  /* --help or --version was written: exit EXIT_OK */
	OPTIONS_ERROR, /* the message in err says what is wrong: exit EXIT_USAGE */
};

/* Parses argv into o (defaults first, from the table), then checks the options against
 * each other and against the file system.  --help and --version write to out.  Only
 * OPTIONS_RUN leaves anything for options_free. */
enum options_status options_parse(struct options *o, int argc, char **argv, FILE *out, char *err,
                                  size_t errlen);

/* The --help text. */
void options_usage(FILE *out);

/* True when standard input carries the replay (--replay -), so nothing else reads it. */
bool options_stdin_is_replay(const struct options *o);

/* The table for the config file and tests: options_name gives the long name of entry i
 * (NULL when it cannot be set in a file, such as --help) and its argument name in *arg
 * (NULL for a flag). */
size_t options_count(void);
const char *options_name(size_t i, const char **arg);
/* "name = value" through the table (value NULL: a bare flag).  Returns 0, or -1 with err. */
int options_set(struct options *o, const char *name, const char *value, char *err, size_t errlen);

/* The config file half of options_parse (optconf.c): reads the file --config or
 * --no-config chose, then adds the assets of every --watchlist.  0, or -1 with err. */
int optconf_read(struct options *o, char *err, size_t errlen);
int optconf_watchlists(struct options *o, char *err, size_t errlen);

/* Frees what options_parse allocated (the asset list). */
void options_free(struct options *o);

#endif
