/*
 * dfu_commands.h - inside the responder (not part of its API): the command handlers that
 * dfu_responder.c dispatches to once a packet's frame is sound and its state allows the
 * command, the result type they share with it, and little-endian field access. The tags
 * (D1, M1, ...) refer to dfu_responder.h.
 */
#ifndef DFU_COMMANDS_H
#define DFU_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "dfu_responder.h"

static inline uint16_t rd16(const uint8_t* p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rd32(const uint8_t* p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wr32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Result of one command: status, and the number of data bytes placed at out. */
typedef struct {
    uint8_t status;
    uint8_t silent; /* 1: no response whatever the status */
    size_t len;
} dfu_result;

static inline dfu_result result(uint8_t status, size_t len) {
    dfu_result res;
    res.status = status;
    res.silent = 0;
    res.len = len;
    return res;
}

static inline dfu_result silent(uint8_t status) {
    dfu_result res = result(status, 0);
    res.silent = 1;
    return res;
}

/* Each handler: `d`, `n` the command's data; `out`, `out_cap` where answer data goes. */

/* E1: Enter DFU, in any state. */
dfu_result dfu_cmd_enter(dfu_responder* r, const uint8_t* d, size_t n, uint32_t now_ms, uint8_t* out, size_t out_cap);
/* D1: Send Data (with or without response): appends to the row buffer. */
uint8_t dfu_cmd_send_data(dfu_responder* r, const uint8_t* d, size_t n);
/* D2: Program Data (verify_only 0) and Verify Data (verify_only 1). */
uint8_t dfu_cmd_row(dfu_responder* r, const uint8_t* d, size_t n, int verify_only);
/* D3: Erase Data. */
uint8_t dfu_cmd_erase(dfu_responder* r, const uint8_t* d, size_t n);
/* A1: Verify Application. Writes the validity byte to *valid; returns the status. */
uint8_t dfu_cmd_verify_app(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* valid);
/* M1: Set Application Metadata. */
uint8_t dfu_cmd_set_metadata(dfu_responder* r, const uint8_t* d, size_t n);
/* M2: Get Metadata. */
dfu_result dfu_cmd_get_metadata(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* out, size_t out_cap);
/* V1: Set EI Vector. */
uint8_t dfu_cmd_set_eiv(dfu_responder* r, const uint8_t* d, size_t n);

#endif
