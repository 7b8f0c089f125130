/*
 * view: the assets table's sort and filter as data, so they outlive a run (statefile.c
 * writes them out).  Never touches the model or the terminal.  UI thread only.
 */
#include "config.h"

#include <string.h>

#include "ui_int.h"

_Static_assert(UI_VIEW_FILTER_MAX == UI_PROMPT_MAX, "a saved filter fits the prompt");

void ui_view_get(const struct ui *u, struct ui_view *v)
{
	snprintf(v->sort, sizeof v->sort, "%s", ui_sort_name(u->sort));
	snprintf(v->filter, sizeof v->filter, "%s", u->filter);
}

int ui_view_set(struct ui *u, const struct ui_view *v, char *err, size_t errlen)
{
	int s = 0;
	while (s < UI_SORT_COUNT && strcmp(ui_sort_name((enum ui_sort)s), v->sort) != 0)
		s++;
	if (v->sort[0] && s == UI_SORT_COUNT) {
		snprintf(err, errlen, "unknown sort '%s'", v->sort);
		return -1;
	}
	if (v->sort[0])
		u->sort = (enum ui_sort)s;
	snprintf(u->filter, sizeof u->filter, "%s", v->filter);
	return 0;
}
