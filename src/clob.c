/* clob: see clob.h. */
#include "clob.h"

bool token_id_valid(const char *s, size_t len)
{
	if (len == 0 || len > TOKEN_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9') /* not isdigit(): that depends on the locale */
			return false;
	return true;
}
