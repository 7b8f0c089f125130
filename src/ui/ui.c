/*
 * ui: the curses core: terminal set-up and restore, the pane table, layout of windows,
 * the keyboard and mouse, prompts, the status line and the help overlay.
 *
 * It owns the screen and struct ui; the model changes only through market_add,
 * market_remove and market_resync, and the feed only through the hooks.  Must never
 * block (input is non-blocking), print bytes that are not from the model or our own
 * strings, or return to the caller with the terminal half-restored.
 */
#include "ui_int.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define STATUS_NS    INT64_C(4000000000) /* how long a status message stays */
#define PENDING_KEYS 64                  /* keys queued by ui_push_key */

static const struct pane *const panes[UI_PANE_COUNT] = {
    [UI_PANE_HEADER] = &ui_header_pane, [UI_PANE_LATENCY] = &ui_latency_pane,
    [UI_PANE_ASSETS] = &ui_assets_pane, [UI_PANE_BOOK] = &ui_book_pane,
    [UI_PANE_TRADES] = &ui_trades_pane, [UI_PANE_ALERTS] = &ui_alerts_pane,
};

static const struct {
	short fg; /* colour, -1 for the terminal's default */
	short bg; /* ditto */
} color_pairs[] = {
#define X(e, fg, bg, ca, ma) [e] = {fg, bg},
    UI_COLORS(X)
#undef X
};

static const struct {
	const char *keys; /* as shown in help */
	const char *what; /* what the key does */
} actions[] = {[ACT_NONE] = {"", ""},
#define X(e, k, d) [e] = {k, d},
               UI_ACTIONS(X)
#undef X
};

/* The one live ui (curses has one terminal per process) and the flag the emergency
 * restore reads. */
static struct ui *g_live;
static volatile sig_atomic_t g_curses_on;

struct ui_private {
	struct ui pub;                  /* must be first */
	WINDOW *input;                  /* never drawn: reading from it never repaints */
	WINDOW *help;                   /* overlay window, NULL when hidden */
	int pending[PENDING_KEYS];      /* keys from ui_push_key, FIFO */
	bool pending_key[PENDING_KEYS]; /* ...and whether each is a KEY_* code */
	size_t npending;                /* in use */
	bool offscreen;                 /* not a real terminal: never ask the tty its size */
};

static struct ui_private *priv(struct ui *u)
{
	return (struct ui_private *)u;
}

void ui_status(struct ui *u, const char *fmt, ...)
{
	if (!u) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof u->status, fmt, ap);
	va_end(ap);
	u->status_until = clock_mono_ns() + STATUS_NS;
}

bool ui_paused(const struct ui *u)
{
	return u && u->paused;
}

static void init_colors(struct ui *u)
{
	const char *nc = getenv("NO_COLOR");
	u->color = false;
	if (u->opt.no_color || (nc && nc[0]) || !has_colors() || start_color() == ERR ||
	    COLORS < 8) {
		return;
	}
	bool dflt = use_default_colors() == OK;
	for (int i = 0; i < UC_COUNT; i++) {
		short fg = color_pairs[i].fg, bg = color_pairs[i].bg;
		if (!dflt) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		if (init_pair((short)(i + 1), fg, bg) == ERR) {
			return;
		}
	}
	u->color = true;
}

static void free_windows(struct ui *u)
{
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		if (u->win[i]) {
			delwin(u->win[i]);
			u->win[i] = NULL;
		}
	}
	if (u->status_win) {
		delwin(u->status_win);
		u->status_win = NULL;
	}
	if (priv(u)->help) {
		delwin(priv(u)->help);
		priv(u)->help = NULL;
	}
}

static WINDOW *win_for(const struct ui_rect *r)
{
	return ui_rect_empty(r) ? NULL : newwin(r->h, r->w, r->y, r->x);
}

static bool focusable(const struct ui *u, enum ui_pane_id id)
{
	return panes[id]->key && !ui_rect_empty(&u->lay.pane[id]);
}

static void apply_layout(struct ui *u)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	free_windows(u);
	ui_layout(cols, rows, &u->lay);
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		u->win[i] = win_for(&u->lay.pane[i]);
	}
	u->status_win = win_for(&u->lay.status);
	priv(u)->help = win_for(&u->lay.help);
	if (!focusable(u, u->focus)) {
		u->focus = UI_PANE_ASSETS;
	}
	u->need_layout = false;
	u->need_clear = true;
}

static struct ui *setup(struct ui_private *p, const struct ui_options *o, const struct ui_hooks *h,
                        SCREEN *scr)
{
	struct ui *u = &p->pub;
	u->scr = scr;
	u->opt = *o;
	if (u->opt.book_levels <= 0) {
		u->opt.book_levels = 10;
	}
	if (u->opt.lat_warn_ms <= 0) {
		u->opt.lat_warn_ms = 5;
	}
	if (u->opt.lat_crit_ms < u->opt.lat_warn_ms) {
		u->opt.lat_crit_ms = u->opt.lat_warn_ms * 2;
	}
	if (h) {
		u->hooks = *h;
	}
	const char *cs = nl_langinfo(CODESET);
	u->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	u->focus = UI_PANE_ASSETS;
	for (int i = 0; i < UI_SPARK_SECS; i++) {
		u->spark[i] = INT64_MIN;
		u->spark_stamp[i] = -1;
	}
	g_curses_on = 1;
	g_live = u;
	cbreak();
	noecho();
	nonl();
	curs_set(0);
	set_escdelay(25);
	init_colors(u);
	p->input = newwin(1, 1, 0, 0);
	if (p->input) {
		keypad(p->input, TRUE);
		nodelay(p->input, TRUE);
		/* Refreshing it once now means reading keys from it never repaints a cell. */
		wnoutrefresh(p->input);
	}
	if (u->opt.mouse) {
		mmask_t want =
		    BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
		u->mouse = mousemask(want, NULL) != 0;
		mouseinterval(0);
	}
	apply_layout(u);
	return u;
}

struct ui *ui_create(const struct ui_options *o, const struct ui_hooks *h, char *err, size_t errlen)
{
	if (g_live) {
		snprintf(err, errlen, "the terminal is already in use by another ui");
		return NULL;
	}
	const char *cur = setlocale(LC_CTYPE, NULL);
	if (!cur || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0) {
		setlocale(LC_CTYPE, "");
	}
	struct ui_private *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory creating the ui");
		return NULL;
	}
	const char *term = getenv("TERM");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen,
		         "cannot start curses on this terminal (TERM=%s): set TERM to a known "
		         "terminal (e.g. xterm-256color) or use --headless",
		         term && term[0] ? term : "unset");
		free(p);
		return NULL;
	}
	set_term(scr);
	return setup(p, o, h, scr);
}

struct ui *ui_create_offscreen(const struct ui_options *o, const struct ui_hooks *h,
                               const char *term, int cols, int rows, FILE *out, FILE *in, char *err,
                               size_t errlen)
{
	if (g_live) {
		snprintf(err, errlen, "the terminal is already in use by another ui");
		return NULL;
	}
	struct ui_private *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory creating the ui");
		return NULL;
	}
	if (!out) {
		out = p->pub.own_out = fopen("/dev/null", "w");
	}
	if (!in) {
		in = p->pub.own_in = fopen("/dev/null", "r");
	}
	SCREEN *scr = out && in ? newterm(term ? term : "xterm-256color", out, in) : NULL;
	if (!scr) {
		snprintf(err, errlen, "cannot start curses offscreen (terminfo %s missing?)",
		         term ? term : "xterm-256color");
		if (p->pub.own_out) {
			fclose(p->pub.own_out);
		}
		if (p->pub.own_in) {
			fclose(p->pub.own_in);
		}
		free(p);
		return NULL;
	}
	set_term(scr);
	resizeterm(rows, cols);
	p->offscreen = true;
	return setup(p, o, h, scr);
}

void ui_destroy(struct ui *u)
{
	if (!u || u != g_live) {
		return;
	}
	set_term(u->scr);
	free_windows(u);
	if (priv(u)->input) {
		delwin(priv(u)->input);
	}
	if (u->mouse) {
		mousemask(0, NULL);
	}
	curs_set(1);
	endwin();
	g_curses_on = 0;
	delscreen(u->scr);
	if (u->own_out) {
		fclose(u->own_out);
	}
	if (u->own_in) {
		fclose(u->own_in);
	}
	free(u->rows);
	g_live = NULL;
	free(priv(u));
}

void ui_emergency_restore(void)
{
	if (g_curses_on) {
		g_curses_on = 0;
		endwin();
	}
}

/* ---- drawing ---- */

static void record_spark(struct ui *u, const struct market_state *m, int64_t now_s)
{
	if (!m->feed_ms) {
		return;
	}
	struct lat_summary s;
	lat_window_summary(m->feed_ms, now_s, 1, &s);
	int slot = (int)(((now_s % UI_SPARK_SECS) + UI_SPARK_SECS) % UI_SPARK_SECS);
	u->spark_stamp[slot] = now_s;
	u->spark[slot] = s.count ? s.p95 : INT64_MIN;
}

static void draw_prompt(struct ui *u, WINDOW *w, int width, const char *prefix)
{
	attr_t a = ui_attr(u, UC_STATUS);
	int x = ui_put(w, 0, 0, width, a | A_BOLD, prefix);
	int room = width - x - 1;
	if (room < 1) {
		return;
	}
	size_t start = u->prompt.cur >= (size_t)room ? u->prompt.cur - (size_t)room + 1 : 0;
	char buf[UI_PROMPT_MAX + 1];
	snprintf(buf, sizeof buf, "%.*s", room, u->prompt.text + start);
	ui_put(w, 0, x, room, a, buf);
	wmove(w, 0, x + (int)(u->prompt.cur - start));
}

static void draw_status(struct ui *u, const struct market_state *m)
{
	WINDOW *w = u->status_win;
	if (!w) {
		return;
	}
	int width = u->lay.status.w;
	attr_t a = ui_attr(u, UC_STATUS);
	werase(w);
	ui_fill(w, 0, 0, width, a);
	char right[96];
	snprintf(right, sizeof right, " %s%s ", panes[u->focus]->name,
	         u->filter[0] ? " [filtered]" : "");
	int rcols = 0;
	ui_text_fit(right, width, &rcols);
	int paused_w = u->paused ? 8 : 0;
	int left_w = width - rcols - paused_w;
	if (left_w < width / 2) {
		left_w = width;
		rcols = 0;
		paused_w = u->paused ? 8 : 0;
		left_w -= paused_w;
	}
	if (rcols) {
		ui_put(w, 0, width - rcols, rcols, a, right);
	}
	if (u->paused) {
		ui_put(w, 0, width - rcols - paused_w, paused_w, ui_attr(u, UC_PAUSED), " PAUSED ");
	}
	switch (u->mode) {
	case UI_MODE_ADD:
		draw_prompt(u, w, left_w, "add (token ids or slug)> ");
		return;
	case UI_MODE_FILTER:
		draw_prompt(u, w, left_w, "filter> ");
		return;
	case UI_MODE_CONFIRM: {
		const struct asset *as =
		    market_find((struct market_state *)m, u->confirm_id, strlen(u->confirm_id));
		char t[200];
		snprintf(t, sizeof t, "unsubscribe %.80s? (y/n)",
		         as ? ui_asset_label(as) : u->confirm_id);
		ui_put(w, 0, 0, left_w, a | A_BOLD, t);
		return;
	}
	default:
		break;
	}
	if (u->status[0] && clock_mono_ns() < u->status_until) {
		ui_put(w, 0, 0, left_w, a | A_BOLD, u->status);
	} else {
		ui_put(w, 0, 0, left_w, a,
		       "? help  a add  d del  r resync  / filter  s sort  p pause  q quit");
	}
}

static void draw_help(struct ui *u)
{
	WINDOW *w = priv(u)->help;
	if (!w) {
		return;
	}
	const struct ui_rect *r = &u->lay.help;
	werase(w);
	attr_t a = ui_attr(u, UC_NORMAL);
	wattrset(w, (int)a);
	box(w, 0, 0);
	wattrset(w, A_NORMAL);
	ui_put(w, 0, 2, r->w - 4, A_BOLD, " clobtop keys (any key closes) ");
	int y = 1;
	for (int i = ACT_NONE + 1; i < ACT_COUNT && y < r->h - 1; i++, y++) {
		ui_put(w, y, 2, 8, ui_attr(u, UC_LABEL) | A_BOLD, actions[i].keys);
		ui_put(w, y, 11, r->w - 13, A_NORMAL, actions[i].what);
	}
	static const char *const extra[] = {
	    "prompt: Left Right Home End BS Del ^U ^W, Enter runs, Esc cancels",
	    "states: fresh quiet await resolved STALE CROSSED DRIFT",
	    "'no feed': the connection is down, the data is not current",
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0] && y < r->h - 1; i++, y++) {
		ui_put(w, y, 2, r->w - 4, ui_attr(u, UC_DIM), extra[i]);
	}
	char t[96];
	snprintf(t, sizeof t, "latency: green < %lldms, yellow <= %lldms, red above",
	         (long long)u->opt.lat_warn_ms, (long long)u->opt.lat_crit_ms);
	if (y < r->h - 1) {
		ui_put(w, y, 2, r->w - 4, ui_attr(u, UC_DIM), t);
	}
	wnoutrefresh(w);
}

static void render_now(struct ui *u, struct market_state *m, int64_t now_mono, int64_t now_real)
{
	set_term(u->scr);
	u->now_mono = now_mono;
	u->now_real = now_real;
	u->now_s = market_now_s(m, now_mono);
	record_spark(u, m, u->now_s);
	struct winsize ws;
	/* A SIGWINCH only reaches curses at its next read; ask the tty so a resize shows at
	 * the next frame even when no key comes. */
	if (!priv(u)->offscreen && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS)) {
		resizeterm(ws.ws_row, ws.ws_col);
		u->need_layout = true;
	}
	if (u->need_layout) {
		apply_layout(u);
	}
	if (u->need_clear) {
		/* Blank the gaps between panes too: an overlay or a resize may have left
		 * cells there that no pane window covers.  A resize repaints once even when
		 * paused. */
		werase(stdscr);
		wnoutrefresh(stdscr);
		clearok(curscr, TRUE);
		u->need_clear = false;
	} else if (u->paused) {
		draw_status(u, m);
		if (u->status_win) {
			wnoutrefresh(u->status_win);
		}
		doupdate();
		return;
	}
	ui_rows_build(u, m, now_mono, u->now_s);
	struct ui_frame f = {u, m, now_mono, now_real, u->now_s};
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		if (!u->win[i]) {
			continue;
		}
		werase(u->win[i]);
		panes[i]->draw(u->win[i], &f, &u->lay.pane[i]);
		wnoutrefresh(u->win[i]);
	}
	if (u->mode == UI_MODE_HELP) {
		draw_help(u);
	}
	draw_status(u, m);
	bool prompt = u->mode == UI_MODE_ADD || u->mode == UI_MODE_FILTER;
	curs_set(prompt ? 1 : 0);
	if (u->status_win) {
		leaveok(u->status_win, !prompt);
		wnoutrefresh(u->status_win);
	}
	doupdate();
}

void ui_render(struct ui *u, struct market_state *m, int64_t now_mono_ns, int64_t now_real_ns)
{
	if (!u || !m) {
		return;
	}
	render_now(u, m, now_mono_ns, now_real_ns);
}

/* ---- input ---- */

static enum ui_action action_for(int ch, bool is_key)
{
	if (is_key) {
		switch (ch) {
		case KEY_UP:
			return ACT_UP;
		case KEY_DOWN:
			return ACT_DOWN;
		case KEY_PPAGE:
			return ACT_PGUP;
		case KEY_NPAGE:
			return ACT_PGDN;
		case KEY_HOME:
			return ACT_TOP;
		case KEY_END:
			return ACT_BOTTOM;
		case KEY_BTAB:
			return ACT_PREV_PANE;
		case KEY_ENTER:
			return ACT_ENTER;
		case KEY_MOUSE:
			return ACT_MOUSE;
		default:
			return ACT_NONE;
		}
	}
	switch (ch) {
	case '?':
	case 'h':
		return ACT_HELP;
	case 'q':
	case 'Q':
		return ACT_QUIT;
	case 'a':
	case '+':
		return ACT_ADD;
	case 'd':
		return ACT_DEL;
	case 'r':
		return ACT_RESYNC;
	case 'k':
		return ACT_UP;
	case 'j':
		return ACT_DOWN;
	case 'g':
		return ACT_TOP;
	case 'G':
		return ACT_BOTTOM;
	case '\t':
		return ACT_NEXT_PANE;
	case '\n':
	case '\r':
		return ACT_ENTER;
	case 's':
		return ACT_SORT;
	case '/':
		return ACT_FILTER;
	case 'e':
		return ACT_EXPORT;
	case 'p':
	case ' ':
		return ACT_PAUSE;
	default:
		return ACT_NONE;
	}
}

static void cycle_focus(struct ui *u, int dir)
{
	int id = (int)u->focus;
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		id = (id + dir + UI_PANE_COUNT) % UI_PANE_COUNT;
		if (focusable(u, (enum ui_pane_id)id)) {
			u->focus = (enum ui_pane_id)id;
			return;
		}
	}
}

/* "https://polymarket.com/event/some-slug?tid=1" -> "some-slug"; else the word. */
static void slug_of(const char *w, size_t len, char *out, size_t cap)
{
	static const char *const marks[] = {"/event/", "/market/", "/markets/"};
	size_t from = 0;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		size_t ml = strlen(marks[i]);
		for (size_t j = 0; j + ml <= len; j++) {
			if (memcmp(w + j, marks[i], ml) == 0) {
				from = j + ml;
			}
		}
	}
	size_t to = from;
	while (to < len && w[to] != '/' && w[to] != '?' && w[to] != '#') {
		to++;
	}
	snprintf(out, cap, "%.*s", (int)(to - from), w + from);
}

static void do_add(struct ui *u, struct market_state *m, const char *text)
{
	char ids[UI_PROMPT_MAX + 2] = "";
	size_t idlen = 0, pos = 0, wl = 0;
	int nids = 0, nslugs = 0, nfail = 0, nbad = 0;
	char last_slug[160] = "";
	const char *w;
	while ((w = ui_next_word(text, &pos, &wl)) != NULL) {
		if (ui_is_token_id(w, wl)) {
			char id[ASSET_ID_MAX];
			snprintf(id, sizeof id, "%.*s", (int)wl, w);
			if (!market_add(m, id, NULL)) {
				nbad++;
				continue;
			}
			idlen += (size_t)snprintf(ids + idlen, sizeof ids - idlen, "%s%s",
			                          idlen ? " " : "", id);
			nids++;
			continue;
		}
		char slug[160];
		slug_of(w, wl, slug, sizeof slug);
		if (!slug[0]) {
			nbad++;
		} else if (u->hooks.lookup && u->hooks.lookup(u->hooks.ctx, slug)) {
			snprintf(last_slug, sizeof last_slug, "%s", slug);
			nslugs++;
		} else {
			nfail++;
		}
	}
	bool sent = true;
	if (nids) {
		sent = u->hooks.command && u->hooks.command(u->hooks.ctx, FEED_SUB, ids);
	}
	if (nids && !sent) {
		ui_status(u, "added %d asset(s) but the command queue is full: retry with r", nids);
	} else if (nfail) {
		ui_status(u, "slug lookup unavailable (Gamma disabled?): give token ids instead");
	} else if (nslugs) {
		ui_status(u, "resolving slug %s%s\u2026", last_slug,
		          nslugs > 1 ? " and others" : "");
	} else if (nids) {
		ui_status(u, "subscribing %d asset(s)", nids);
	} else if (nbad) {
		ui_status(u, "nothing added: could not add those assets");
	} else {
		ui_status(u, "nothing to add");
	}
}

static void do_confirm(struct ui *u, struct market_state *m, int ch)
{
	u->mode = UI_MODE_NORMAL;
	if (ch != 'y' && ch != 'Y') {
		ui_status(u, "unsubscribe cancelled");
		return;
	}
	market_remove(m, u->confirm_id);
	bool ok = u->hooks.command && u->hooks.command(u->hooks.ctx, FEED_UNSUB, u->confirm_id);
	ui_status(u, ok ? "unsubscribed %.40s" : "removed %.40s (unsubscribe not sent: queue full)",
	          u->confirm_id);
	u->have_sel = false;
}

static void do_mouse(struct ui *u, struct market_state *m)
{
	MEVENT ev;
	if (getmouse(&ev) != OK) {
		return;
	}
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		const struct ui_rect *r = &u->lay.pane[i];
		if (!ui_rect_contains(r, ev.x, ev.y) || !panes[i]->key) {
			continue;
		}
		if (ev.bstate & BUTTON4_PRESSED) {
			panes[i]->key(u, m, ACT_UP);
		} else if (ev.bstate & BUTTON5_PRESSED) {
			panes[i]->key(u, m, ACT_DOWN);
		} else {
			u->focus = (enum ui_pane_id)i;
			if (i == UI_PANE_ASSETS) {
				ui_assets_click(u, m, ev.y - r->y);
			}
		}
		return;
	}
}

/* Returns false on quit. */
static bool handle_key(struct ui *u, struct market_state *m, int ch, bool is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		u->need_layout = true;
		return true;
	}
	switch (u->mode) {
	case UI_MODE_HELP:
		u->mode = UI_MODE_NORMAL;
		u->need_clear = true;
		return true;
	case UI_MODE_CONFIRM:
		do_confirm(u, m, is_key ? 0 : ch);
		return true;
	case UI_MODE_ADD:
	case UI_MODE_FILTER: {
		enum ui_prompt_result r = ui_prompt_key(&u->prompt, ch, is_key);
		bool filter = u->mode == UI_MODE_FILTER;
		if (filter) {
			snprintf(u->filter, sizeof u->filter, "%s",
			         r == UI_PROMPT_CANCEL ? "" : u->prompt.text);
			u->top = 0;
		}
		if (r == UI_PROMPT_EDITING) {
			return true;
		}
		u->mode = UI_MODE_NORMAL;
		if (!filter && r == UI_PROMPT_DONE) {
			do_add(u, m, u->prompt.text);
		} else if (filter) {
			ui_status(u, u->filter[0] ? "filter: %s" : "filter cleared%s",
			          u->filter[0] ? u->filter : "");
		}
		return true;
	}
	default:
		break;
	}
	enum ui_action a = action_for(ch, is_key);
	const struct asset *sel = ui_selected(u, m);
	switch (a) {
	case ACT_QUIT:
		return false;
	case ACT_HELP:
		u->mode = UI_MODE_HELP;
		break;
	case ACT_ADD:
		u->mode = UI_MODE_ADD;
		ui_prompt_reset(&u->prompt);
		break;
	case ACT_FILTER:
		u->mode = UI_MODE_FILTER;
		ui_prompt_reset(&u->prompt);
		for (const char *c = u->filter; *c; c++) {
			ui_prompt_key(&u->prompt, (unsigned char)*c, false);
		}
		break;
	case ACT_DEL:
		if (!sel) {
			ui_status(u, "no asset selected");
			break;
		}
		snprintf(u->confirm_id, sizeof u->confirm_id, "%s", sel->id);
		u->mode = UI_MODE_CONFIRM;
		break;
	case ACT_RESYNC:
		if (!sel) {
			ui_status(u, "no asset selected");
			break;
		}
		market_resync(m, sel->id, "operator");
		ui_status(u, "resync requested for %.60s", ui_asset_label(sel));
		break;
	case ACT_SORT:
		u->sort = (enum ui_sort)((u->sort + 1) % UI_SORT_COUNT);
		ui_status(u, "sort by %s", ui_sort_name(u->sort));
		break;
	case ACT_EXPORT: {
		char msg[240] = "";
		bool ok = u->hooks.export_now && u->hooks.export_now(u->hooks.ctx, msg, sizeof msg);
		if (!u->hooks.export_now) {
			snprintf(msg, sizeof msg, "export is not available");
		}
		ui_status(u, "%s%s", ok ? "exported " : "export failed: ", msg);
		break;
	}
	case ACT_PAUSE:
		u->paused = !u->paused;
		ui_status(u, u->paused ? "paused: data keeps flowing; p resumes"
		                       : "rendering resumed");
		break;
	case ACT_NEXT_PANE:
		cycle_focus(u, 1);
		break;
	case ACT_PREV_PANE:
		cycle_focus(u, -1);
		break;
	case ACT_ENTER:
		if (sel && focusable(u, UI_PANE_BOOK)) {
			u->focus = UI_PANE_BOOK;
			u->book_off = 0;
		}
		break;
	case ACT_MOUSE:
		do_mouse(u, m);
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_TOP:
	case ACT_BOTTOM:
		if (panes[u->focus]->key) {
			panes[u->focus]->key(u, m, a);
		}
		break;
	default:
		break;
	}
	return true;
}

static bool next_key(struct ui *u, int *ch, bool *is_key)
{
	struct ui_private *p = priv(u);
	if (p->npending) {
		*ch = p->pending[0];
		*is_key = p->pending_key[0];
		p->npending--;
		memmove(p->pending, p->pending + 1, p->npending * sizeof p->pending[0]);
		memmove(p->pending_key, p->pending_key + 1, p->npending * sizeof p->pending_key[0]);
		return true;
	}
	if (!p->input) {
		return false;
	}
	wint_t wc;
	int r = wget_wch(p->input, &wc);
	if (r == ERR) {
		return false;
	}
	*ch = (int)wc;
	*is_key = r == KEY_CODE_YES;
	return true;
}

bool ui_handle_input(struct ui *u, struct market_state *m)
{
	if (!u || !m) {
		return true;
	}
	set_term(u->scr);
	int ch;
	bool is_key, any = false, was_paused = u->paused;
	int64_t now = clock_mono_ns();
	while (next_key(u, &ch, &is_key)) {
		if (!any) {
			ui_rows_build(u, m, now, market_now_s(m, now));
		}
		any = true;
		if (!handle_key(u, m, ch, is_key)) {
			return false;
		}
	}
	if (any) {
		/* Answer the key now rather than at the next refresh. */
		if (was_paused && !u->paused) {
			u->need_clear = true;
		}
		bool paused = u->paused;
		if (paused && !was_paused) {
			u->paused = false; /* draw the frame that stays frozen, with PAUSED */
		}
		render_now(u, m, now, clock_real_ns());
		u->paused = paused;
		if (paused && !was_paused) {
			render_now(u, m, now, clock_real_ns());
		}
	}
	return true;
}

/* ---- test and benchmark helpers ---- */

void ui_push_key(struct ui *u, int ch, bool is_key)
{
	struct ui_private *p = priv(u);
	if (p->npending < PENDING_KEYS) {
		p->pending[p->npending] = ch;
		p->pending_key[p->npending] = is_key;
		p->npending++;
	}
}

void ui_resize(struct ui *u, int cols, int rows)
{
	set_term(u->scr);
	resizeterm(rows, cols);
	u->need_layout = true;
}

size_t ui_screen_row(struct ui *u, int y, char *buf, size_t cap)
{
	set_term(u->scr);
	if (cap == 0) {
		return 0;
	}
	buf[0] = '\0';
	int rows, cols;
	getmaxyx(curscr, rows, cols);
	if (y < 0 || y >= rows) {
		return 0;
	}
	size_t n = 0;
	for (int x = 0; x < cols; x++) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1];
		attr_t at;
		short pair;
		if (mvwin_wch(curscr, y, x, &cc) == ERR ||
		    getcchar(&cc, wch, &at, &pair, NULL) == ERR) {
			continue;
		}
		for (int i = 0; wch[i] && i < CCHARW_MAX; i++) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			memset(&st, 0, sizeof st);
			size_t k = wcrtomb(mb, wch[i], &st);
			if (k == (size_t)-1 || n + k + 1 > cap) {
				continue;
			}
			memcpy(buf + n, mb, k);
			n += k;
		}
		int cw = wcwidth(wch[0]);
		if (cw > 1) {
			x += cw - 1;
		}
	}
	buf[n] = '\0';
	return n;
}
