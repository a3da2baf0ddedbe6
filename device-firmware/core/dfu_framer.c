/* dfu_framer.c - byte stream -> packets (length field or idle gap). */
#include "dfu_framer.h"

#include <stdint.h>
#include <string.h>

#define DFU_MIN_PACKET 7u /* start, code, length (2), checksum (2), end */

void dfu_framer_init(dfu_framer* f, dfu_framing mode, uint32_t max_packet, dfu_unit_fn emit, void* ctx) {
    f->mode = mode;
    /* A port built with a smaller DFU_FRAMER_CAP never gets more than it holds. */
    f->max_packet = max_packet < DFU_FRAMER_CAP ? max_packet : (uint32_t)(DFU_FRAMER_CAP - 1u);
    f->timeout_us = mode == DFU_FRAMING_GAP ? DFU_GAP_US : DFU_PARTIAL_TIMEOUT_US;
    f->emit = emit;
    f->ctx = ctx;
    f->split_oversize = 0;
    dfu_framer_reset(f);
}

void dfu_framer_reset(dfu_framer* f) {
    f->last_rx_us = 0;
    f->len = 0;
    f->stray_len = 0;
    f->skip = 0;
}

static int pending(const dfu_framer* f) {
    return f->len != 0 || f->stray_len != 0 || f->skip != 0;
}

static void flush_stray(dfu_framer* f, uint64_t now_us) {
    if (f->stray_len != 0) {
        size_t n = f->stray_len;
        f->stray_len = 0;
        f->emit(f->ctx, DFU_UNIT_STRAY, f->stray, n, now_us);
    }
}

static void flush_packet(dfu_framer* f, uint64_t now_us) {
    size_t n = f->len, off = 0;
    f->len = 0;
    if (f->mode == DFU_FRAMING_LENGTH) {
        if (n != 0) {
            f->emit(f->ctx, DFU_UNIT_PACKET, f->buf, n, now_us);
        }
        return;
    }
    /* Gap framing: a burst is read max_packet bytes at a time, as the middleware's UART
     * transport fills its command buffer; what is left over is the next packet. */
    while (off < n) {
        size_t k = n - off < f->max_packet ? n - off : f->max_packet;
        f->emit(f->ctx, DFU_UNIT_PACKET, f->buf + off, k, now_us);
        off += k;
    }
}

static void add_stray(dfu_framer* f, uint8_t b, uint64_t now_us) {
    if (f->stray_len == sizeof f->stray) {
        flush_stray(f, now_us);
    }
    f->stray[f->stray_len++] = b;
}

static void feed_length(dfu_framer* f, uint8_t b, uint64_t now_us) {
    if (f->skip != 0) {
        if (f->split_oversize) { /* the rest of a cut packet: a packet of its own */
            if (f->len == sizeof f->buf) { /* a port with a small buffer: in pieces */
                flush_packet(f, now_us);
            }
            f->buf[f->len++] = b;
            if (--f->skip == 0) {
                flush_packet(f, now_us);
            }
            return;
        }
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

void dfu_framer_idle(dfu_framer* f, uint64_t now_us) {
    /* last_rx_us may lie ahead of now: bytes fed ahead of their arrival (sim_serve). */
    if (!pending(f) || now_us < f->last_rx_us || now_us - f->last_rx_us < f->timeout_us) {
        return;
    }
    /* Stray bytes always precede a partial packet, so report them first. */
    flush_stray(f, now_us);
    flush_packet(f, now_us);
    f->skip = 0;
}

void dfu_framer_feed(dfu_framer* f, const uint8_t* data, size_t len, uint64_t now_us) {
    size_t i;
    if (len == 0) {
        return;
    }
    dfu_framer_idle(f, now_us);
    f->last_rx_us = now_us;
    if (f->mode == DFU_FRAMING_GAP) {
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

int64_t dfu_framer_due_us(const dfu_framer* f, uint64_t now_us) {
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

size_t dfu_framer_wanted(const dfu_framer* f) {
    size_t need;
    if (f->mode == DFU_FRAMING_GAP) {
        return SIZE_MAX;
    }
    if (f->skip != 0) {
        /* A split rest is handed over at its last byte; skipped bytes are stray, then a packet starts. */
        return f->split_oversize ? f->skip : f->skip + DFU_MIN_PACKET;
    }
    if (f->len < 4) {
        return DFU_MIN_PACKET - f->len; /* any packet has 7 bytes; the max_packet cut is later */
    }
    need = (size_t)(f->buf[2] | (f->buf[3] << 8)) + 7u;
    if (need > f->max_packet) {
        need = (size_t)f->max_packet + 1u;
    }
    return need > f->len ? need - f->len : 1u;
}
