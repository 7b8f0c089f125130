/*
 * sim: clobsim's configuration, filled by main and read by the server, and the call
 * that runs the server.
 *
 * Plain data: nothing here touches sockets or market state.  clobsim is single-threaded;
 * the configuration is written once before net_run and never changed after.
 */
#ifndef CLOBSIM_SIM_H
#define CLOBSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen.h"
#include "restctl.h"

struct sim_faults {
	uint64_t client;         /* apply to this connection id only; 0 = every connection */
	uint64_t close_after;    /* abrupt close after N data frames per connection (0 off) */
	double close_every;      /* seconds between abrupt closes of every connection (0 off) */
	uint64_t stall_after;    /* stop sending anything after N data frames (0 off) */
	uint64_t freeze_after;   /* after N data frames send only PONGs (0 off) */
	uint64_t garbage_every;  /* an invalid-JSON text frame every N data frames (0 off) */
	uint64_t truncate_every; /* a truncated JSON frame every N data frames (0 off) */
	uint64_t oversize_every; /* an oversize valid-JSON frame every N data frames (0 off) */
	size_t oversize_bytes;   /* bytes of the oversize frame */
	bool fragment;           /* split every frame into several WebSocket fragments */
	uint64_t drop_every;     /* withhold one price_change every N per connection (0 off) */
	uint64_t slow_write;     /* bytes/s cap on writes to each connection (0 off) */
};

struct sim_rest {
	uint32_t limit_book;       /* GET /book requests per 10 s window; 0 = no limit */
	uint32_t limit_books;      /* POST /books requests per 10 s window; 0 = no limit */
	struct rest_faults faults; /* REST faults armed at start (--rest-fault) */
};

struct sim_cfg {
	int port;                /* TCP port on 127.0.0.1; 0 picks a free one */
	const char *port_file;   /* also write the port here, or NULL */
	const char *log_file;    /* log here instead of stderr, or NULL */
	const char *state_file;  /* write the final books here at exit, or NULL */
	const char *assets_out;  /* write "TOKEN label" per visible token at start, or NULL */
	const char *tls_cert;    /* PEM certificate: serve wss/https, or NULL */
	const char *tls_key;     /* PEM private key */
	double rate;             /* frames/s of synthetic flow in total; 0 = none */
	bool rate_max;           /* as fast as the slowest reader takes them */
	double duration;         /* seconds before exiting by itself; 0 = run until signalled */
	const char *replay;      /* JSON Lines file to serve instead of synthetic flow */
	double speed;            /* replay speed factor (1 = recorded pace) */
	bool speed_max;          /* replay as fast as possible */
	double new_market_every; /* seconds between new_market announcements (0 off) */
	double resolve_every;    /* seconds between market resolutions (0 off) */
	size_t max_buffer;       /* bytes of unsent output before a client is dropped */
	size_t max_msg;          /* largest client message accepted, bytes */
	int max_assets;          /* asset ids in one frame before the socket is closed */
	struct gen_cfg gen;      /* synthetic markets */
	struct sim_faults fault; /* fault injection */
	struct sim_rest rest;    /* REST book service */
};

/* Run the server until a signal, --duration, or a fatal error.  Returns an exit code. */
int net_run(const struct sim_cfg *cfg);

#endif
