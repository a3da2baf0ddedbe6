/* psram_flash.c - flash rows as plain memory in PSRAM (erased value 0x00, as dfu-sim's default). */
#include "psram_flash.h"

#include <string.h>

#define ERASED_BYTE 0x00u

static uint32_t flash_base;
static uint32_t flash_size;
static uint32_t row_size;
static dfu_region eeprom;

/* PSRAM offset of [addr, addr+len) when it lies inside the flash or the EEPROM window, else -1.
 * aligned: the range must also start a row of its window. */
static int32_t offset_of(uint32_t addr, uint32_t len, int aligned) {
    uint32_t off;
    if (addr >= flash_base && (uint64_t)(addr - flash_base) + len <= flash_size) {
        off = addr - flash_base;
        return aligned && off % row_size != 0u ? -1 : (int32_t)off;
    }
    if (eeprom.size != 0u && addr >= eeprom.start && (uint64_t)(addr - eeprom.start) + len <= eeprom.size) {
        off = addr - eeprom.start;
        return aligned && off % row_size != 0u ? -1 : (int32_t)(flash_size + off);
    }
    return -1;
}

static uint8_t* at(int32_t off) {
    return (uint8_t*)(uintptr_t)(PSRAM_BASE + (uint32_t)off);
}

static int port_read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
    int32_t off = offset_of(addr, len, 0);
    (void)ctx;
    if (off < 0) {
        return -1;
    }
    memcpy(dst, at(off), len);
    return 0;
}

static int port_write_row(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
    int32_t off = offset_of(addr, len, 1);
    (void)ctx;
    if (off < 0) {
        return -1;
    }
    memcpy(at(off), src, len);
    return 0;
}

static int port_erase_row(void* ctx, uint32_t addr) {
    int32_t off = offset_of(addr, row_size, 1);
    (void)ctx;
    if (off < 0) {
        return -1;
    }
    memset(at(off), ERASED_BYTE, row_size);
    return 0;
}

int psram_config(dfu_config* cfg) {
    const volatile fw_config_block* b = (const volatile fw_config_block*)(uintptr_t)(PSRAM_BASE + FW_CONFIG_OFFSET);
    if (b->magic != FW_CONFIG_MAGIC) {
        return 0;
    }
    cfg->product_id = b->product_id;
    cfg->checksum_type = (uint8_t)b->checksum_type;
    if (b->max_packet != 0u) {
        cfg->max_packet = b->max_packet;
    }
    return b->fresh == 1u;
}

void psram_flash_port(const dfu_config* cfg, dfu_flash_port* port) {
    flash_base = cfg->flash_base;
    flash_size = cfg->flash_size;
    row_size = cfg->row_size;
    eeprom = cfg->eeprom;
    port->ctx = 0;
    port->read = port_read;
    port->write_row = port_write_row;
    port->erase_row = port_erase_row;
}
