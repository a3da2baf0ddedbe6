#pragma once
// The data each DFU command carries and the data each answer carries (docs/protocol.md,
// "Commands"): one encoder and one decoder per command. Everything that builds or reads a
// packet's data uses these; the frame around it is core/packet.hpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/events.hpp"

namespace dfu::requests {

using Bytes = std::vector<std::uint8_t>;

// Enter DFU (0x38): product ID u32, then two bytes the device ignores (sent as 00 00).
Bytes enter(std::uint32_t product_id);
inline constexpr std::size_t kEnterSize = 6;
// Its success answer: silicon ID u32, revision, SDK minor, major, build. nullopt when shorter.
std::optional<DeviceIdentity> decode_enter(std::span<const std::uint8_t> answer) noexcept;

// Sync (0x35) and Exit DFU (0x3B) carry nothing; neither is answered.
inline Bytes sync() { return {}; }
inline Bytes exit() { return {}; }

// Send Data (0x37) and Send Data Without Response (0x47) carry a chunk of the row as it is;
// their success answer carries nothing.

// Program Data (0x49) and Verify Data (0x4A): row address u32, CRC-32C u32 of the whole row,
// then `tail`, the row's last bytes (those no Send Data carried). Appended to `out`.
void append_row_end(Bytes& out, std::uint32_t row_address, std::span<const std::uint8_t> row,
                    std::span<const std::uint8_t> tail);
Bytes row_end(std::uint32_t row_address, std::span<const std::uint8_t> row, std::span<const std::uint8_t> tail);
inline constexpr std::size_t kRowEndHeader = 8;  // address, CRC-32C

// The row address a Program, Verify or Erase Data request carries; nullopt for other commands.
std::optional<std::uint32_t> row_address_of(std::uint8_t code, std::span<const std::uint8_t> request) noexcept;

// Erase Data (0x44): the row address u32. Appended to `out`.
void append_erase(Bytes& out, std::uint32_t row_address);
Bytes erase(std::uint32_t row_address);
inline constexpr std::size_t kEraseSize = 4;

// Set Application Metadata (0x4C): application u8, start u32, length u32.
Bytes set_app_metadata(std::uint8_t app, std::uint32_t start, std::uint32_t length);
inline constexpr std::size_t kSetAppMetadataSize = 9;

// Verify Application (0x31): the application number.
Bytes verify_app(std::uint8_t app);
inline constexpr std::size_t kVerifyAppSize = 1;
// Its success answer: 0x01 valid, anything else invalid; nullopt when it carries no byte.
std::optional<bool> decode_verify_app(std::span<const std::uint8_t> answer) noexcept;

// Get Metadata (0x3C): from u16, to u16 (offsets into the metadata row); the answer is
// `to - from` bytes of that row.
Bytes get_metadata(std::uint16_t from, std::uint16_t to);

// Set EI Vector (0x4D): 0, 8 or 16 bytes (none clears it), sent as the file gives them.
inline Bytes set_eiv(std::span<const std::uint8_t> vector) { return {vector.begin(), vector.end()}; }

// The fewest data bytes a success answer to `code` carries (what `inspect` counts).
std::size_t least_answer_size(std::uint8_t code) noexcept;
// Whether a success answer carrying `size` data bytes can be the answer to `code`: Enter DFU
// carries at least 8 (silicon ID, revision, loader version), Verify Application at least 1
// (the valid flag); Send Data, Program, Verify and Erase Data, Set Application Metadata and
// Set EI Vector carry none; the rest (Get Metadata, custom commands) any number. The protocol
// numbers no request, so this shape is what tells a late answer to an earlier request from
// the answer to this one.
bool answer_fits(std::uint8_t code, std::size_t size) noexcept;

}  // namespace dfu::requests
