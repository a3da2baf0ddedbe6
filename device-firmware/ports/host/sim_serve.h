/*
 * sim_serve.h - the simulator's main loop: read the pty in bulk, pass the bytes through the
 * receive line model, cut packets (dfu_framer), hand them to the responder core, apply
 * faults and the response timing, write each response with one write(), trace everything.
 *
 * Timing (all deadlines absolute, from the line model: nothing drifts over many packets):
 *   receive   each byte read from the pty enters a FIFO that drains at baud / 10 bytes/s;
 *             it reaches the framer when it has left that line (its arrival, or the end
 *             of the previous byte's slot if that is later, plus 10 bits). A packet of L
 *             bytes is thus handled no earlier than L * 10 / baud after its first byte
 *             arrived. Unanswered packets (0x35, 0x47, 0x3B) and stray bytes take their
 *             time on the line like any other.
 *   response  the first byte may start turnaround_us after the packet's last byte, plus
 *             flash_write_us per row the packet programmed or erased, plus the fault
 *             delay, and not before the previous response has left the transmit line;
 *             the whole response is written with one write() when its last byte has left
 *             (M * 10 / baud after its first), as a USB-serial adapter delivers a packet.
 */
#ifndef SIM_SERVE_H
#define SIM_SERVE_H

#include <signal.h>
#include <stdint.h>

#include "dfu_responder.h"
#include "sim_clock.h"
#include "sim_fault.h"
#include "dfu_framer.h"
#include "sim_trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t baud;           /* 8N1 line in both directions; 0: no line pacing */
    uint32_t turnaround_us;  /* last request byte -> first response byte */
    uint32_t flash_write_us; /* per row programmed or erased (Program/Erase Data, Set Metadata) */
} sim_timing;

#define SIM_RXQ_CAP 16384u /* bytes received but still on the line; a power of two */

typedef struct {
    int fd;         /* pty master (non-blocking) */
    dfu_config cfg; /* resolved, for resets */
    dfu_flash_port port;
    dfu_flash_port core_port; /* port, counting the rows written/erased (rows_busy) */
    uint32_t rows_busy;       /* rows written/erased while handling the current packet */
    dfu_responder core;
    dfu_framer framer;
    sim_trace* trace;
    sim_fault fault;
    sim_timing timing;
    sim_line rx_line, tx_line;
    const volatile sig_atomic_t* stop;
    size_t rxq_head, rxq_len; /* receive FIFO (ring) */
    uint8_t rxq[SIM_RXQ_CAP];
    uint64_t rxq_done[SIM_RXQ_CAP]; /* when each byte has left the line */
    uint8_t rx[4096];
    uint8_t rsp[8192];
    uint64_t model_us; /* the latest time the core has been told: it only moves forward */
    uint8_t damaged[DFU_FRAMER_CAP]; /* a received packet after --fault drop/corrupt */
} sim_server;

/* Sets up s (core included). timing NULL: no pacing. 0 ok, nonzero: dfu_init's error. */
int sim_server_init(sim_server* s, int fd, const dfu_config* cfg, const dfu_flash_port* port, dfu_framing framing,
                    const sim_fault_cfg* fault, const sim_timing* timing, sim_trace* trace,
                    const volatile sig_atomic_t* stop);

/* Bytes read from the pty at now_us enter the receive line; returns how many fitted (the
 * FIFO holds SIM_RXQ_CAP bytes). */
size_t sim_server_receive(sim_server* s, const uint8_t* bytes, size_t len, uint64_t now_us);
/* Time passes: every byte that has left the line by now_us goes to the framer (each at its
 * own time; packets are handled and answered from there), then pending timeouts. */
void sim_server_advance(sim_server* s, uint64_t now_us);
/* The next time sim_server_advance() has something to do (at most 100 ms after now_us). */
uint64_t sim_server_due_us(const sim_server* s, uint64_t now_us);

/* Serves until *stop becomes nonzero. 0 then; -1 on a fatal I/O error (message on stderr). */
int sim_serve(sim_server* s);

#ifdef __cplusplus
}
#endif

#endif /* SIM_SERVE_H */
