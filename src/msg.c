/* msg: see msg.h. */
#include "msg.h"

static const char *const conn_names[] = {
#define X(e, s) s,
    CONN_EVENTS(X)
#undef X
};

const char *conn_kind_name(enum conn_kind k)
{
	if ((int)k < 0 || k >= CONN_KIND_COUNT)
		return "?";
	return conn_names[k];
}
