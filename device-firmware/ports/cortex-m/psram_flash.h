/*
 * psram_flash.h - the DFU flash emulated in the 16 MiB PSRAM of mps2-an385 (0x21000000).
 *
 * PSRAM offset 0 holds DFU address flash_base, and the EEPROM window (when the configuration
 * has one) follows at offset flash_size, so the host file QEMU maps as PSRAM
 * (memory-backend-file) starts with the flash exactly as dfu-sim's --flash file does, and
 * survives a restart. A board-configuration block at PSRAM offset FW_CONFIG_OFFSET (far past
 * any flash) lets scripts/qemu-dfu.sh set the product ID and checksum without rebuilding.
 */
#ifndef PSRAM_FLASH_H
#define PSRAM_FLASH_H

#include <stdint.h>

#include "dfu_responder.h"

#define PSRAM_BASE 0x21000000u
#define PSRAM_SIZE 0x01000000u

/* The configuration block: five little-endian u32 words. Without the magic, defaults apply. */
#define FW_CONFIG_OFFSET 0x00F00000u
#define FW_CONFIG_MAGIC 0x43554644u /* "DFUC" */
typedef struct {
    uint32_t magic;
    uint32_t product_id;
    uint32_t checksum_type; /* DFU_CHECKSUM_SUM or DFU_CHECKSUM_CRC16 */
    uint32_t max_packet;    /* 0: the configuration's own */
    uint32_t fresh;         /* 1: the flash was just created: write the preset's initial metadata */
} fw_config_block;

/* Applies the configuration block, when present, to cfg. Returns its fresh flag (0 without a block). */
int psram_config(dfu_config* cfg);

/* The dfu_flash_port over PSRAM for cfg's flash and EEPROM window (both must fit below
 * FW_CONFIG_OFFSET). */
void psram_flash_port(const dfu_config* cfg, dfu_flash_port* port);

#endif /* PSRAM_FLASH_H */
