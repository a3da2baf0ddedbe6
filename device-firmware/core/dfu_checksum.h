/*
 * dfu_checksum.h - the three checksums of the DFU protocol (docs/protocol.md, "Packet frame"
 * and "Metadata, Verify Application and CRC-32C").
 *
 * Pure C99, no state, no tables: small enough for a boot loader.
 */
#ifndef DFU_CHECKSUM_H
#define DFU_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Packet checksum type 0, "basic sum": two's complement of the 16-bit byte sum. */
uint16_t dfu_sum16(const uint8_t* data, size_t len);

/* Packet checksum type 1: CRC-16/X-25 (reflected 0x8408, init 0xFFFF, xorout 0xFFFF). */
uint16_t dfu_crc16_x25(const uint8_t* data, size_t len);

/* CRC-32C (Castagnoli, reflected 0x82F63B78, init/xorout 0xFFFFFFFF).
 * Incremental use: s = DFU_CRC32C_INIT; s = dfu_crc32c_update(s, ..)...; crc = dfu_crc32c_final(s). */
#define DFU_CRC32C_INIT 0xFFFFFFFFu
uint32_t dfu_crc32c_update(uint32_t state, const uint8_t* data, size_t len);
uint32_t dfu_crc32c_final(uint32_t state);
/* One-shot CRC-32C. */
uint32_t dfu_crc32c(const uint8_t* data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DFU_CHECKSUM_H */
