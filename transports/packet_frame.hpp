#pragma once
// The bytes around every DFU packet's data (docs/protocol.md, "Packet frame"):
// 01 | code | N (u16 LE) | data | checksum (2) | 17. Part of the transport seam so that core/,
// which encodes and checks packets, and transports/, which find where one starts and ends in a
// byte stream, a bus read or a HID report, hold these facts once.
#include <cstddef>
#include <cstdint>
#include <span>

namespace dfu::packet_frame {

inline constexpr std::uint8_t kStart = 0x01;
inline constexpr std::uint8_t kEnd = 0x17;
inline constexpr std::size_t kOverhead = 7;  // start, code, length x2, checksum x2, end

// The data length a frame's header announces; `header` holds at least its first 4 bytes.
inline std::size_t data_length(std::span<const std::uint8_t> header) noexcept {
    return std::size_t{header[2]} | std::size_t{header[3]} << 8;
}

}  // namespace dfu::packet_frame
