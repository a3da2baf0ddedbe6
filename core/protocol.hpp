#pragma once
// Command and status codes of the DFU protocol (docs/protocol.md, "Commands" and "Status codes"),
// with names.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dfu {

namespace cmd {
inline constexpr std::uint8_t verify_app = 0x31;
inline constexpr std::uint8_t sync = 0x35;
inline constexpr std::uint8_t send_data = 0x37;
inline constexpr std::uint8_t enter = 0x38;
inline constexpr std::uint8_t exit = 0x3B;
inline constexpr std::uint8_t get_metadata = 0x3C;
inline constexpr std::uint8_t erase_data = 0x44;
inline constexpr std::uint8_t send_data_no_response = 0x47;
inline constexpr std::uint8_t program_data = 0x49;
inline constexpr std::uint8_t verify_data = 0x4A;
inline constexpr std::uint8_t set_app_metadata = 0x4C;
inline constexpr std::uint8_t set_eiv = 0x4D;
}  // namespace cmd

namespace status {
inline constexpr std::uint8_t success = 0x00;
inline constexpr std::uint8_t verify = 0x02;
inline constexpr std::uint8_t length = 0x03;
inline constexpr std::uint8_t data = 0x04;
inline constexpr std::uint8_t command = 0x05;
inline constexpr std::uint8_t checksum = 0x08;
inline constexpr std::uint8_t address = 0x0A;
inline constexpr std::uint8_t unknown = 0x0F;
}  // namespace status

// True for the commands the device never answers (docs/protocol.md, "Commands").
constexpr bool command_is_unanswered(std::uint8_t code) noexcept {
    return code == cmd::sync || code == cmd::exit || code == cmd::send_data_no_response;
}

// "01 38 00 00": how bytes are shown in traces, logs and messages.
std::string hex_bytes(std::span<const std::uint8_t> bytes);

// "Enter DFU", "custom 0x51", "unknown 0x20".
std::string command_name(std::uint8_t code);
// A command's name as a command-line word: "get-metadata", "verify-application", "enter-dfu".
// Empty for codes without a name of their own (custom and unknown codes).
std::string command_word(std::uint8_t code);
// The code of a command word (as command_word() spells it), nullopt for any other word.
std::optional<std::uint8_t> command_code_named(std::string_view word);

// "ERROR_CHECKSUM", ..., "status 0x42" for codes nobody defined.
std::string status_name(std::uint8_t code);
// One line a person can act on, e.g. "the packet or row CRC-32C did not match".
std::string_view status_meaning(std::uint8_t code) noexcept;

}  // namespace dfu
