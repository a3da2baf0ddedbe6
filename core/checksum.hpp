#pragma once
// The three checksums of the DFU protocol (docs/protocol.md, "Packet frame" and
// "Metadata, Verify Application and CRC-32C").
#include <cstdint>
#include <span>

namespace dfu {

enum class ChecksumType : std::uint8_t {
    sum = 0,    // 16-bit two's-complement sum, sent little-endian
    crc16 = 1,  // CRC-16/X-25, sent high byte first
};

// Two's complement of the 16-bit byte sum.
std::uint16_t checksum_sum16(std::span<const std::uint8_t> bytes) noexcept;

// CRC-16/X-25: reflected 0x8408, init 0xFFFF, xorout 0xFFFF.
std::uint16_t checksum_crc16_x25(std::span<const std::uint8_t> bytes) noexcept;

// CRC-32C (Castagnoli), reflected 0x82F63B78, init and xorout 0xFFFFFFFF.
// `crc32c_update` continues a running value so a row can be summed in pieces;
// start it with 0 and feed its result back in.
std::uint32_t crc32c_update(std::uint32_t crc, std::span<const std::uint8_t> bytes) noexcept;
inline std::uint32_t crc32c(std::span<const std::uint8_t> bytes) noexcept {
    return crc32c_update(0, bytes);
}

}  // namespace dfu
