/* sim_serve.c - the poll loop gluing pty, line model, framer, responder core, faults and trace. */
#if defined(__linux__)
#define _GNU_SOURCE /* ppoll: waits for input with a microsecond timeout */
#endif
#define _XOPEN_SOURCE 700

#include "sim_serve.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_TICK_US 100000u /* dfu_poll() at least this often */
#define RXQ_MASK (SIM_RXQ_CAP - 1u)

static uint32_t core_ms(uint64_t now_us) {
    return (uint32_t)(now_us / 1000u);
}

/* The flash port the core sees: the real one, counting rows for --flash-write-us. */
static int count_read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
    sim_server* s = ctx;
    return s->port.read(s->port.ctx, addr, dst, len);
}

static int count_write_row(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
    sim_server* s = ctx;
    ++s->rows_busy;
    return s->port.write_row(s->port.ctx, addr, src, len);
}

static int count_erase_row(void* ctx, uint32_t addr) {
    sim_server* s = ctx;
    ++s->rows_busy;
    return s->port.erase_row(s->port.ctx, addr);
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

/* A unit cut by the framer; now_us is when its last byte left the receive line. */
static void on_unit(void* ctx, dfu_unit_kind kind, const uint8_t* bytes, size_t len, uint64_t now_us) {
    sim_server* s = ctx;
    uint32_t now_ms;
    uint64_t start_us, end_us;
    size_t n;

    if (now_us < s->model_us) {
        now_us = s->model_us; /* a unit ended by an idle check stamped before a packet handled ahead */
    }
    s->model_us = now_us;
    now_ms = core_ms(now_us);

    if (dfu_discarding(&s->core, now_ms)) {
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    if (kind == DFU_UNIT_STRAY) {
        sim_trace_line(s->trace, now_us, "rx-stray", bytes, len);
        return;
    }
    if (sim_fault_hit(&s->fault, s->fault.cfg.reset)) {
        dfu_init(&s->core, &s->cfg, &s->core_port); /* a reboot: NONE, buffers gone */
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    if (sim_fault_hit(&s->fault, s->fault.cfg.lose)) {
        sim_trace_line(s->trace, now_us, "rx-flushed", bytes, len);
        return;
    }
    if (s->fault.cfg.drop > 0 || s->fault.cfg.corrupt > 0) {
        /* The line damaged the packet: the device handles what actually arrived. */
        if (len > sizeof s->damaged) {
            len = sizeof s->damaged;
        }
        memcpy(s->damaged, bytes, len);
        len = sim_fault_damage(&s->fault, s->damaged, len);
        bytes = s->damaged;
    }
    sim_trace_line(s->trace, now_us, "rx", bytes, len);
    s->rows_busy = 0;
    n = dfu_handle_packet(&s->core, bytes, len, now_ms, s->rsp, sizeof s->rsp);
    if (n == 0 || sim_fault_hit(&s->fault, s->fault.cfg.silence)) {
        return;
    }
    n = sim_fault_damage(&s->fault, s->rsp, n);
    /* The device answers after its turnaround (and flash time); the response then takes its
     * time on the transmit line, and the host gets it in one piece when its last byte is out. */
    start_us = now_us + s->timing.turnaround_us + (uint64_t)s->rows_busy * s->timing.flash_write_us +
               (uint64_t)s->fault.cfg.delay_ms * 1000u;
    end_us = sim_line_put(&s->tx_line, start_us, n);
    if (end_us > sim_now_us()) {
        sim_sleep_until_us(end_us, s->stop);
    }
    send_response(s, s->rsp, n);
}

int sim_server_init(sim_server* s, int fd, const dfu_config* cfg, const dfu_flash_port* port, dfu_framing framing,
                    const sim_fault_cfg* fault, const sim_timing* timing, sim_trace* trace,
                    const volatile sig_atomic_t* stop) {
    int rc;
    s->fd = fd;
    s->port = *port;
    s->core_port.ctx = s;
    s->core_port.read = count_read;
    s->core_port.write_row = count_write_row;
    s->core_port.erase_row = count_erase_row;
    s->rows_busy = 0;
    s->model_us = 0;
    if (port->read == NULL || port->write_row == NULL || port->erase_row == NULL) {
        return -1; /* dfu_init would not see it through the wrapper */
    }
    rc = dfu_init(&s->core, cfg, &s->core_port);
    if (rc != 0) {
        return rc;
    }
    s->cfg = s->core.cfg; /* resolved */
    dfu_framer_init(&s->framer, framing, s->cfg.max_packet, on_unit, s);
    sim_fault_init(&s->fault, fault);
    if (timing != NULL) {
        s->timing = *timing;
    } else {
        memset(&s->timing, 0, sizeof s->timing);
    }
    sim_line_init(&s->rx_line, s->timing.baud);
    sim_line_init(&s->tx_line, s->timing.baud);
    s->rxq_head = 0;
    s->rxq_len = 0;
    s->trace = trace;
    s->stop = stop;
    return 0;
}

size_t sim_server_receive(sim_server* s, const uint8_t* bytes, size_t len, uint64_t now_us) {
    size_t i;
    if (len > SIM_RXQ_CAP - s->rxq_len) {
        len = SIM_RXQ_CAP - s->rxq_len;
    }
    for (i = 0; i < len; ++i) {
        size_t at = (s->rxq_head + s->rxq_len) & RXQ_MASK;
        s->rxq[at] = bytes[i];
        s->rxq_done[at] = sim_line_put(&s->rx_line, now_us, 1);
        ++s->rxq_len;
    }
    return len;
}

void sim_server_advance(sim_server* s, uint64_t now_us) {
    /* Length framing finds a packet's end from its bytes, not from the silence after them, so
     * queued bytes go to the framer at once, stamped with when they will have left the line:
     * a complete packet is handled as soon as it is read, and the device sleeps once, until
     * its answer has crossed the line (on_unit), instead of once for the packet and once
     * more for the answer. Each sleep costs a timer wake-up the real line does not have.
     * Gap framing must see the silence, so its bytes go as they arrive. Runs of bytes that
     * left the line at the same time go to the framer in one call. */
    const int lookahead = s->framer.mode == DFU_FRAMING_LENGTH;
    while (s->rxq_len != 0 && (lookahead || s->rxq_done[s->rxq_head] <= now_us) && !*s->stop) {
        uint64_t t = s->rxq_done[s->rxq_head];
        size_t run = 1;
        while (run < s->rxq_len && s->rxq_head + run < SIM_RXQ_CAP && s->rxq_done[s->rxq_head + run] == t) {
            ++run;
        }
        dfu_framer_feed(&s->framer, s->rxq + s->rxq_head, run, t);
        s->rxq_head = (s->rxq_head + run) & RXQ_MASK;
        s->rxq_len -= run;
    }
    /* Every byte that left the line by now is in: a unit whose gap/timeout passed ends. */
    dfu_framer_idle(&s->framer, now_us);
    /* The core's clock never runs backwards, even when a packet was handled ahead. */
    if (now_us > s->model_us) {
        s->model_us = now_us;
    }
    dfu_poll(&s->core, core_ms(s->model_us));
}

uint64_t sim_server_due_us(const sim_server* s, uint64_t now_us) {
    uint64_t due = now_us + LOOP_TICK_US;
    int64_t framer_due = dfu_framer_due_us(&s->framer, now_us);
    if (framer_due >= 0 && now_us + (uint64_t)framer_due < due) {
        due = now_us + (uint64_t)framer_due;
    }
    if (s->rxq_len != 0) {
        /* The byte that may complete a packet, or the last one received. */
        size_t k = dfu_framer_wanted(&s->framer);
        uint64_t t;
        if (k > s->rxq_len) {
            k = s->rxq_len;
        }
        t = s->rxq_done[(s->rxq_head + k - 1u) & RXQ_MASK];
        if (t < due) {
            due = t;
        }
    }
    return due;
}

/* Waits for input (when pfd->fd >= 0) until due. precise, with sim_clock_precise(): the wait
 * for input ends spin_us early and the rest is spun (no input is read then: its arrival is
 * stamped up to spin_us late, which only matters if it comes while the line is idle). */
static int wait_until(sim_server* s, struct pollfd* pfd, uint64_t due, int precise) {
    uint64_t now = sim_now_us();
    uint64_t spin = precise ? sim_clock_spin_us() : 0u;
    uint64_t left = due > now + spin ? due - now - spin : 0u;
    int rc;
#if defined(__linux__)
    struct timespec ts;
    ts.tv_sec = (time_t)(left / 1000000u);
    ts.tv_nsec = (long)(left % 1000000u) * 1000L;
    rc = ppoll(pfd, 1, &ts, NULL);
#else
    rc = poll(pfd, 1, (int)((left + 999u) / 1000u)); /* a millisecond late at worst */
#endif
    if (rc == 0 && precise) {
        sim_sleep_until_us(due, s->stop);
    }
    return rc;
}

int sim_serve(sim_server* s) {
    while (!*s->stop) {
        struct pollfd pfd;
        uint64_t now = sim_now_us(), due;
        int rc;

        sim_server_advance(s, now);
        pfd.fd = s->rxq_len < SIM_RXQ_CAP ? s->fd : -1; /* FIFO full: leave bytes in the pty */
        pfd.events = POLLIN;
        pfd.revents = 0;
        due = sim_server_due_us(s, now);
        rc = wait_until(s, &pfd, due, due < now + LOOP_TICK_US); /* the idle tick needs no precision */
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "dfu-sim: poll: %s\n", strerror(errno));
            return -1;
        }
        if (pfd.revents & POLLIN) {
            size_t room = SIM_RXQ_CAP - s->rxq_len;
            ssize_t n = read(s->fd, s->rx, room < sizeof s->rx ? room : sizeof s->rx);
            if (n > 0) {
                sim_server_receive(s, s->rx, (size_t)n, sim_now_us());
            } else if (n == 0 || (n < 0 && errno == EIO)) {
                sim_sleep_us(10000u, s->stop); /* no slave side open: nothing to read */
            } else if (errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "dfu-sim: read: %s\n", strerror(errno));
                return -1;
            }
        } else if (pfd.revents & (POLLHUP | POLLERR)) {
            sim_sleep_us(10000u, s->stop); /* no reader on the slave side: nothing to do */
        }
    }
    return 0;
}
