/*
 * keymap: the one table of key bindings.  Each line names an action, the keys that run
 * it, the word shown after its first key on the status line (NULL: not shown there) and
 * its line in the help overlay.  The key handler, the status-line hint and the help
 * overlay all read this table, so a key cannot work without being documented.
 *
 * Pure data and lookups: never calls curses (only its KEY_* constants) and never changes
 * state.  Runs on the UI thread only and never touches the network.
 */
#ifndef CLOBTOP_UI_KEYMAP_H
#define CLOBTOP_UI_KEYMAP_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* A key: a character (CH) or an ncurses KEY_* code (KC), with the name help shows. */
#define UI_CH(c, name)                                                                             \
	{                                                                                          \
		(c), false, (name)                                                                 \
	}
#define UI_KC(c, name)                                                                             \
	{                                                                                          \
		(c), true, (name)                                                                  \
	}

/* X(action, status-line word or NULL, help text, keys...) */
#define UI_KEYMAP(X)                                                                               \
	X(ACT_HELP, "help", "show or hide this help", UI_CH('?', "?"), UI_CH('h', "h"))            \
	X(ACT_ADD, "add", "add assets: token ids, or a market/event slug (Gamma)",                 \
	  UI_CH('a', "a"), UI_CH('+', "+"))                                                        \
	X(ACT_DEL, "del", "unsubscribe the selected asset (asks y/n)", UI_CH('d', "d"))            \
	X(ACT_RESYNC, "resync", "resync the selected asset (fresh snapshot)", UI_CH('r', "r"))     \
	X(ACT_RECONNECT, NULL, "reconnect now (skips the wait; drops a live connection)",          \
	  UI_CH('R', "R"))                                                                         \
	X(ACT_CONNS, NULL, "connections view: state, rates, drops; Enter/R reconnects one",        \
	  UI_CH('c', "c"))                                                                         \
	X(ACT_FILTER, "filter", "filter assets: label/id text, state:stale,drift (Esc clears)",    \
	  UI_CH('/', "/"))                                                                         \
	X(ACT_SORT, "sort", "sort by the next column (or click a column heading)",                 \
	  UI_CH('s', "s"), UI_CH('>', ">"))                                                        \
	X(ACT_SORT_PREV, NULL, "sort by the previous column", UI_CH('<', "<"))                     \
	X(ACT_SORT_REVERSE, NULL, "reverse the sort order", UI_CH('S', "S"))                       \
	X(ACT_ALERT_FILTER, NULL, "filter alerts: info/warn/crit (and worse), a kind, or text",    \
	  UI_CH('f', "f"))                                                                         \
	X(ACT_ACK, NULL, "acknowledge alerts (mark every alert read)", UI_CH('A', "A"))            \
	X(ACT_CLEAR, NULL, "clear the alert log", UI_CH('C', "C"))                                 \
	X(ACT_EXPORT, NULL, "export a snapshot (path in the status line)", UI_CH('e', "e"))        \
	X(ACT_USER, NULL, "your orders and trades (--user); u or Esc closes", UI_CH('u', "u"))     \
	X(ACT_PAUSE, "pause", "pause rendering (data keeps flowing)", UI_CH('p', "p"),             \
	  UI_CH(' ', "Space"))                                                                     \
	X(ACT_QUIT, "quit", "quit", UI_CH('q', "q"), UI_CH('Q', "Q"))                              \
	X(ACT_UP, NULL, "move up", UI_KC(KEY_UP, "Up"), UI_CH('k', "k"))                           \
	X(ACT_DOWN, NULL, "move down", UI_KC(KEY_DOWN, "Down"), UI_CH('j', "j"))                   \
	X(ACT_PGUP, NULL, "page up", UI_KC(KEY_PPAGE, "PgUp"))                                     \
	X(ACT_PGDN, NULL, "page down", UI_KC(KEY_NPAGE, "PgDn"))                                   \
	X(ACT_TOP, NULL, "first row (best level, newest trade/alert)", UI_KC(KEY_HOME, "Home"),    \
	  UI_CH('g', "g"))                                                                         \
	X(ACT_BOTTOM, NULL, "last row (deepest level, oldest trade/alert)", UI_KC(KEY_END, "End"), \
	  UI_CH('G', "G"))                                                                         \
	X(ACT_NEXT_PANE, NULL, "next pane (assets, book, trades, alerts)", UI_CH('\t', "Tab"))     \
	X(ACT_PREV_PANE, NULL, "previous pane", UI_KC(KEY_BTAB, "S-Tab"))                          \
	X(ACT_ENTER, NULL, "open the selected asset's or alert's detail view",                     \
	  UI_CH('\n', "Enter"), UI_CH('\r', "Enter"), UI_KC(KEY_ENTER, "Enter"))                   \
	X(ACT_BACK, NULL, "close a detail view, this help or a prompt", UI_CH(27, "Esc"))          \
	X(ACT_MOUSE, NULL, "select a row; click a heading to sort; wheel scrolls",                 \
	  UI_KC(KEY_MOUSE, "click"))

enum ui_action {
	ACT_NONE = 0,
#define X(e, label, help, ...) e,
	UI_KEYMAP(X)
#undef X
	    ACT_COUNT
};

#define UI_KEYS_MAX 4 /* keys one action may have */

struct ui_key {
	int code;         /* character, or KEY_* code when is_key */
	bool is_key;      /* code is an ncurses KEY_* code */
	const char *name; /* as help shows it; NULL ends a key list */
};

struct ui_binding {
	enum ui_action action;           /* what the keys do */
	const char *label;               /* status-line word after the first key, or NULL */
	const char *help;                /* the help overlay's line */
	struct ui_key keys[UI_KEYS_MAX]; /* the first is the one the status line shows */
};

extern const struct ui_binding ui_keymap[]; /* one per action, in help order */
extern const size_t ui_keymap_len;          /* ACT_COUNT - 1 */

/* The action of a key (ACT_NONE when unbound). */
enum ui_action ui_keymap_action(int code, bool is_key);
/* "Up k": the binding's key names, each once, space separated. */
void ui_keymap_keys(const struct ui_binding *b, char *buf, size_t cap);
/* "? help  a add  ...": the status line's hint. */
void ui_keymap_hint(char *buf, size_t cap);

#endif
