/*
 * fw_main.c - the DFU responder as Cortex-M firmware (QEMU mps2-an385).
 *
 * The same core as dfu-sim: received bytes go through dfu_framer (length framing with a 50 ms
 * partial timeout, or gap framing for the middleware preset; docs/protocol.md "Timing") to
 * dfu_handle_packet(), whose answer goes back out of the UART. Between bytes the core sleeps in
 * wfi; the UART receive interrupt and the 1 ms SysTick wake it (the tick drives the error
 * hold-off, the idle timeout and the framer's timeouts).
 *
 * Build setting DFU_FW_PRESET (dfu_preset.h): the device configuration the image is built for;
 * the middleware preset also frames packets by idle gaps, as the middleware's UART transport.
 */
#include <stdint.h>

#include "dfu_framer.h"
#include "dfu_preset.h"
#include "dfu_responder.h"
#include "psram_flash.h"
#include "systick.h"
#include "uart_cmsdk.h"

#define CPU_HZ 25000000u /* mps2-an385: the FPGA's 25 MHz system clock */

#ifndef DFU_FW_PRESET
#define DFU_FW_PRESET DFU_PRESET_DEFAULT
#endif

static dfu_responder core;
static dfu_framer framer;
static uint8_t rsp[DFU_MAX_ROW_SIZE + 16u + DFU_PACKET_OVERHEAD]; /* >= any max_packet (K1); also
                                                                    a row for the initial metadata */

/* The time of the bytes being fed, in both units (the framer counts microseconds, the core
 * milliseconds); the framer calls on_unit from within feed/idle, at that time. */
static uint32_t now_ms;

static uint64_t clock_now_us(void) {
    now_ms = systick_ms();
    return (uint64_t)now_ms * 1000u;
}

static void on_unit(void* ctx, dfu_unit_kind kind, const uint8_t* bytes, size_t len, uint64_t at_us) {
    size_t n;
    (void)ctx;
    (void)at_us; /* == now_ms * 1000 */
    if (kind != DFU_UNIT_PACKET) {
        return; /* stray bytes are never answered */
    }
    n = dfu_handle_packet(&core, bytes, len, now_ms, rsp, sizeof rsp);
    uart_write(rsp, n);
}

/* Sleeps until an interrupt unless received bytes are already waiting. Interrupts stay masked
 * between the check and wfi, so a byte arriving in between still wakes it (a pending interrupt
 * ends wfi even when masked). */
static void sleep_unless_input(void) {
    __asm__ volatile("cpsid i" ::: "memory");
    if (uart_rx_empty()) {
        __asm__ volatile("wfi");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

int main(void) {
    dfu_config cfg;
    dfu_flash_port port;
    uint8_t chunk[64];

    int fresh;

    dfu_preset_config(DFU_FW_PRESET, &cfg);
    fresh = psram_config(&cfg);
    psram_flash_port(&cfg, &port);
    if (dfu_init(&core, &cfg, &port) != 0) {
        return 1; /* a bad configuration block: the reset handler parks in wfi */
    }
    /* A flash just created is what a freshly flashed loader holds: its initial metadata row. */
    if (fresh && dfu_preset_metadata_row(DFU_FW_PRESET, &core.cfg, rsp)) {
        (void)port.write_row(port.ctx, core.cfg.metadata_addr, rsp, core.cfg.row_size);
    }
    dfu_framer_init(&framer, DFU_FW_PRESET == DFU_PRESET_MIDDLEWARE ? DFU_FRAMING_GAP : DFU_FRAMING_LENGTH,
                    core.cfg.max_packet, on_unit, 0);
    systick_start(CPU_HZ);
    uart_start();

    for (;;) {
        size_t n = uart_read(chunk, sizeof chunk);
        if (n != 0u) {
            dfu_framer_feed(&framer, chunk, n, clock_now_us());
            continue;
        }
        dfu_framer_idle(&framer, clock_now_us());
        dfu_poll(&core, now_ms);
        sleep_unless_input();
    }
}
