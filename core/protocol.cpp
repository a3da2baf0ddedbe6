#include "core/protocol.hpp"

#include <fmt/format.h>

#include <cctype>

namespace dfu {

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(bytes.size() * 3);
    for (std::uint8_t b : bytes) {
        if (!s.empty()) s += ' ';
        s += kDigits[b >> 4];
        s += kDigits[b & 15];
    }
    return s;
}

std::string command_name(std::uint8_t code) {
    switch (code) {
        case cmd::verify_app:
            return "Verify Application";
        case cmd::sync:
            return "Sync";
        case cmd::send_data:
            return "Send Data";
        case cmd::enter:
            return "Enter DFU";
        case cmd::exit:
            return "Exit DFU";
        case cmd::get_metadata:
            return "Get Metadata";
        case cmd::erase_data:
            return "Erase Data";
        case cmd::send_data_no_response:
            return "Send Data Without Response";
        case cmd::program_data:
            return "Program Data";
        case cmd::verify_data:
            return "Verify Data";
        case cmd::set_app_metadata:
            return "Set Application Metadata";
        case cmd::set_eiv:
            return "Set EI Vector";
        default:
            break;
    }
    if (code >= 0x50) return fmt::format("custom command 0x{:02X}", code);
    return fmt::format("command 0x{:02X}", code);
}

std::string command_word(std::uint8_t code) {
    if (code >= 0x50) return {};
    std::string word = command_name(code);
    if (word.starts_with("command ")) return {};  // no name of its own
    for (char& c : word) c = c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return word;
}

std::optional<std::uint8_t> command_code_named(std::string_view word) {
    for (unsigned code = 0; code < 0x50; ++code) {
        const std::string w = command_word(static_cast<std::uint8_t>(code));
        if (!w.empty() && w == word) return static_cast<std::uint8_t>(code);
    }
    return std::nullopt;
}

std::string status_name(std::uint8_t code) {
    switch (code) {
        case 0x00:
            return "SUCCESS";
        case 0x01:
            return "ERROR_KEY";
        case 0x02:
            return "ERROR_VERIFY";
        case 0x03:
            return "ERROR_LENGTH";
        case 0x04:
            return "ERROR_DATA";
        case 0x05:
            return "ERROR_CMD";
        case 0x06:
            return "ERROR_DEVICE";
        case 0x07:
            return "ERROR_VERSION";
        case 0x08:
            return "ERROR_CHECKSUM";
        case 0x09:
            return "ERROR_ARRAY";
        case 0x0A:
            return "ERROR_ADDRESS";
        case 0x0B:
            return "ERROR_PROTECT";
        case 0x0C:
            return "ERROR_APP";
        case 0x0D:
            return "ERROR_ACTIVE";
        case 0x0F:
            return "ERROR_UNKNOWN";
        default:
            return fmt::format("status 0x{:02X}", code);
    }
}

std::string_view status_meaning(std::uint8_t code) noexcept {
    switch (code) {
        case 0x00:
            return "success";
        case 0x01:
            return "the security key was wrong";
        case 0x02:
            return "the data on the device does not match (compare or verification failed)";
        case 0x03:
            return "wrong length: bad packet or row length, buffer overflow, or missing product ID";
        case 0x04:
            return "bad data: framing, wrong product ID, bad range, or a flash driver failure";
        case 0x05:
            return "the device does not support this command, or not in its current state";
        case 0x06:
            return "the device ID does not match";
        case 0x07:
            return "the bootloader version does not match";
        case 0x08:
            return "a packet checksum or row CRC-32C did not match";
        case 0x09:
            return "bad flash array";
        case 0x0A:
            return "the address is not allowed (out of range, or inside the running loader)";
        case 0x0B:
            return "the row is write-protected";
        case 0x0C:
            return "bad application number";
        case 0x0D:
            return "the application is active and cannot be overwritten";
        default:
            return "unspecified device error";
    }
}

}  // namespace dfu
