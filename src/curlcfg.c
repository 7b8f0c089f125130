/* curlcfg: see curlcfg.h. */
#include <stdio.h>
#include <string.h>

#include "curlcfg.h"

bool curlcfg_tls(CURL *c, const char *ca_file, bool insecure)
{
	bool ok = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L) == CURLE_OK;
	if (!insecure && ca_file)
		ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, ca_file) == CURLE_OK;
	return ok;
}

bool curlcfg_http(CURL *c, char *errbuf, long connect_ms, long timeout_ms, size_t max_body,
                  const char *ca_file, bool insecure)
{
	bool ok = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "clobtop") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body) == CURLE_OK;
	return ok && curlcfg_tls(c, ca_file, insecure);
}

static bool has_protocol(const curl_version_info_data *v, const char *name)
{
	for (const char *const *p = v->protocols; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

bool curlcfg_has_ws(char *err, size_t errlen)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	bool ws = has_protocol(v, "ws"), wss = has_protocol(v, "wss");
	if (!ws)
		snprintf(err, errlen,
		         "libcurl %s has no WebSocket support: run scripts/install-deps as root",
		         v->version);
	else if (!wss)
		snprintf(err, errlen,
		         "libcurl %s has ws:// but not wss:// (built without TLS): run "
		         "scripts/install-deps as root",
		         v->version);
	return ws && wss;
}
