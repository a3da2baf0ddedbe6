/* sim_framer.c - byte stream -> packets (length field or idle gap). */
#include "sim_framer.h"

#include <stdint.h>
#include <string.h>

#define SIM_MIN_PACKET 7u /* start, code, length (2), checksum (2), end */

void sim_framer_init(sim_framer* f, sim_framing mode, uint32_t max_packet, sim_unit_fn emit, void* ctx) {
    f->mode = mode;
    f->max_packet = max_packet;
    f->timeout_us = mode == SIM_FRAMING_GAP ? SIM_GAP_US : SIM_PARTIAL_TIMEOUT_US;
    f->emit = emit;
    f->ctx = ctx;
    sim_framer_reset(f);
}

void sim_framer_reset(sim_framer* f) {
    f->last_rx_us = 0;
    f->len = 0;
    f->stray_len = 0;
    f->skip = 0;
}

static int pending(const sim_framer* f) {
    return f->len != 0 || f->stray_len != 0 || f->skip != 0;
}

static void flush_stray(sim_framer* f, uint64_t now_us) {
    if (f->stray_len != 0) {
        size_t n = f->stray_len;
        f->stray_len = 0;
        f->emit(f->ctx, SIM_UNIT_STRAY, f->stray, n, now_us);
    }
}

static void flush_packet(sim_framer* f, uint64_t now_us) {
    if (f->len != 0) {
        size_t n = f->len;
        f->len = 0;
        f->emit(f->ctx, SIM_UNIT_PACKET, f->buf, n, now_us);
    }
}

static void add_stray(sim_framer* f, uint8_t b, uint64_t now_us) {
    if (f->stray_len == sizeof f->stray) {
        flush_stray(f, now_us);
    }
    f->stray[f->stray_len++] = b;
}

static void feed_length(sim_framer* f, uint8_t b, uint64_t now_us) {
    if (f->skip != 0) {
        add_stray(f, b, now_us);
        if (--f->skip == 0) {
            flush_stray(f, now_us);
        }
        return;
    }
    if (f->len == 0) {
        if (b != 0x01u) {
            add_stray(f, b, now_us);
            return;
        }
        flush_stray(f, now_us);
    }
    f->buf[f->len++] = b;
    if (f->len >= 4) {
        size_t need = (size_t)(f->buf[2] | (f->buf[3] << 8)) + 7u;
        if (need > f->max_packet) {
            if (f->len == (size_t)f->max_packet + 1u) {
                f->skip = need - f->len;
                flush_packet(f, now_us);
            }
        } else if (f->len == need) {
            flush_packet(f, now_us);
        }
    }
}

void sim_framer_idle(sim_framer* f, uint64_t now_us) {
    /* last_rx_us may lie ahead of now: bytes fed ahead of their arrival (sim_serve). */
    if (!pending(f) || now_us < f->last_rx_us || now_us - f->last_rx_us < f->timeout_us) {
        return;
    }
    /* Stray bytes always precede a partial packet, so report them first. */
    flush_stray(f, now_us);
    flush_packet(f, now_us);
    f->skip = 0;
}

void sim_framer_feed(sim_framer* f, const uint8_t* data, size_t len, uint64_t now_us) {
    size_t i;
    if (len == 0) {
        return;
    }
    sim_framer_idle(f, now_us);
    f->last_rx_us = now_us;
    if (f->mode == SIM_FRAMING_GAP) {
        size_t room = sizeof f->buf - f->len;
        size_t n = len < room ? len : room; /* beyond the buffer: dropped, still oversized */
        memcpy(f->buf + f->len, data, n);
        f->len += n;
        return;
    }
    for (i = 0; i < len; ++i) {
        feed_length(f, data[i], now_us);
    }
}

int64_t sim_framer_due_us(const sim_framer* f, uint64_t now_us) {
    uint64_t elapsed;
    if (!pending(f)) {
        return -1;
    }
    if (now_us < f->last_rx_us) {
        return (int64_t)(f->last_rx_us - now_us + f->timeout_us);
    }
    elapsed = now_us - f->last_rx_us;
    return elapsed >= f->timeout_us ? 0 : (int64_t)(f->timeout_us - elapsed);
}

size_t sim_framer_wanted(const sim_framer* f) {
    size_t need;
    if (f->mode == SIM_FRAMING_GAP) {
        return SIZE_MAX;
    }
    if (f->skip != 0) {
        return f->skip + SIM_MIN_PACKET; /* skipped bytes are stray, then a packet starts */
    }
    if (f->len < 4) {
        return SIM_MIN_PACKET - f->len; /* any packet has 7 bytes; the max_packet cut is later */
    }
    need = (size_t)(f->buf[2] | (f->buf[3] << 8)) + 7u;
    if (need > f->max_packet) {
        need = (size_t)f->max_packet + 1u;
    }
    return need > f->len ? need - f->len : 1u;
}
