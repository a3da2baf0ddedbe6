/*
 * dfu_responder.c - the DFU command responder. See dfu_responder.h for the contract and
 * for every choice made where the protocol leaves room (tags F1.. K1 below refer to it).
 */
#include "dfu_responder.h"

#include <string.h>

/* ---------------------------------------------------------------- helpers */

static uint16_t rd16(const uint8_t* p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t* p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint16_t packet_checksum(uint8_t type, const uint8_t* p, size_t len) {
    return type == DFU_CHECKSUM_CRC16 ? dfu_crc16_x25(p, len) : dfu_sum16(p, len);
}

/* Sum: little-endian. CRC-16: high byte first. */
static void put_checksum(uint8_t type, uint8_t* dst, uint16_t cs) {
    if (type == DFU_CHECKSUM_CRC16) {
        dst[0] = (uint8_t)(cs >> 8);
        dst[1] = (uint8_t)cs;
    } else {
        dst[0] = (uint8_t)cs;
        dst[1] = (uint8_t)(cs >> 8);
    }
}

static uint16_t get_checksum(uint8_t type, const uint8_t* src) {
    if (type == DFU_CHECKSUM_CRC16) {
        return (uint16_t)((src[0] << 8) | src[1]);
    }
    return (uint16_t)(src[0] | (src[1] << 8));
}

/* Frames `len` data bytes already in place at out + 4. */
static size_t frame_in_place(uint8_t code, size_t len, uint8_t type, uint8_t* out) {
    out[0] = (uint8_t)DFU_SOP;
    out[1] = code;
    out[2] = (uint8_t)len;
    out[3] = (uint8_t)(len >> 8);
    put_checksum(type, out + 4 + len, packet_checksum(type, out, 4 + len));
    out[6 + len] = (uint8_t)DFU_EOP;
    return len + DFU_PACKET_OVERHEAD;
}

size_t dfu_build_packet(uint8_t code, const uint8_t* data, size_t len, uint8_t checksum_type, uint8_t* out,
                        size_t out_cap) {
    if (out == NULL || len > 0xFFFFu || out_cap < len + DFU_PACKET_OVERHEAD) {
        return 0;
    }
    if (len != 0) {
        if (data == NULL) {
            return 0;
        }
        memmove(out + 4, data, len);
    }
    return frame_in_place(code, len, checksum_type, out);
}

/* ---------------------------------------------------------------- config */

void dfu_config_defaults(dfu_config* cfg) {
    if (cfg == NULL) {
        return;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->flash_base = 0x10000000u;
    cfg->flash_size = 0x100000u;
    cfg->row_size = 512u;
    cfg->metadata_addr = cfg->flash_base + cfg->flash_size - cfg->row_size;
    cfg->product_id = 0x01020304u;
    cfg->silicon_id = 0u;
    cfg->silicon_rev = 0u;
    cfg->checksum_type = DFU_CHECKSUM_SUM;
    cfg->max_packet = 64u;
    cfg->error_holdoff_ms = 20u;
    cfg->idle_timeout_ms = 5000u;
    cfg->eiv_supported = 1u;
    cfg->max_apps = 0u;
    cfg->protect_metadata_row = 1u;
}

/* 1 when addr is the start of a row wholly inside flash. */
static int row_addr_ok(const dfu_config* c, uint32_t addr) {
    uint32_t off;
    if (addr < c->flash_base) {
        return 0;
    }
    off = addr - c->flash_base;
    if (off % c->row_size != 0u) {
        return 0;
    }
    return (uint64_t)off + c->row_size <= c->flash_size;
}

static int in_region(uint32_t start, uint32_t size, uint32_t addr) {
    return addr >= start && addr - start < size;
}

/* 1 when [addr, addr + len) lies inside the flash or inside the EEPROM window. */
static int range_ok(const dfu_config* c, uint32_t addr, uint32_t len) {
    if (in_region(c->flash_base, c->flash_size, addr)) {
        return (uint64_t)(addr - c->flash_base) + len <= c->flash_size;
    }
    return in_region(c->eeprom.start, c->eeprom.size, addr) && (uint64_t)(addr - c->eeprom.start) + len <= c->eeprom.size;
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

int dfu_init(dfu_responder* r, const dfu_config* cfg, const dfu_flash_port* flash) {
    dfu_config c;
    if (r == NULL || cfg == NULL || flash == NULL || flash->read == NULL || flash->write_row == NULL ||
        flash->erase_row == NULL) {
        return -1;
    }
    c = *cfg;
    if (c.checksum_type > DFU_CHECKSUM_CRC16) {
        return -2;
    }
    if (c.row_size < 16u || c.row_size > DFU_MAX_ROW_SIZE || c.row_size % 4u != 0u) {
        return -3;
    }
    if (c.flash_size == 0u || c.flash_size % c.row_size != 0u ||
        (uint64_t)c.flash_base + c.flash_size > 0x100000000ull) {
        return -4;
    }
    if (c.metadata_addr == DFU_METADATA_ADDR_LAST_ROW) {
        c.metadata_addr = c.flash_base + c.flash_size - c.row_size;
    }
    if (!row_addr_ok(&c, c.metadata_addr)) {
        return -5;
    }
    if (c.max_packet < DFU_PACKET_OVERHEAD + 8u || c.max_packet > c.row_size + 16u + DFU_PACKET_OVERHEAD) {
        return -6;
    }
    if (c.max_apps > (c.row_size - 4u) / 8u) {
        return -7;
    }
    if (c.eeprom.size != 0u &&
        (c.eeprom.size % c.row_size != 0u || (uint64_t)c.eeprom.start + c.eeprom.size > 0x100000000ull ||
         ((uint64_t)c.eeprom.start < (uint64_t)c.flash_base + c.flash_size &&
          (uint64_t)c.flash_base < (uint64_t)c.eeprom.start + c.eeprom.size))) {
        return -8;
    }
    memset(r, 0, sizeof *r);
    r->cfg = c;
    r->flash = *flash;
    r->state = DFU_STATE_NONE;
    return 0;
}

/* ---------------------------------------------------------------- time */

static void tick(dfu_responder* r, uint32_t now_ms) {
    if (r->holdoff && (uint32_t)(now_ms - r->holdoff_start_ms) >= r->cfg.error_holdoff_ms) {
        r->holdoff = 0;
    }
    if (r->state == DFU_STATE_UPDATING && r->cfg.idle_timeout_ms != 0u &&
        (uint32_t)(now_ms - r->last_cmd_ms) >= r->cfg.idle_timeout_ms) {
        r->state = DFU_STATE_NONE; /* S2 */
        r->row_len = 0;
    }
}

void dfu_poll(dfu_responder* r, uint32_t now_ms) {
    if (r != NULL) {
        tick(r, now_ms);
    }
}

int dfu_state(const dfu_responder* r) {
    return r == NULL ? DFU_STATE_NONE : r->state;
}

int dfu_discarding(const dfu_responder* r, uint32_t now_ms) {
    return r != NULL && r->holdoff && (uint32_t)(now_ms - r->holdoff_start_ms) < r->cfg.error_holdoff_ms;
}

const uint8_t* dfu_eiv(const dfu_responder* r, size_t* len) {
    if (len != NULL) {
        *len = r == NULL ? 0u : r->eiv_len;
    }
    return (r == NULL || r->eiv_len == 0u) ? NULL : r->eiv;
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

/* Result of one command: status, and the number of data bytes placed at out. */
typedef struct {
    uint8_t status;
    uint8_t silent; /* 1: no response whatever the status */
    size_t len;
} dfu_result;

static dfu_result result(uint8_t status, size_t len) {
    dfu_result res;
    res.status = status;
    res.silent = 0;
    res.len = len;
    return res;
}

static dfu_result silent(uint8_t status) {
    dfu_result res = result(status, 0);
    res.silent = 1;
    return res;
}

static dfu_result cmd_enter(dfu_responder* r, const uint8_t* d, size_t n, uint32_t now_ms, uint8_t* out,
                            size_t out_cap) {
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

static uint8_t append_row(dfu_responder* r, const uint8_t* d, size_t n) {
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

/* Program Data (verify_only 0) and Verify Data (verify_only 1): D2. */
static uint8_t row_command(dfu_responder* r, const uint8_t* d, size_t n, int verify_only) {
    const dfu_config* c = &r->cfg;
    uint32_t addr, len;
    uint8_t st;
    int cmp;

    if (n < 8u) {
        r->row_len = 0;
        return DFU_STATUS_ERROR_LENGTH;
    }
    st = append_row(r, d + 8, n - 8u);
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

static uint8_t cmd_erase(dfu_responder* r, const uint8_t* d, size_t n) {
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

/* A1. Writes the validity byte to *valid; returns the status. */
static uint8_t cmd_verify_app(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* valid) {
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
static uint8_t cmd_set_metadata(dfu_responder* r, const uint8_t* d, size_t n) {
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
static dfu_result cmd_get_metadata(dfu_responder* r, const uint8_t* d, size_t n, uint8_t* out, size_t out_cap) {
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
static uint8_t cmd_set_eiv(dfu_responder* r, const uint8_t* d, size_t n) {
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

/* Commands in NONE/FINISHED other than Enter (S3, S4, S5). */
static dfu_result dispatch_idle(dfu_responder* r, uint8_t code) {
    if (code == DFU_CMD_EXIT) {
        r->state = DFU_STATE_FINISHED;
        return silent(DFU_STATUS_SUCCESS);
    }
    return result(DFU_STATUS_ERROR_CMD, 0);
}

static dfu_result dispatch_updating(dfu_responder* r, uint8_t code, const uint8_t* d, size_t n, uint8_t* out,
                                    size_t out_cap) {
    dfu_result res;
    switch (code) {
        case DFU_CMD_EXIT:
            r->state = DFU_STATE_FINISHED;
            r->row_len = 0;
            return silent(DFU_STATUS_SUCCESS);
        case DFU_CMD_SYNC:
            r->row_len = 0;
            return silent(DFU_STATUS_SUCCESS);
        case DFU_CMD_SEND_DATA:
            return result(append_row(r, d, n), 0);
        case DFU_CMD_SEND_DATA_NR:
            return silent(append_row(r, d, n));
        case DFU_CMD_PROGRAM_DATA:
            return result(row_command(r, d, n, 0), 0);
        case DFU_CMD_VERIFY_DATA:
            return result(row_command(r, d, n, 1), 0);
        case DFU_CMD_ERASE_DATA:
            return result(cmd_erase(r, d, n), 0);
        case DFU_CMD_VERIFY_APP: {
            uint8_t valid = 0;
            res = result(cmd_verify_app(r, d, n, &valid), 0);
            if (res.status == DFU_STATUS_SUCCESS) {
                if (out_cap < 1u) {
                    return result(DFU_STATUS_ERROR_LENGTH, 0);
                }
                out[0] = valid;
                res.len = 1u;
            }
            return res;
        }
        case DFU_CMD_SET_METADATA:
            return result(cmd_set_metadata(r, d, n), 0);
        case DFU_CMD_GET_METADATA:
            return cmd_get_metadata(r, d, n, out, out_cap);
        case DFU_CMD_SET_EIV:
            return result(cmd_set_eiv(r, d, n), 0);
        default:
            return result(DFU_STATUS_ERROR_CMD, 0); /* C1 */
    }
}

/* F1: 0 (success) when the frame is sound, else the error status. */
static uint8_t check_frame(const dfu_config* c, const uint8_t* pkt, size_t len) {
    size_t n;
    if (pkt == NULL || len < DFU_PACKET_OVERHEAD || pkt[0] != DFU_SOP) {
        return DFU_STATUS_ERROR_DATA;
    }
    n = rd16(pkt + 2);
    if (n + DFU_PACKET_OVERHEAD > len || n + DFU_PACKET_OVERHEAD > c->max_packet) {
        return DFU_STATUS_ERROR_LENGTH;
    }
    if (pkt[n + DFU_PACKET_OVERHEAD - 1u] != DFU_EOP) {
        return DFU_STATUS_ERROR_DATA;
    }
    if (get_checksum(c->checksum_type, pkt + 4 + n) != packet_checksum(c->checksum_type, pkt, 4 + n)) {
        return DFU_STATUS_ERROR_CHECKSUM;
    }
    return DFU_STATUS_SUCCESS;
}

size_t dfu_handle_packet(dfu_responder* r, const uint8_t* pkt, size_t len, uint32_t now_ms, uint8_t* rsp,
                         size_t rsp_cap) {
    dfu_result res;
    int was_updating;
    uint8_t* out;
    size_t out_cap;

    if (r == NULL || rsp == NULL || rsp_cap < DFU_PACKET_OVERHEAD) {
        return 0; /* F2 */
    }
    tick(r, now_ms);
    if (r->holdoff) {
        return 0; /* S1: discarded */
    }
    was_updating = r->state == DFU_STATE_UPDATING;
    out = rsp + 4;
    out_cap = rsp_cap - DFU_PACKET_OVERHEAD;

    res.status = check_frame(&r->cfg, pkt, len);
    res.silent = 0;
    res.len = 0;
    if (res.status == DFU_STATUS_SUCCESS) {
        uint8_t code = pkt[1];
        const uint8_t* d = pkt + 4;
        size_t n = rd16(pkt + 2); /* F1: bytes past the end byte are ignored */
        if (was_updating) {
            r->last_cmd_ms = now_ms;
        }
        if (code == DFU_CMD_ENTER) {
            res = cmd_enter(r, d, n, now_ms, out, out_cap);
        } else if (was_updating) {
            res = dispatch_updating(r, code, d, n, out, out_cap);
        } else {
            res = dispatch_idle(r, code);
        }
    }

    if (res.status != DFU_STATUS_SUCCESS && was_updating) {
        /* S1: back to NONE, discard input for the hold-off time */
        r->state = DFU_STATE_NONE;
        r->row_len = 0;
        if (r->cfg.error_holdoff_ms != 0u) {
            r->holdoff = 1;
            r->holdoff_start_ms = now_ms;
        }
    }
    if (res.silent) {
        return 0;
    }
    if (res.status != DFU_STATUS_SUCCESS) {
        res.len = 0; /* error responses carry no data */
    }
    return frame_in_place(res.status, res.len, r->cfg.checksum_type, rsp);
}
