/*
 * fillcost_tool: reads books as text on stdin and prints fillcost's answers, for
 * tests/fillcost_check.py to compare with its own (decimal.Decimal) calculation.
 *
 *   in:  "BOOK <id>", then "B <price> <size>" / "A <price> <size>" lines, then "END"
 *   out: "<id> <size-text> BUY|SELL <sufficient> <filled> <notional> <vwap> <slip_x100>"
 *        (micro-units as integers; vwap -1 when nothing filled)
 * Sizes: argv[1] in --depth-sizes form.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fillcost.h"

static void answer(const char *id, const struct book *b, const struct fill_size *sz, int n)
{
	for (int i = 0; i < n; i++)
		for (int t = 0; t < 2; t++) {
			struct fill_cost c;
			char st[32];
			fillcost_compute(b, (enum side)t, &sz[i], &c);
			fillcost_size_text(&sz[i], st, sizeof(st));
			printf("%s %s %s %d %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", id,
			       st, t == SIDE_BID ? "BUY" : "SELL", c.sufficient, c.filled,
			       c.notional, c.vwap, c.slip_bps_x100);
		}
}

int main(int argc, char **argv)
{
	struct fill_size sz[FILLCOST_MAX_SIZES];
	char err[200], line[512], id[100] = "";
	int n =
	    argc > 1 ? fillcost_parse_sizes(argv[1], sz, FILLCOST_MAX_SIZES, err, sizeof(err)) : -1;
	if (n < 0) {
		fprintf(stderr, "usage: fillcost_tool SIZES < books (%s)\n", argc > 1 ? err : "");
		return 2;
	}
	struct book b;
	book_init(&b);
	while (fgets(line, sizeof(line), stdin)) {
		char p[64], z[64];
		int64_t pv, zv;
		if (sscanf(line, "BOOK %99s", id) == 1) {
			book_clear(&b);
		} else if (strncmp(line, "END", 3) == 0) {
			answer(id, &b, sz, n);
		} else if (sscanf(line, "%*c %63s %63s", p, z) == 2 &&
		           num_parse(p, strlen(p), &pv) == NUM_OK &&
		           num_parse(z, strlen(z), &zv) == NUM_OK) {
			book_apply_level(&b, line[0] == 'B' ? SIDE_BID : SIDE_ASK, pv, zv);
		} else {
			fprintf(stderr, "fillcost_tool: bad line: %s", line);
			return 2;
		}
	}
	book_free(&b);
	return 0;
}
