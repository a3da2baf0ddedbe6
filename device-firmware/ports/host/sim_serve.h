/*
 * sim_serve.h - the simulator's main loop: read the pty in bulk, cut packets (sim_framer),
 * hand them to the responder core, apply faults and line pacing, write each response with
 * one write(), and trace everything.
 */
#ifndef SIM_SERVE_H
#define SIM_SERVE_H

#include <signal.h>
#include <stdint.h>

#include "dfu_responder.h"
#include "sim_fault.h"
#include "sim_framer.h"
#include "sim_trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int fd;         /* pty master (non-blocking) */
    dfu_config cfg; /* resolved, for resets */
    dfu_flash_port port;
    dfu_responder core;
    sim_framer framer;
    sim_trace* trace;
    sim_fault fault;
    uint32_t baud; /* 0: no pacing */
    const volatile sig_atomic_t* stop;
    uint8_t rx[4096];
    uint8_t rsp[8192];
} sim_server;

/* Sets up s (core included). 0 ok, nonzero: dfu_init's error. */
int sim_server_init(sim_server* s, int fd, const dfu_config* cfg, const dfu_flash_port* port, sim_framing framing,
                    const sim_fault_cfg* fault, uint32_t baud, sim_trace* trace, const volatile sig_atomic_t* stop);

/* Serves until *stop becomes nonzero. 0 then; -1 on a fatal I/O error (message on stderr). */
int sim_serve(sim_server* s);

#ifdef __cplusplus
}
#endif

#endif /* SIM_SERVE_H */
