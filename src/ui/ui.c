/*
 * ui: the curses core: terminal set-up and restore (tty modes and the mouse mask
 * included), the pane table, layout of windows and the frame.  Keys are in input.c,
 * the status line and help in status.c, the key table in keymap.c.
 *
 * It owns the screen and struct ui; the model changes only through market_add,
 * market_remove and market_resync, and the feed only through the hooks.  Must never
 * block (input is non-blocking), print bytes that are not from the model or our own
 * strings, or return to the caller with the terminal half-restored.
 * Runs on the UI thread only (ui_emergency_restore aside: a fatal path may call it from
 * any thread) and never touches the network.
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
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define STATUS_NS INT64_C(4000000000) /* how long a status message stays */

const struct pane *const ui_panes[UI_PANE_COUNT] = {
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

/* The one live ui (curses has one terminal per process) and the flag the emergency
 * restore reads. */
static struct ui *g_live;
static volatile sig_atomic_t g_curses_on;

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
	if (u->help_win) {
		delwin(u->help_win);
		u->help_win = NULL;
	}
	if (u->detail_win) {
		delwin(u->detail_win);
		u->detail_win = NULL;
	}
}

static WINDOW *win_for(const struct ui_rect *r)
{
	return ui_rect_empty(r) ? NULL : newwin(r->h, r->w, r->y, r->x);
}

bool ui_focusable(const struct ui *u, enum ui_pane_id id)
{
	return ui_panes[id]->key && !ui_rect_empty(&u->lay.pane[id]);
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
	u->help_win = win_for(&u->lay.help);
	u->detail_win = win_for(&u->lay.detail);
	if (!ui_focusable(u, u->focus)) {
		u->focus = UI_PANE_ASSETS;
	}
	u->need_layout = false;
	u->need_clear = true;
}

/* Ctrl-S and Ctrl-Q are plain keys while the screen is up: with IXON a ^S stops the
 * tty's output, and the next write to the screen blocks the UI thread until a ^Q.  raw()
 * would also clear ISIG (Ctrl-C and Ctrl-Z must keep working), so only the flow-control
 * bits go.  endwin() restores the modes newterm() saved; def_prog_mode() makes ncurses
 * put ours back after a suspend. */
static void no_flow_control(int fd)
{
	struct termios t;
	if (fd < 0 || tcgetattr(fd, &t) != 0) {
		return;
	}
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
	if (tcsetattr(fd, TCSANOW, &t) == 0) {
		def_prog_mode();
	}
}

static void setup_input(struct ui *u)
{
	u->input = newwin(1, 1, 0, 0);
	if (u->input) {
		keypad(u->input, TRUE);
		nodelay(u->input, TRUE);
		/* Refreshing it once now means reading keys from it never repaints a cell. */
		wnoutrefresh(u->input);
	}
	if (!u->opt.mouse) {
		return;
	}
	/* Every button event, releases included, and no click resolution: ncurses keeps
	 * reading (with a blocking read, whatever nodelay says) after a mouse report until
	 * it has an event in the mask, so a release outside the mask would stall the whole
	 * loop until the next key.  No REPORT_MOUSE_POSITION: that would ask for motion. */
	u->mouse = mousemask(ALL_MOUSE_EVENTS, NULL) != 0;
	mouseinterval(0);
}

static void set_options(struct ui *u, const struct ui_options *o, const struct ui_hooks *h)
{
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
}

static struct ui *setup(struct ui *u, const struct ui_options *o, const struct ui_hooks *h,
                        SCREEN *scr, int in_fd)
{
	u->scr = scr;
	set_options(u, o, h);
	const char *cs = nl_langinfo(CODESET);
	u->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	u->focus = UI_PANE_ASSETS;
	u->sort = UI_SORT_WORST;
	u->sel_row = -1;
	for (int i = 0; i < UI_SPARK_SECS; i++) {
		u->spark[i] = INT64_MIN;
		u->spark_stamp[i] = -1;
	}
	g_curses_on = 1;
	g_live = u;
	cbreak();
	noecho();
	nonl();
	no_flow_control(in_fd);
	curs_set(0);
	set_escdelay(25);
	init_colors(u);
	setup_input(u);
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
	struct ui *p = calloc(1, sizeof *p);
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
	/* A terminal that cannot move the cursor (TERM=dumb) would show a blank screen. */
	const char *cup = tigetstr("cup");
	if (!cup || cup == (const char *)-1) {
		endwin();
		delscreen(scr);
		snprintf(err, errlen,
		         "the terminal type TERM=%s cannot move the cursor, so the dashboard "
		         "cannot be drawn: set TERM (e.g. xterm-256color) or use --headless",
		         term && term[0] ? term : "unset");
		free(p);
		return NULL;
	}
	struct ui *u = setup(p, o, h, scr, STDIN_FILENO);
	if (!u->utf8)
		ui_status(
		    u,
		    "this locale is not UTF-8 (LANG=%s): characters beyond ASCII show as '?'; "
		    "try LANG=C.UTF-8",
		    getenv("LANG") ? getenv("LANG") : "unset");
	return u;
}

struct ui *ui_create_offscreen(const struct ui_options *o, const struct ui_hooks *h,
                               const char *term, int cols, int rows, FILE *out, FILE *in, char *err,
                               size_t errlen)
{
	if (g_live) {
		snprintf(err, errlen, "the terminal is already in use by another ui");
		return NULL;
	}
	struct ui *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory creating the ui");
		return NULL;
	}
	if (!out) {
		out = p->own_out = fopen("/dev/null", "w");
	}
	if (!in) {
		in = p->own_in = fopen("/dev/null", "r");
	}
	SCREEN *scr = out && in ? newterm(term ? term : "xterm-256color", out, in) : NULL;
	if (!scr) {
		snprintf(err, errlen, "cannot start curses offscreen (terminfo %s missing?)",
		         term ? term : "xterm-256color");
		if (p->own_out) {
			fclose(p->own_out);
		}
		if (p->own_in) {
			fclose(p->own_in);
		}
		free(p);
		return NULL;
	}
	set_term(scr);
	resizeterm(rows, cols);
	p->offscreen = true;
	return setup(p, o, h, scr, fileno(in));
}

void ui_destroy(struct ui *u)
{
	if (!u || u != g_live) {
		return;
	}
	set_term(u->scr);
	free_windows(u);
	if (u->input) {
		delwin(u->input);
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
	free(u);
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

static void render_now(struct ui *u, struct market_state *m, int64_t now_mono, int64_t now_real,
                       bool tick)
{
	set_term(u->scr);
	u->now_mono = now_mono;
	u->now_real = now_real;
	u->now_s = market_now_s(m, now_mono);
	record_spark(u, m, u->now_s);
	struct winsize ws;
	/* A SIGWINCH only reaches curses at its next read; ask the tty so a resize shows at
	 * the next frame even when no key comes. */
	if (!u->offscreen && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
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
		ui_draw_status(u, m);
		if (u->status_win) {
			wnoutrefresh(u->status_win);
		}
		doupdate();
		return;
	}
	if (tick) {
		ui_rows_build(u, m, now_mono, u->now_s);
	} else {
		ui_rows_ensure(u, m, now_mono, u->now_s);
	}
	struct ui_frame f = {u, m, now_mono, now_real, u->now_s};
	bool view = u->mode == UI_MODE_ASSET_VIEW || u->mode == UI_MODE_ALERT_VIEW ||
	            u->mode == UI_MODE_USER_VIEW || u->mode == UI_MODE_CONN_VIEW;
	if (view && u->detail_win) {
		if (u->mode == UI_MODE_CONN_VIEW)
			ui_draw_conns(&f);
		else
			ui_draw_detail(&f);
	}
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		if (!u->win[i] || (view && u->detail_win)) {
			continue;
		}
		werase(u->win[i]);
		ui_panes[i]->draw(u->win[i], &f, &u->lay.pane[i]);
		wnoutrefresh(u->win[i]);
	}
	if (u->mode == UI_MODE_HELP) {
		ui_draw_help(u);
	}
	ui_draw_status(u, m);
	bool prompt =
	    u->mode == UI_MODE_ADD || u->mode == UI_MODE_FILTER || u->mode == UI_MODE_ALERT_FILTER;
	curs_set(prompt ? 1 : 0);
	if (u->status_win) {
		leaveok(u->status_win, !prompt);
		wnoutrefresh(u->status_win);
	}
	doupdate();
}

void ui_render(struct ui *u, struct market_state *m, int64_t now_mono_ns, int64_t now_real_ns)
{
	ui_render_frame(u, m, now_mono_ns, now_real_ns, true);
}

void ui_render_frame(struct ui *u, struct market_state *m, int64_t now_mono, int64_t now_real,
                     bool tick)
{
	if (!u || !m) {
		return;
	}
	render_now(u, m, now_mono, now_real, tick);
}

/* ---- test and benchmark helpers ---- */

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
