/* psram_flash.c - flash rows as plain memory in PSRAM (erased value 0x00, as dfu-sim's default). */
#include "psram_flash.h"

#include <string.h>

#define ERASED_BYTE 0x00u

static uint32_t flash_base;
static uint32_t flash_size;
static uint32_t row_size;

static uint8_t* at(uint32_t addr) {
    return (uint8_t*)(uintptr_t)(PSRAM_BASE + (addr - flash_base));
}

/* 1 when [addr, addr+len) lies inside the flash. */
static int in_range(uint32_t addr, uint32_t len) {
    return addr >= flash_base && (uint64_t)(addr - flash_base) + len <= flash_size;
}

static int port_read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
    (void)ctx;
    if (!in_range(addr, len)) {
        return -1;
    }
    memcpy(dst, at(addr), len);
    return 0;
}

static int port_write_row(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
    (void)ctx;
    if (!in_range(addr, len) || (addr - flash_base) % row_size != 0u) {
        return -1;
    }
    memcpy(at(addr), src, len);
    return 0;
}

static int port_erase_row(void* ctx, uint32_t addr) {
    (void)ctx;
    if (!in_range(addr, row_size) || (addr - flash_base) % row_size != 0u) {
        return -1;
    }
    memset(at(addr), ERASED_BYTE, row_size);
    return 0;
}

void psram_config(dfu_config* cfg) {
    const volatile fw_config_block* b = (const volatile fw_config_block*)(uintptr_t)(PSRAM_BASE + FW_CONFIG_OFFSET);
    if (b->magic != FW_CONFIG_MAGIC) {
        return;
    }
    cfg->product_id = b->product_id;
    cfg->checksum_type = (uint8_t)b->checksum_type;
    if (b->max_packet != 0u) {
        cfg->max_packet = b->max_packet;
    }
}

void psram_flash_port(const dfu_config* cfg, dfu_flash_port* port) {
    flash_base = cfg->flash_base;
    flash_size = cfg->flash_size;
    row_size = cfg->row_size;
    port->ctx = 0;
    port->read = port_read;
    port->write_row = port_write_row;
    port->erase_row = port_erase_row;
}
