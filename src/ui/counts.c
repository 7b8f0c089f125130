/*
 * counts: the header's roll-up of the assets by display state ("fresh 9812 stale 120
 * no-feed 60"), from the counts the table build made in its one scan of the assets.
 *
 * Never scans the model: at 10,000 assets the header costs what it costs at ten.
 * Draws our own words only.  Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <stdio.h>

void ui_header_counts(struct ui_flow *fl, const struct ui *u)
{
	char t[48];
	snprintf(t, sizeof t, "assets %zu", u->nsubscribed);
	ui_flow_put(fl, A_NORMAL, t);
	for (int d = 0; d < UI_DS_COUNT; d++) {
		if (!u->state_count[d]) {
			continue;
		}
		snprintf(t, sizeof t, "%s %zu", ui_dstate_word((enum ui_dstate)d),
		         u->state_count[d]);
		ui_flow_put(fl, ui_attr(u, ui_dstate_color((enum ui_dstate)d)), t);
	}
}
