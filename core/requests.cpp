#include "core/requests.hpp"

#include "core/checksum.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"

namespace dfu::requests {

Bytes enter(std::uint32_t product_id) {
    Bytes b;
    b.reserve(kEnterSize);
    append_le32(b, product_id);
    b.insert(b.end(), {0, 0});
    return b;
}

std::optional<DeviceIdentity> decode_enter(std::span<const std::uint8_t> d) noexcept {
    if (d.size() < 8) return std::nullopt;
    DeviceIdentity id;
    id.silicon_id = read_le32(d.data());
    id.silicon_rev = d[4];
    id.sdk_minor = d[5];
    id.sdk_major = d[6];
    id.sdk_build = d[7];
    return id;
}

void append_row_end(Bytes& out, std::uint32_t row_address, std::span<const std::uint8_t> row,
                    std::span<const std::uint8_t> tail) {
    append_le32(out, row_address);
    append_le32(out, crc32c(row));
    out.insert(out.end(), tail.begin(), tail.end());
}

Bytes row_end(std::uint32_t row_address, std::span<const std::uint8_t> row, std::span<const std::uint8_t> tail) {
    Bytes b;
    b.reserve(kRowEndHeader + tail.size());
    append_row_end(b, row_address, row, tail);
    return b;
}

std::optional<std::uint32_t> row_address_of(std::uint8_t code, std::span<const std::uint8_t> request) noexcept {
    const bool carries = code == cmd::program_data || code == cmd::verify_data || code == cmd::erase_data;
    if (!carries || request.size() < 4) return std::nullopt;
    return read_le32(request.data());
}

void append_erase(Bytes& out, std::uint32_t row_address) {
    append_le32(out, row_address);
}

Bytes erase(std::uint32_t row_address) {
    Bytes b;
    append_erase(b, row_address);
    return b;
}

Bytes set_app_metadata(std::uint8_t app, std::uint32_t start, std::uint32_t length) {
    Bytes b{app};
    append_le32(b, start);
    append_le32(b, length);
    return b;
}

Bytes verify_app(std::uint8_t app) {
    return {app};
}

std::optional<bool> decode_verify_app(std::span<const std::uint8_t> answer) noexcept {
    if (answer.empty()) return std::nullopt;
    return answer[0] == 0x01;
}

Bytes get_metadata(std::uint16_t from, std::uint16_t to) {
    return {static_cast<std::uint8_t>(from), static_cast<std::uint8_t>(from >> 8), static_cast<std::uint8_t>(to),
            static_cast<std::uint8_t>(to >> 8)};
}

std::size_t least_answer_size(std::uint8_t code) noexcept {
    switch (code) {
        case cmd::enter: return 8;
        case cmd::verify_app: return 1;
        default: return 0;
    }
}

bool answer_fits(std::uint8_t code, std::size_t size) noexcept {
    switch (code) {
        case cmd::send_data:
        case cmd::program_data:
        case cmd::verify_data:
        case cmd::erase_data:
        case cmd::set_app_metadata:
        case cmd::set_eiv: return size == 0;
        default: return size >= least_answer_size(code);
    }
}

}  // namespace dfu::requests
