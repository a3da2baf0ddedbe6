/* sim_main.c - dfu-sim: a simulated DFU device on a pseudo-terminal. See man/dfu-sim.1. */
#define _XOPEN_SOURCE 700

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_clock.h"
#include "sim_flash.h"
#include "sim_options.h"
#include "sim_pty.h"
#include "sim_serve.h"
#include "sim_trace.h"

/* A timer wake-up is typically 50-100 us late on Linux (more in a VM): paced deadlines are
 * slept to this much before, then spun. */
#define SIM_SPIN_US 150u

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) {
    (void)sig;
    g_stop = 1;
}

static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* A fresh flash (no file, or one just created) is what a freshly flashed loader of the preset
 * holds: erased, plus the preset's initial metadata row. */
static int seed_metadata(const sim_options* opt, const dfu_flash_port* port) {
    static uint8_t row[DFU_MAX_ROW_SIZE];
    uint32_t addr = opt->dfu.metadata_addr;
    if (!dfu_preset_metadata_row(opt->preset, &opt->dfu, row)) {
        return 0;
    }
    if (addr == DFU_METADATA_ADDR_LAST_ROW) {
        addr = opt->dfu.flash_base + opt->dfu.flash_size - opt->dfu.row_size;
    }
    return port->write_row(port->ctx, addr, row, opt->dfu.row_size);
}

int main(int argc, char** argv) {
    sim_options opt;
    sim_flash flash;
    sim_pty pty;
    sim_trace trace;
    sim_server* server;
    dfu_flash_port port;
    sim_timing timing;
    char err[512];
    int rc;

    sim_now_us(); /* time 0 for the trace */
    rc = sim_options_parse(&opt, argc, argv, stdout, stderr);
    if (rc == SIM_OPTIONS_HELP) {
        return 0;
    }
    if (rc != SIM_OPTIONS_OK) {
        return 2;
    }
    install_signals();

    if (sim_flash_open(&flash, opt.flash_path, opt.dfu.flash_base, opt.dfu.flash_size, opt.dfu.row_size,
                       opt.dfu.eeprom.start, opt.dfu.eeprom.size, opt.erased, err, sizeof err) != 0) {
        fprintf(stderr, "dfu-sim: %s\n", err);
        return 1;
    }
    sim_flash_port(&flash, &port);
    if (flash.fresh && seed_metadata(&opt, &port) != 0) {
        fprintf(stderr, "dfu-sim: %s: cannot write the initial metadata row\n", opt.flash_path);
        sim_flash_close(&flash);
        return 1;
    }
    if (sim_trace_open(&trace, opt.trace_path) != 0) {
        fprintf(stderr, "dfu-sim: %s: cannot open trace file\n", opt.trace_path);
        sim_flash_close(&flash);
        return 1;
    }
    server = malloc(sizeof *server);
    if (server == NULL || sim_pty_open(&pty, err, sizeof err) != 0) {
        fprintf(stderr, "dfu-sim: %s\n", server == NULL ? "out of memory" : err);
        free(server);
        sim_trace_close(&trace);
        sim_flash_close(&flash);
        return 1;
    }
    if (opt.link != NULL && sim_pty_link(&pty, opt.link, err, sizeof err) != 0) {
        fprintf(stderr, "dfu-sim: %s\n", err);
        rc = 1;
        goto out;
    }
    timing.baud = opt.baud;
    timing.turnaround_us = opt.turnaround_us;
    timing.flash_write_us = opt.flash_write_us;
    if (timing.baud != 0 || timing.turnaround_us != 0 || timing.flash_write_us != 0) {
        sim_clock_precise(SIM_SPIN_US); /* pacing deadlines are kept to a few microseconds */
    }
    if (sim_server_init(server, pty.master, &opt.dfu, &port, opt.framing, &opt.fault, &timing, &trace, &g_stop) != 0) {
        fprintf(stderr, "dfu-sim: bad configuration\n"); /* options were validated: not reached */
        rc = 1;
        goto out;
    }
    server->framer.split_oversize = opt.split_oversize;

    printf("%s\n", pty.path);
    fflush(stdout);
    rc = sim_serve(server) == 0 ? 0 : 1;

out:
    sim_pty_close(&pty);
    sim_trace_close(&trace);
    sim_flash_close(&flash);
    free(server);
    return rc;
}
