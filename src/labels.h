/*
 * labels: glue between the Gamma metadata thread and the model.  Queues lookups for
 * assets without a label, applies the answers (questions, outcomes, tick sizes) and
 * subscribes to the tokens of a slug the operator typed.
 *
 * Never waits for Gamma: lookups are queued and answers polled.  Main (UI) thread only.
 */
#ifndef CLOBTOP_LABELS_H
#define CLOBTOP_LABELS_H

#include <stdbool.h>

struct app;

/* Queues lookups for the assets nobody has asked about yet. */
void labels_request(struct app *a);

/* Applies every answer Gamma has ready (call when its wake fd is readable). */
void labels_apply(struct app *a);

/* ui_hooks.lookup: resolve a slug typed at the 'a' prompt. */
bool labels_lookup_hook(void *ctx, const char *text);

#endif
