/* sim_flash.c - RAM flash image with an optional file mirror. */
#define _XOPEN_SOURCE 700

#include "sim_flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Offset into mem of [addr, addr+len) when it lies inside the flash or the EEPROM window, else -1. */
static int64_t offset_of(const sim_flash* fl, uint32_t addr, uint32_t len) {
    if (addr >= fl->base && (uint64_t)(addr - fl->base) + len <= fl->size) {
        return (int64_t)(addr - fl->base);
    }
    if (fl->eeprom_size != 0 && addr >= fl->eeprom_start && (uint64_t)(addr - fl->eeprom_start) + len <= fl->eeprom_size) {
        return (int64_t)fl->size + (addr - fl->eeprom_start);
    }
    return -1;
}

/* Offset of a whole row starting at addr (row aligned within its window), else -1. */
static int64_t row_offset(const sim_flash* fl, uint32_t addr) {
    int64_t off = offset_of(fl, addr, fl->row_size);
    uint32_t in_window = off < 0 ? 0 : (off < (int64_t)fl->size ? (uint32_t)off : (uint32_t)off - fl->size);
    return off < 0 || in_window % fl->row_size != 0 ? -1 : off;
}

static uint32_t total_size(const sim_flash* fl) {
    return fl->size + fl->eeprom_size;
}

static int write_through(sim_flash* fl, uint32_t off, uint32_t len) {
    const uint8_t* p = fl->mem + off;
    if (fl->fd < 0) {
        return 0;
    }
    while (len != 0) {
        ssize_t n = pwrite(fl->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        off += (uint32_t)n;
        len -= (uint32_t)n;
    }
    return 0;
}

static int port_read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
    sim_flash* fl = ctx;
    int64_t off = offset_of(fl, addr, len);
    if (off < 0) {
        return -1;
    }
    memcpy(dst, fl->mem + off, len);
    return 0;
}

static int port_write_row(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
    sim_flash* fl = ctx;
    int64_t off = row_offset(fl, addr);
    if (off < 0 || len != fl->row_size) {
        return -1;
    }
    memcpy(fl->mem + off, src, len);
    return write_through(fl, (uint32_t)off, len);
}

static int port_erase_row(void* ctx, uint32_t addr) {
    sim_flash* fl = ctx;
    int64_t off = row_offset(fl, addr);
    if (off < 0) {
        return -1;
    }
    memset(fl->mem + off, fl->erased, fl->row_size);
    return write_through(fl, (uint32_t)off, fl->row_size);
}

void sim_flash_port(sim_flash* fl, dfu_flash_port* port) {
    port->ctx = fl;
    port->read = port_read;
    port->write_row = port_write_row;
    port->erase_row = port_erase_row;
}

static int load_file(sim_flash* fl, const char* path, char* err, size_t err_len) {
    struct stat st;
    size_t done = 0;
    fl->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fl->fd < 0 || fstat(fl->fd, &st) != 0) {
        snprintf(err, err_len, "%s: cannot open flash file: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_size == 0) {
        return write_through(fl, 0, total_size(fl)) == 0 ? 0 : -1;
    }
    if ((uint64_t)st.st_size != total_size(fl)) {
        snprintf(err, err_len,
                 "%s: flash file holds %lld bytes but the flash (--flash-size) and EEPROM window are %lu: remove it "
                 "or fix the size",
                 path, (long long)st.st_size, (unsigned long)total_size(fl));
        return -1;
    }
    fl->fresh = 0;
    while (done < total_size(fl)) {
        ssize_t n = pread(fl->fd, fl->mem + done, total_size(fl) - done, (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            snprintf(err, err_len, "%s: cannot read flash file: %s", path, n == 0 ? "short file" : strerror(errno));
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int sim_flash_open(sim_flash* fl, const char* path, uint32_t base, uint32_t size, uint32_t row_size,
                   uint32_t eeprom_start, uint32_t eeprom_size, uint8_t erased, char* err, size_t err_len) {
    memset(fl, 0, sizeof *fl);
    fl->fd = -1;
    if (err_len != 0) {
        err[0] = '\0';
    }
    fl->base = base;
    fl->size = size;
    fl->row_size = row_size;
    fl->eeprom_start = eeprom_start;
    fl->eeprom_size = eeprom_size;
    fl->erased = erased;
    fl->fresh = 1;
    if (size == 0 || row_size == 0 || (uint64_t)size + eeprom_size > 0xFFFFFFFFu) {
        snprintf(err, err_len, "flash size and row size must not be 0");
        return -1;
    }
    fl->mem = malloc(total_size(fl));
    if (fl->mem == NULL) {
        snprintf(err, err_len, "out of memory for %lu bytes of flash", (unsigned long)total_size(fl));
        return -1;
    }
    memset(fl->mem, erased, total_size(fl));
    if (path != NULL && load_file(fl, path, err, err_len) != 0) {
        if (err[0] == '\0') {
            snprintf(err, err_len, "%s: cannot write flash file: %s", path, strerror(errno));
        }
        sim_flash_close(fl);
        return -1;
    }
    return 0;
}

void sim_flash_close(sim_flash* fl) {
    if (fl->fd >= 0) {
        close(fl->fd);
        fl->fd = -1;
    }
    free(fl->mem);
    fl->mem = NULL;
}
