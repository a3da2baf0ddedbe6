/* sim_serve.c - the poll loop gluing pty, framer, responder core, faults and trace. */
#define _XOPEN_SOURCE 700

#include "sim_serve.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim_clock.h"

#define LOOP_TICK_MS 100 /* dfu_poll() at least this often */

static uint32_t core_ms(uint64_t now_us) {
    return (uint32_t)(now_us / 1000u);
}

/* Traced first (so whoever reads the response finds its trace line already there), then
 * written with one write() in the normal case; waits for room (up to 1 s) if the pty is full. */
static void send_response(sim_server* s, const uint8_t* p, size_t len) {
    size_t done = 0;
    uint64_t deadline = sim_now_us() + 1000000u;
    sim_trace_line(s->trace, sim_now_us(), "tx", p, len);
    while (done < len) {
        ssize_t n = write(s->fd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN && sim_now_us() < deadline) {
            struct pollfd pfd;
            pfd.fd = s->fd;
            pfd.events = POLLOUT;
            pfd.revents = 0;
            poll(&pfd, 1, 10);
            continue;
        }
        fprintf(stderr, "dfu-sim: response cut short (%zu of %zu bytes written): %s\n", done, len,
                n < 0 ? strerror(errno) : "no room");
        break;
    }
}

static void on_unit(void* ctx, sim_unit_kind kind, const uint8_t* bytes, size_t len, uint64_t now_us) {
    sim_server* s = ctx;
    uint32_t now_ms = core_ms(now_us);
    uint64_t delay_us;
    size_t n;

    if (dfu_discarding(&s->core, now_ms)) {
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    if (kind == SIM_UNIT_STRAY) {
        sim_trace_line(s->trace, now_us, "rx-stray", bytes, len);
        return;
    }
    if (sim_fault_hit(&s->fault, s->fault.cfg.reset)) {
        dfu_init(&s->core, &s->cfg, &s->port); /* a reboot: NONE, buffers gone */
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    if (sim_fault_hit(&s->fault, s->fault.cfg.drop)) {
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    sim_trace_line(s->trace, now_us, "rx", bytes, len);
    n = dfu_handle_packet(&s->core, bytes, len, now_ms, s->rsp, sizeof s->rsp);
    if (n == 0 || sim_fault_hit(&s->fault, s->fault.cfg.silence)) {
        return;
    }
    if (sim_fault_hit(&s->fault, s->fault.cfg.corrupt)) {
        uint32_t r = sim_fault_next(&s->fault);
        s->rsp[r % n] ^= (uint8_t)(1u + (r >> 8) % 255u); /* never 0: the byte changes */
    }
    delay_us = (uint64_t)s->fault.cfg.delay_ms * 1000u;
    if (s->baud != 0) {
        delay_us += ((uint64_t)n * 10u * 1000000u + s->baud - 1u) / s->baud;
    }
    if (delay_us != 0) {
        sim_sleep_us(delay_us, s->stop);
    }
    send_response(s, s->rsp, n);
}

int sim_server_init(sim_server* s, int fd, const dfu_config* cfg, const dfu_flash_port* port, sim_framing framing,
                    const sim_fault_cfg* fault, uint32_t baud, sim_trace* trace, const volatile sig_atomic_t* stop) {
    int rc;
    s->fd = fd;
    s->port = *port;
    rc = dfu_init(&s->core, cfg, port);
    if (rc != 0) {
        return rc;
    }
    s->cfg = s->core.cfg; /* resolved */
    sim_framer_init(&s->framer, framing, s->cfg.max_packet, on_unit, s);
    sim_fault_init(&s->fault, fault);
    s->baud = baud;
    s->trace = trace;
    s->stop = stop;
    return 0;
}

int sim_serve(sim_server* s) {
    while (!*s->stop) {
        struct pollfd pfd;
        uint64_t now = sim_now_us();
        int64_t due = sim_framer_due_us(&s->framer, now);
        int timeout = LOOP_TICK_MS;
        int rc;

        if (due >= 0 && due < (int64_t)LOOP_TICK_MS * 1000) {
            timeout = (int)((due + 999) / 1000);
        }
        pfd.fd = s->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        rc = poll(&pfd, 1, timeout);
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "dfu-sim: poll: %s\n", strerror(errno));
            return -1;
        }
        now = sim_now_us();
        sim_framer_idle(&s->framer, now); /* a unit whose gap passed ends before new bytes */
        if (pfd.revents & POLLIN) {
            ssize_t n = read(s->fd, s->rx, sizeof s->rx);
            if (n > 0) {
                sim_framer_feed(&s->framer, s->rx, (size_t)n, now);
            } else if (n == 0 || (n < 0 && errno == EIO)) {
                sim_sleep_us(10000u, s->stop); /* no slave side open: nothing to read */
            } else if (errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "dfu-sim: read: %s\n", strerror(errno));
                return -1;
            }
        } else if (pfd.revents & (POLLHUP | POLLERR)) {
            sim_sleep_us(10000u, s->stop); /* no reader on the slave side: nothing to do */
        }
        dfu_poll(&s->core, core_ms(sim_now_us()));
    }
    return 0;
}
