#include "transports/kitprog3_codec.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace dfu::transports::kitprog3 {
namespace {
constexpr std::size_t kCapabilitiesReplySize = 15;

void put_u32(Packet& p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> b, std::size_t at) {
    return std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 | std::uint32_t{b[at + 2]} << 16 |
           std::uint32_t{b[at + 3]} << 24;
}

void check_chunk(std::size_t n) {
    // A programming error, not a device fault: callers split transfers into chunks.
    if (n > kMaxChunk) throw std::logic_error(fmt::format("kitprog3: {} bytes exceed one {}-byte part", n, kMaxChunk));
}
}  // namespace

Packet encode_capabilities() {
    return {cmd::capabilities};
}

std::optional<BridgeCapabilities> decode_capabilities(std::span<const std::uint8_t> reply) {
    if (reply.size() < kCapabilitiesReplySize || reply[0] != cmd::capabilities || reply[1] != status::ok)
        return std::nullopt;
    BridgeCapabilities c;
    c.interfaces = reply[2];
    c.i2c_speeds = reply[4] & 0x0F;  // the high nibble lists GPIO pins
    c.spi_min_hz = get_u32(reply, 5);
    c.spi_max_hz = get_u32(reply, 9);
    c.spi_chip_selects = reply[13];
    return c;
}

std::optional<I2cSpeedChoice> choose_i2c_speed(unsigned requested_hz, std::uint8_t offered) {
    std::optional<I2cSpeedChoice> best;
    for (std::uint8_t i = 0; i < kI2cSpeedsHz.size(); ++i)
        if ((offered >> i & 1) != 0 && kI2cSpeedsHz[i] <= requested_hz) best = I2cSpeedChoice{i, kI2cSpeedsHz[i]};
    return best;
}

std::uint8_t spi_mode_bits(std::uint8_t mode, bool lsb_first) {
    std::uint8_t bits = 0;
    if ((mode & 0x02) != 0) bits |= 0x02;  // CPOL
    if ((mode & 0x01) != 0) bits |= 0x04;  // CPHA
    if (lsb_first) bits |= 0x01;
    return bits;
}

Packet encode_set_i2c_speed(std::uint8_t index) {
    Packet p{cmd::speed, 0x00, static_cast<std::uint8_t>(Interface::i2c)};
    put_u32(p, index);
    return p;
}

Packet encode_set_spi_speed(std::uint32_t hz, std::uint8_t mode_bits) {
    Packet p{cmd::speed, 0x00, static_cast<std::uint8_t>(Interface::spi)};
    put_u32(p, hz);
    p.push_back(mode_bits);
    return p;
}

std::optional<std::uint32_t> decode_speed(std::span<const std::uint8_t> reply) {
    if (reply.size() < 6 || reply[0] != cmd::speed || reply[1] != status::ok) return std::nullopt;
    return get_u32(reply, 2);
}

Packet encode_i2c_recover() {
    return {cmd::i2c_recover};
}

Packet encode_i2c_write(std::uint8_t address, std::span<const std::uint8_t> data, bool start, bool stop) {
    check_chunk(data.size());
    std::uint8_t flags = start ? i2c_flags::write_start : i2c_flags::write_continue;
    if (stop) flags |= start ? i2c_flags::stop : (i2c_flags::stop | i2c_flags::stop_continuing);
    Packet p{cmd::i2c_transfer, flags, static_cast<std::uint8_t>(data.size())};
    if (start) p.push_back(address);
    p.insert(p.end(), data.begin(), data.end());
    return p;
}

Packet encode_i2c_read(std::uint8_t address, std::size_t length, bool start, bool stop) {
    check_chunk(length);
    std::uint8_t flags = start ? i2c_flags::read_start : i2c_flags::read_continue;
    if (stop) flags |= start ? i2c_flags::stop : (i2c_flags::stop | i2c_flags::stop_continuing);
    Packet p{cmd::i2c_transfer, flags, static_cast<std::uint8_t>(length)};
    if (start) p.push_back(address);
    return p;
}

I2cReply decode_i2c_reply(std::span<const std::uint8_t> reply, bool read, bool start, std::size_t length) {
    I2cReply r;
    if (reply.size() == 1 && reply[0] == cmd::invalid) {
        r.kind = I2cReply::Kind::refused;
        return r;
    }
    if (reply.size() < 2 || reply[0] != cmd::i2c_transfer) return r;
    switch (reply[1]) {
        case status::wait:
            r.kind = I2cReply::Kind::wait;
            return r;
        case status::operation_failed:
            r.kind = I2cReply::Kind::bus_stuck;
            return r;
        case status::invalid_parameter:
            r.kind = I2cReply::Kind::refused;
            return r;
        case status::ok:
            break;
        default:
            return r;
    }
    std::size_t at = 2;
    if (start || !read) {
        // With START the byte says whether the address was acknowledged; write replies keep
        // the byte on continuing parts too.
        if (reply.size() < 3) return r;
        if (reply[2] != 0x01) {
            r.kind = I2cReply::Kind::address_nack;
            return r;
        }
        at = 3;
    }
    const auto rest = reply.subspan(at);
    if (read) {
        if (rest.size() < length) return r;
        r.data.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(length));
        r.acked = length;
        r.kind = I2cReply::Kind::done;
        return r;
    }
    r.acked = static_cast<std::size_t>(
        std::find_if(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0x01; }) - rest.begin());
    r.kind = r.acked >= length ? I2cReply::Kind::done : I2cReply::Kind::data_nack;
    r.acked = std::min(r.acked, length);
    return r;
}

Packet encode_spi_transfer(std::uint8_t chip_select, std::span<const std::uint8_t> mosi, bool assert_cs,
                           bool release_cs) {
    check_chunk(mosi.size());
    std::uint8_t control = 0;
    if (assert_cs) control |= spi_control::assert_cs;
    if (release_cs) control |= spi_control::release_cs;
    Packet p{cmd::spi_transfer, static_cast<std::uint8_t>(mosi.size()), chip_select, control};
    p.insert(p.end(), mosi.begin(), mosi.end());
    return p;
}

std::optional<std::vector<std::uint8_t>> decode_spi_reply(std::span<const std::uint8_t> reply, std::size_t length) {
    if (reply.size() < 2 + length || reply[0] != cmd::spi_transfer || reply[1] != status::ok) return std::nullopt;
    return std::vector<std::uint8_t>(reply.begin() + 2, reply.begin() + 2 + static_cast<std::ptrdiff_t>(length));
}

std::string hex(std::span<const std::uint8_t> bytes) {
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{:02X}", i ? " " : "", bytes[i]);
    return s.empty() ? "(nothing)" : s;
}

}  // namespace dfu::transports::kitprog3
