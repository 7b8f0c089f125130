/* mem: see mem.h. */
#include <stdlib.h>

#include "mem.h"

bool mem_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : (first ? first : 16);
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return false;
		n *= 2;
	}
	void *q = realloc(*arr, n * elem);
	if (!q)
		return false;
	*arr = q;
	*cap = n;
	return true;
}
