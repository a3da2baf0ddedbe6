/*
 * dfu_preset.h - named device configurations shared by dfu-sim (--preset) and the firmware
 * (build setting DFU_FW_PRESET): what a board's loader looks like, on top of
 * dfu_config_defaults().
 *
 * "middleware" is the layout of Infineon's DFU middleware 5.2 templates for PSoC 6
 * (linker_scripts/CAT1A/TOOLCHAIN_GCC_ARM/dfu_cm4_app0.ld, dfu_user.h, dfu_user.c):
 * 1 MiB of flash at 0x10000000 in 512-byte rows; the CM0+ image at 0x10000000 + 0x2000 and
 * application 0 (the loader) at 0x10002000 + 0x20000 are not writable; application 1 at
 * 0x10050000 + 0x20000; the emulated EEPROM window at 0x14000000 + 0x8000 is writable; the
 * metadata row at 0x100FFA00, writable like any other row, holds two applications; a 528-byte
 * command buffer (row + 16); product ID 0x01020304, sum checksum; Set EI Vector compiled out.
 * docs/protocol.md "Device configuration" has the table.
 */
#ifndef DFU_PRESET_H
#define DFU_PRESET_H

#include <stdint.h>

#include "dfu_responder.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { DFU_PRESET_DEFAULT = 0, DFU_PRESET_MIDDLEWARE = 1 } dfu_preset;

/* Sets cfg to the preset (dfu_config_defaults() first). */
void dfu_preset_config(dfu_preset preset, dfu_config* cfg);

/* The metadata row a freshly flashed loader of this preset carries (the template's initial
 * table: start and verify length of applications 0 and 1, zeros, CRC-32C in the last 4 bytes).
 * Writes cfg->row_size bytes to row and returns 1; returns 0 (row untouched) when the preset
 * starts with an erased flash. */
int dfu_preset_metadata_row(dfu_preset preset, const dfu_config* cfg, uint8_t* row);

#ifdef __cplusplus
}
#endif

#endif /* DFU_PRESET_H */
