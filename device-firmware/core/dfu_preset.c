/* dfu_preset.c - named device configurations (see dfu_preset.h for the sources). */
#include "dfu_preset.h"

#include <string.h>

#include "dfu_checksum.h"

/* The middleware template's layout (dfu_cm4_app0.ld, version 5.2). */
#define MW_FLASH_BASE 0x10000000u
#define MW_FLASH_SIZE 0x00100000u
#define MW_ROW_SIZE 512u
#define MW_CM0P_SIZE 0x2000u       /* flash_cm0p: below the lowest writable address */
#define MW_APP0_START 0x10002000u  /* flash_app0: the running loader, refused by Cy_DFU_WriteData() */
#define MW_APP1_START 0x10050000u  /* flash_app1 */
#define MW_APP_SIZE 0x20000u       /* both applications */
#define MW_SIGNATURE_SIZE 4u       /* __cy_boot_signature_size: the verify length leaves it out */
#define MW_METADATA_ADDR 0x100FFA00u
#define MW_EEPROM_START 0x14000000u
#define MW_EEPROM_SIZE 0x8000u
#define MW_MAX_APPS 2u             /* CY_DFU_MAX_APPS */
#define MW_PRODUCT_ID 0x01020304u  /* __cy_product_id */

static void put32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void dfu_preset_config(dfu_preset preset, dfu_config* cfg) {
    dfu_config_defaults(cfg);
    if (preset != DFU_PRESET_MIDDLEWARE) {
        return;
    }
    cfg->flash_base = MW_FLASH_BASE;
    cfg->flash_size = MW_FLASH_SIZE;
    cfg->row_size = MW_ROW_SIZE;
    cfg->metadata_addr = MW_METADATA_ADDR;
    cfg->product_id = MW_PRODUCT_ID;
    cfg->max_packet = MW_ROW_SIZE + DFU_ROW_BUFFER_EXTRA; /* CY_DFU_SIZEOF_CMD_BUFFER */
    cfg->eiv_supported = 0u;                              /* CY_DFU_OPT_SET_EIVECTOR 0 */
    cfg->max_apps = MW_MAX_APPS;
    cfg->protect_metadata_row = 0u;
    cfg->protected_regions[0].start = MW_FLASH_BASE;
    cfg->protected_regions[0].size = MW_CM0P_SIZE;
    cfg->protected_regions[1].start = MW_APP0_START;
    cfg->protected_regions[1].size = MW_APP_SIZE;
    cfg->eeprom.start = MW_EEPROM_START;
    cfg->eeprom.size = MW_EEPROM_SIZE;
}

int dfu_preset_metadata_row(dfu_preset preset, const dfu_config* cfg, uint8_t* row) {
    uint32_t n = cfg->row_size;
    if (preset != DFU_PRESET_MIDDLEWARE || n < 20u) {
        return 0;
    }
    memset(row, 0, n);
    put32(row + 0, MW_APP0_START);
    put32(row + 4, MW_APP_SIZE - MW_SIGNATURE_SIZE);
    put32(row + 8, MW_APP1_START);
    put32(row + 12, MW_APP_SIZE - MW_SIGNATURE_SIZE);
    put32(row + n - 4u, dfu_crc32c(row, n - 4u));
    return 1;
}
