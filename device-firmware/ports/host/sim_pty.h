/*
 * sim_pty.h - the simulator's serial port: a pseudo-terminal whose slave side is put in
 * raw mode (no echo, no translation) and kept open for the simulator's lifetime, so a host
 * can open and close it any number of times. Optionally a symlink points at the slave.
 */
#ifndef SIM_PTY_H
#define SIM_PTY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int master;      /* non-blocking; the simulator reads and writes here */
    int slave;       /* held open, never read */
    char path[256];  /* slave path, e.g. /dev/pts/3 */
    char link[4096]; /* symlink created by sim_pty_link ("" when none) */
} sim_pty;

/* 0 ok, -1 with a message in err. */
int sim_pty_open(sim_pty* p, char* err, size_t err_len);
/* Creates (or replaces an existing symlink) link_path -> slave path. 0 ok, -1 with err. */
int sim_pty_link(sim_pty* p, const char* link_path, char* err, size_t err_len);
/* Closes both sides; removes the symlink if it still points at this pty. */
void sim_pty_close(sim_pty* p);

#ifdef __cplusplus
}
#endif

#endif /* SIM_PTY_H */
