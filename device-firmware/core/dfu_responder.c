/*
 * dfu_responder.c - the DFU command responder. See dfu_responder.h for the contract and
 * for every choice made where the protocol leaves room (tags F1.. K1 below refer to it).
 * Here: framing, configuration, the states and which command runs in which; the commands
 * themselves are in dfu_commands.c.
 */
#include "dfu_responder.h"

#include <string.h>

#include "dfu_commands.h"

/* ---------------------------------------------------------------- framing */

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

/* ---------------------------------------------------------------- dispatch */

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
            return result(dfu_cmd_send_data(r, d, n), 0);
        case DFU_CMD_SEND_DATA_NR:
            return silent(dfu_cmd_send_data(r, d, n));
        case DFU_CMD_PROGRAM_DATA:
            return result(dfu_cmd_row(r, d, n, 0), 0);
        case DFU_CMD_VERIFY_DATA:
            return result(dfu_cmd_row(r, d, n, 1), 0);
        case DFU_CMD_ERASE_DATA:
            return result(dfu_cmd_erase(r, d, n), 0);
        case DFU_CMD_VERIFY_APP: {
            uint8_t valid = 0;
            res = result(dfu_cmd_verify_app(r, d, n, &valid), 0);
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
            return result(dfu_cmd_set_metadata(r, d, n), 0);
        case DFU_CMD_GET_METADATA:
            return dfu_cmd_get_metadata(r, d, n, out, out_cap);
        case DFU_CMD_SET_EIV:
            return result(dfu_cmd_set_eiv(r, d, n), 0);
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
            res = dfu_cmd_enter(r, d, n, now_ms, out, out_cap);
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
