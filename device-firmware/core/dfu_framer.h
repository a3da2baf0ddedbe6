/*
 * dfu_framer.h - cuts the received byte stream into packets, as a device port does.
 * Pure logic (no I/O, no malloc, time passed in), so it is unit tested on its own and shared by
 * dfu-sim (ports/host) and the Cortex-M firmware (ports/cortex-m).
 *
 * length framing (default):
 *   - a packet starts at a 0x01 byte; bytes before a start byte are "stray": they are
 *     reported as one unit (DFU_UNIT_STRAY) when the next start byte arrives or after the
 *     partial timeout, and never answered (the simulator resynchronises like a host does);
 *   - once the 4 header bytes are in, the packet is complete at N + 7 bytes;
 *   - a partial packet idle for the partial timeout (50 ms) is handed over as it is (the
 *     core answers 0x04 or 0x03);
 *   - a packet whose header announces more than max_packet bytes is handed over as soon as
 *     max_packet + 1 bytes are in (the core answers 0x03); the rest of the announced bytes
 *     is then skipped and reported as stray (skipping also ends after the partial timeout),
 *     or with split_oversize set handed over as a packet of its own once the last announced
 *     byte is in, as the middleware answers a cut packet twice (0x03, then 0x04 for the rest).
 * gap framing (models the middleware's UART transport):
 *   - a packet is whatever arrived before an idle gap (1 ms), read max_packet bytes at a
 *     time: a longer burst is handed over as max_packet bytes, then the rest as further
 *     packets. Two packets sent back to back merge into one (the core answers the first and
 *     ignores the bytes after its end byte). Garbage is handed over too (the core answers 0x04).
 */
#ifndef DFU_FRAMER_H
#define DFU_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { DFU_FRAMING_LENGTH, DFU_FRAMING_GAP } dfu_framing;
typedef enum { DFU_UNIT_PACKET, DFU_UNIT_STRAY } dfu_unit_kind;

typedef void (*dfu_unit_fn)(void* ctx, dfu_unit_kind kind, const uint8_t* bytes, size_t len, uint64_t now_us);

/* Buffer sizes; a port with little RAM overrides them for the whole build (the struct must be the
 * same for every user). Length framing needs max_packet + 1 bytes at most (an oversized packet is
 * cut there); gap framing keeps what fits and drops the rest of a longer burst. Stray bytes are
 * never answered: a smaller stray buffer only reports them in more pieces. */
#ifndef DFU_FRAMER_CAP
#define DFU_FRAMER_CAP (0xFFFFu + 7u + 64u) /* the largest packet a header can announce, and some */
#endif
#ifndef DFU_FRAMER_STRAY_CAP
#define DFU_FRAMER_STRAY_CAP 4096u
#endif
#define DFU_PARTIAL_TIMEOUT_US 50000u
#ifndef DFU_GAP_US
#define DFU_GAP_US 1000u /* a port whose clock is coarse sets a longer gap for the whole build */
#endif

typedef struct {
    dfu_framing mode;
    uint32_t max_packet;
    uint64_t timeout_us; /* length: partial timeout; gap: the idle gap */
    uint64_t last_rx_us; /* time of the last byte received */
    size_t len;          /* packet bytes collected */
    size_t stray_len;    /* stray bytes collected (length framing) */
    size_t skip;         /* length framing: bytes of an oversized packet still to skip */
    int split_oversize;  /* length framing: that rest is a packet, not stray (0 after init) */
    uint8_t buf[DFU_FRAMER_CAP];
    uint8_t stray[DFU_FRAMER_STRAY_CAP];
    dfu_unit_fn emit;
    void* ctx;
} dfu_framer;

void dfu_framer_init(dfu_framer* f, dfu_framing mode, uint32_t max_packet, dfu_unit_fn emit, void* ctx);
/* Bytes received at now_us (completes a pending unit first when its gap/timeout has passed). */
void dfu_framer_feed(dfu_framer* f, const uint8_t* data, size_t len, uint64_t now_us);
/* Time passes: completes a pending unit whose gap/timeout has passed. */
void dfu_framer_idle(dfu_framer* f, uint64_t now_us);
/* Microseconds until dfu_framer_idle() has something to do; -1 when nothing is pending. */
int64_t dfu_framer_due_us(const dfu_framer* f, uint64_t now_us);
/* How many more bytes the stream must bring before a packet can be handed over (at least 1),
 * so a port that holds bytes back (line pacing) knows when to look again. Length framing:
 * to the announced end (or the max_packet + 1 cut) once the header is in, else enough for
 * the smallest packet (7 bytes); runs of stray bytes may be reported earlier (they are
 * never answered). Gap framing: SIZE_MAX (only a gap ends a packet). */
size_t dfu_framer_wanted(const dfu_framer* f);
/* Drops everything pending, reporting nothing. */
void dfu_framer_reset(dfu_framer* f);

#ifdef __cplusplus
}
#endif

#endif /* DFU_FRAMER_H */
