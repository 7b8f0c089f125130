/*
 * pypeer: starts a Python test peer (tests/gamma_peer.py, tests/rest_peer.py) that binds 127.0.0.1
 * on a port the OS chooses and prints that port on its first line, and stops it by PID.  Shared by
 * the unit tests of the HTTP workers.  Test processes only; one thread.
 */
#ifndef CLOBTOP_PYPEER_H
#define CLOBTOP_PYPEER_H

#include <sys/types.h>

/* Runs argv (argv[0] is the interpreter's path) and waits at most wait_ms for the port.
 * Returns the port and sets *pid, or returns 0 (the child, if any, is then stopped). */
int pypeer_start(char *const argv[], pid_t *pid, int wait_ms);

/* SIGTERM and reap the peer when *pid > 0, then *pid = -1. */
void pypeer_stop(pid_t *pid);

#endif
