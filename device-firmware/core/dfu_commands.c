/*
 * dfu_commands.c - the responder's command handlers: where an address may be written, the
 * row buffer, flash reads through the port, the metadata row. See dfu_responder.h for the
 * contract (tags D1.. V1) and dfu_commands.h for how dfu_responder.c calls these.
 */
#include "dfu_commands.h"

#include <string.h>

/* ---------------------------------------------------------------- addresses */

static int in_region(uint32_t start, uint32_t size, uint32_t addr) {
    return addr >= start && addr - start < size;
}

/* 1 when [addr, addr + len) lies inside the flash or inside the EEPROM window. */
static int range_ok(const dfu_config* c, uint32_t addr, uint32_t len) {
    if (in_region(c->flash_base, c->flash_size, addr)) {
        return (uint64_t)(addr - c->flash_base) + len <= c->flash_size;
    }
    return in_region(c->eeprom.start, c->eeprom.size, addr) &&
           (uint64_t)(addr - c->eeprom.start) + len <= c->eeprom.size;
}

static int in_protected(const dfu_config* c, uint32_t addr) {
    unsigned i;
    for (i = 0; i < DFU_MAX_PROTECTED; ++i) {
        if (in_region(c->protected_regions[i].start, c->protected_regions[i].size, addr)) {
            return 1;
        }
    }
    return 0;
}

/* D2/D3: 1 when the loader lets a row starting at addr be written (its alignment is checked
 * apart, after this: the template's Cy_DFU_WriteData() refuses the address first). */
static int writable(const dfu_config* c, uint32_t addr) {
    return range_ok(c, addr, 1u) && !in_protected(c, addr) && !(c->protect_metadata_row && addr == c->metadata_addr);
}

/* Offset of addr from the start of its window (flash or EEPROM); row alignment counts from there. */
static uint32_t window_offset(const dfu_config* c, uint32_t addr) {
    return in_region(c->flash_base, c->flash_size, addr) ? addr - c->flash_base : addr - c->eeprom.start;
}

static uint32_t max_apps(const dfu_config* c) {
    return c->max_apps != 0u ? c->max_apps : (c->row_size - 4u) / 8u;
}

/* ---------------------------------------------------------------- flash helpers */

/* 0 equal, 1 different, -1 read failure. */
static int flash_compare(dfu_responder* r, uint32_t addr, const uint8_t* ref, uint32_t len) {
    while (len != 0u) {
        uint32_t n = len < sizeof r->scratch ? len : (uint32_t)sizeof r->scratch;
        if (r->flash.read(r->flash.ctx, addr, r->scratch, n) != 0) {
            return -1;
        }
        if (memcmp(r->scratch, ref, n) != 0) {
            return 1;
        }
        addr += n;
        ref += n;
        len -= n;
    }
    return 0;
}

/* CRC-32C over flash [addr, addr+len). 0 ok, -1 read failure. */
static int flash_crc32c(dfu_responder* r, uint32_t addr, uint32_t len, uint32_t* crc) {
    uint32_t s = DFU_CRC32C_INIT;
    while (len != 0u) {
        uint32_t n = len < sizeof r->scratch ? len : (uint32_t)sizeof r->scratch;
        if (r->flash.read(r->flash.ctx, addr, r->scratch, n) != 0) {
            return -1;
        }
        s = dfu_crc32c_update(s, r->scratch, n);
        addr += n;
        len -= n;
    }
    *crc = dfu_crc32c_final(s);
    return 0;
}

static int flash_u32(dfu_responder* r, uint32_t addr, uint32_t* v) {
    if (r->flash.read(r->flash.ctx, addr, r->scratch, 4u) != 0) {
        return -1;
    }
    *v = rd32(r->scratch);
    return 0;
}

/* ---------------------------------------------------------------- commands */

/* E1 */
dfu_result dfu_cmd_enter(dfu_responder* r, const uint8_t* d, size_t n, uint32_t now_ms, uint8_t* out, size_t out_cap) {
    const dfu_config* c = &r->cfg;
    if (n != 0u && n != 4u && n != 6u) {
        return result(DFU_STATUS_ERROR_LENGTH, 0);
    }
    if (n == 0u && c->product_id != 0u) {
        return result(DFU_STATUS_ERROR_LENGTH, 0);
    }
    if (n != 0u && rd32(d) != c->product_id) {
        return result(DFU_STATUS_ERROR_DATA, 0);
    }
    if (out_cap < 8u) {
        return result(DFU_STATUS_ERROR_LENGTH, 0);
    }
    r->state = DFU_STATE_UPDATING; /* E1: the row buffer and the EI vector are kept */
    r->last_cmd_ms = now_ms;
    wr32(out, c->silicon_id);
    out[4] = c->silicon_rev;
    out[5] = (uint8_t)DFU_SDK_VERSION_MINOR;
    out[6] = (uint8_t)DFU_SDK_VERSION_MAJOR;
    out[7] = 0x01u;
    return result(DFU_STATUS_SUCCESS, 8u);
}

/* D1 */
uint8_t dfu_cmd_send_data(dfu_responder* r, const uint8_t* d, size_t n) {
    if (n > (size_t)(r->cfg.row_size + DFU_ROW_BUFFER_EXTRA - r->row_len)) {
        r->row_len = 0;
        return DFU_STATUS_ERROR_LENGTH; /* D1 */
    }
    if (n != 0u) {
        memcpy(r->row + r->row_len, d, n);
        r->row_len += (uint32_t)n;
    }
    return DFU_STATUS_SUCCESS;
}

/* D2 */
uint8_t dfu_cmd_row(dfu_responder* r, const uint8_t* d, size_t n, int verify_only) {
    const dfu_config* c = &r->cfg;
    uint32_t addr, len;
    uint8_t st;
    int cmp;

    if (n < 8u) {
        r->row_len = 0;
        return DFU_STATUS_ERROR_LENGTH;
    }
    st = dfu_cmd_send_data(r, d + 8, n - 8u);
    len = r->row_len;
    r->row_len = 0; /* always emptied */
    if (st != DFU_STATUS_SUCCESS) {
        return st;
    }
    addr = rd32(d);
    if (dfu_crc32c(r->row, len) != rd32(d + 4)) {
        return DFU_STATUS_ERROR_CHECKSUM;
    }
    if (verify_only) {
        if (len % c->row_size != 0u || !range_ok(c, addr, len) || in_protected(c, addr)) {
            return DFU_STATUS_ERROR_VERIFY;
        }
        return flash_compare(r, addr, r->row, len) == 0 ? DFU_STATUS_SUCCESS : DFU_STATUS_ERROR_VERIFY;
    }
    if (!writable(c, addr)) {
        return DFU_STATUS_ERROR_ADDRESS;
    }
    if (window_offset(c, addr) % c->row_size != 0u || len != c->row_size || !range_ok(c, addr, len)) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    if (r->flash.write_row(r->flash.ctx, addr, r->row, len) != 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    cmp = flash_compare(r, addr, r->row, len);
    if (cmp < 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    return cmp == 0 ? DFU_STATUS_SUCCESS : DFU_STATUS_ERROR_VERIFY;
}

/* D3 */
uint8_t dfu_cmd_erase(dfu_responder* r, const uint8_t* d, size_t n) {
    const dfu_config* c = &r->cfg;
    uint32_t addr;
    r->row_len = 0; /* D3 */
    if (n != 4u) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    addr = rd32(d);
    if (!writable(c, addr)) {
        return DFU_STATUS_ERROR_ADDRESS;
    }
    if (window_offset(c, addr) % c->row_size != 0u) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    memset(r->row, 0, c->row_size);
    return r->flash.erase_row(r->flash.ctx, addr) == 0 ? DFU_STATUS_SUCCESS : DFU_STATUS_ERROR_DATA;
}

/* A1 */
uint8_t dfu_cmd_verify_app(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* valid) {
    const dfu_config* c = &r->cfg;
    uint32_t app, stored, crc, start, length;

    *valid = 0u;
    if (n != 1u && n != 4u) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    app = d[0];
    if (app >= max_apps(c)) {
        return DFU_STATUS_SUCCESS;
    }
    if (flash_crc32c(r, c->metadata_addr, c->row_size - 4u, &crc) != 0 ||
        flash_u32(r, c->metadata_addr + c->row_size - 4u, &stored) != 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    if (crc != stored) {
        return DFU_STATUS_SUCCESS;
    }
    if (flash_u32(r, c->metadata_addr + app * 8u, &start) != 0 ||
        flash_u32(r, c->metadata_addr + app * 8u + 4u, &length) != 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    if (length == 0u || start < c->flash_base || (uint64_t)(start - c->flash_base) + length + 4u > c->flash_size) {
        return DFU_STATUS_SUCCESS;
    }
    if (flash_crc32c(r, start, length, &crc) != 0 || flash_u32(r, start + length, &stored) != 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    *valid = crc == stored ? 1u : 0u;
    return DFU_STATUS_SUCCESS;
}

/* M1 */
uint8_t dfu_cmd_set_metadata(dfu_responder* r, const uint8_t* d, size_t n) {
    const dfu_config* c = &r->cfg;
    uint8_t* entry;

    if (n != 9u) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    if (d[0] >= max_apps(c)) {
        return DFU_STATUS_ERROR_UNKNOWN;
    }
    /* The row buffer is borrowed: its contents change, its fill level (row_len) does not. */
    if (r->flash.read(r->flash.ctx, c->metadata_addr, r->row, c->row_size) != 0) {
        return DFU_STATUS_ERROR_DATA;
    }
    entry = r->row + d[0] * 8u;
    if (memcmp(entry, d + 1, 8u) == 0) {
        return DFU_STATUS_SUCCESS; /* unchanged: not written */
    }
    memcpy(entry, d + 1, 8u); /* start u32 LE, length u32 LE: stored as sent */
    wr32(r->row + c->row_size - 4u, dfu_crc32c(r->row, c->row_size - 4u));
    return r->flash.write_row(r->flash.ctx, c->metadata_addr, r->row, c->row_size) == 0 ? DFU_STATUS_SUCCESS
                                                                                        : DFU_STATUS_ERROR_DATA;
}

/* M2 */
dfu_result dfu_cmd_get_metadata(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* out, size_t out_cap) {
    const dfu_config* c = &r->cfg;
    uint32_t from, to, count, crc, stored;

    if (n != 4u) {
        return result(DFU_STATUS_ERROR_LENGTH, 0);
    }
    from = rd16(d);
    to = rd16(d + 2);
    if (from > to || to - from + DFU_PACKET_OVERHEAD > c->max_packet || to > c->row_size + DFU_ROW_BUFFER_EXTRA) {
        return result(DFU_STATUS_ERROR_DATA, 0);
    }
    count = to - from;
    if (count > out_cap) {
        return result(DFU_STATUS_ERROR_LENGTH, 0);
    }
    if (flash_crc32c(r, c->metadata_addr, c->row_size - 4u, &crc) != 0 ||
        flash_u32(r, c->metadata_addr + c->row_size - 4u, &stored) != 0) {
        return result(DFU_STATUS_ERROR_DATA, 0);
    }
    if (crc != stored) {
        return result(DFU_STATUS_ERROR_VERIFY, 0);
    }
    /* Read through the row buffer, as the middleware does: bytes past the row are what it holds. */
    if (r->flash.read(r->flash.ctx, c->metadata_addr, r->row, c->row_size) != 0) {
        return result(DFU_STATUS_ERROR_DATA, 0);
    }
    memcpy(out, r->row + from, count);
    return result(DFU_STATUS_SUCCESS, count);
}

/* V1 */
uint8_t dfu_cmd_set_eiv(dfu_responder* r, const uint8_t* d, size_t n) {
    if (!r->cfg.eiv_supported) {
        return DFU_STATUS_ERROR_CMD;
    }
    if (n != 0u && n != 8u && n != 16u) {
        return DFU_STATUS_ERROR_DATA;
    }
    if (n != 0u) {
        memcpy(r->eiv, d, n);
    }
    r->eiv_len = (uint8_t)n;
    return DFU_STATUS_SUCCESS;
}
