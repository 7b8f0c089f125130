/*
 * curlcfg: how every clobtop libcurl handle is set up, written once for the feed's
 * WebSocket, the Gamma and REST workers: TLS verification (on unless the
 * operator said --insecure; a private CA from --ca-file) and the start-up check that the
 * linked libcurl speaks ws:// and wss://.
 *
 * Safe from any thread on a handle that thread owns.
 */
#ifndef CLOBTOP_CURLCFG_H
#define CLOBTOP_CURLCFG_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/* Peer and host verification on (off when insecure), CAINFO when ca_file is set.  False
 * when libcurl refused an option. */
bool curlcfg_tls(CURL *c, const char *ca_file, bool insecure);

/* What every clobtop HTTP(S) request shares: libcurl's detailed error into errbuf (of
 * CURL_ERROR_SIZE), no signals, a user agent, connect and whole-request timeouts, http and
 * https only, no redirects, compressed answers accepted, answers above max_body refused,
 * and TLS as curlcfg_tls.  False when libcurl refused an option. */
bool curlcfg_http(CURL *c, char *errbuf, long connect_ms, long timeout_ms, size_t max_body,
                  const char *ca_file, bool insecure);

/* True when the linked libcurl lists both ws and wss; otherwise writes an actionable
 * message into err. */
bool curlcfg_has_ws(char *err, size_t errlen);

#endif
