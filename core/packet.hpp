#pragma once
// The packet frame (docs/protocol.md, "Packet frame"): 01 | code | N (u16 LE) | data | checksum | 17.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/checksum.hpp"
#include "transports/packet_frame.hpp"

namespace dfu {

inline constexpr std::uint8_t kStartOfPacket = packet_frame::kStart;
inline constexpr std::uint8_t kEndOfPacket = packet_frame::kEnd;
inline constexpr std::size_t kFrameOverhead = packet_frame::kOverhead;
inline constexpr std::size_t kMaxPacketData = 0xFFFF;

// The protocol's 32-bit fields (addresses, lengths, CRC-32C, IDs) are little-endian.
inline void append_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline std::uint32_t read_le32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

// Writes a whole packet into `out` (replacing its contents, reusing its capacity).
void encode_packet(std::vector<std::uint8_t>& out, std::uint8_t code, std::span<const std::uint8_t> data,
                   ChecksumType type);
std::vector<std::uint8_t> encode_packet(std::uint8_t code, std::span<const std::uint8_t> data, ChecksumType type);

// The two checksum bytes for the covered bytes, in wire order.
std::array<std::uint8_t, 2> checksum_bytes(ChecksumType type, std::span<const std::uint8_t> covered) noexcept;

enum class DecodeError : std::uint8_t { none, too_short, bad_start, bad_end, length_mismatch, bad_checksum };
std::string_view decode_error_text(DecodeError e) noexcept;

struct DecodedPacket {
    DecodeError error = DecodeError::none;
    std::uint8_t code = 0;               // status for responses
    std::span<const std::uint8_t> data;  // views into the frame given to decode_packet
    explicit operator bool() const noexcept { return error == DecodeError::none; }
};

// Checks a whole frame: length, start and end bytes, length field, checksum.
DecodedPacket decode_packet(std::span<const std::uint8_t> frame, ChecksumType type) noexcept;

}  // namespace dfu
