/* dfu_checksum.c - sum16, CRC-16/X-25 and CRC-32C, bit by bit (no tables). */
#include "dfu_checksum.h"

uint16_t dfu_sum16(const uint8_t* data, size_t len) {
    uint16_t sum = 0;
    size_t i;
    for (i = 0; i < len; ++i) {
        sum = (uint16_t)(sum + data[i]);
    }
    return (uint16_t)(0u - sum);
}

uint16_t dfu_crc16_x25(const uint8_t* data, size_t len) {
    uint16_t crc = 0xFFFFu;
    size_t i;
    for (i = 0; i < len; ++i) {
        int bit;
        crc = (uint16_t)(crc ^ data[i]);
        for (bit = 0; bit < 8; ++bit) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0x8408u) : (uint16_t)(crc >> 1);
        }
    }
    return (uint16_t)(crc ^ 0xFFFFu);
}

uint32_t dfu_crc32c_update(uint32_t state, const uint8_t* data, size_t len) {
    size_t i;
    for (i = 0; i < len; ++i) {
        int bit;
        state ^= data[i];
        for (bit = 0; bit < 8; ++bit) {
            state = (state & 1u) ? ((state >> 1) ^ 0x82F63B78u) : (state >> 1);
        }
    }
    return state;
}

uint32_t dfu_crc32c_final(uint32_t state) {
    return state ^ 0xFFFFFFFFu;
}

uint32_t dfu_crc32c(const uint8_t* data, size_t len) {
    return dfu_crc32c_final(dfu_crc32c_update(DFU_CRC32C_INIT, data, len));
}
