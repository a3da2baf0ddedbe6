/*
 * sim_flash.h - the simulator's flash: a RAM image, mirrored into a file (--flash FILE)
 * that holds the raw bytes from the flash base, exactly flash_size long, followed by the
 * EEPROM window's bytes when the device has one. Every programmed or erased row is written
 * to the file at once (pwrite), so the file is current while the simulator runs and after
 * it is killed.
 */
#ifndef SIM_FLASH_H
#define SIM_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "dfu_responder.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t base;
    uint32_t size;
    uint32_t row_size;
    uint32_t eeprom_start;
    uint32_t eeprom_size; /* 0: no EEPROM window */
    uint8_t erased;
    uint8_t fresh; /* 1: nothing was loaded from a file (memory only, or a file just created) */
    uint8_t* mem;  /* flash, then the EEPROM window */
    int fd;        /* -1: memory only */
} sim_flash;

/* path NULL: memory only. A missing or empty file is created/filled with the erased value;
 * an existing file of another size is an error. The EEPROM window (eeprom_size 0: none)
 * follows the flash in memory and in the file. 0 ok, -1 with a message in err. */
int sim_flash_open(sim_flash* fl, const char* path, uint32_t base, uint32_t size, uint32_t row_size,
                   uint32_t eeprom_start, uint32_t eeprom_size, uint8_t erased, char* err, size_t err_len);
void sim_flash_close(sim_flash* fl);

/* The dfu_flash_port that drives this flash. */
void sim_flash_port(sim_flash* fl, dfu_flash_port* port);

#ifdef __cplusplus
}
#endif

#endif /* SIM_FLASH_H */
