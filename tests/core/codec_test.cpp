#include <doctest/doctest.h>

#include <random>
#include <string_view>

#include "core/checksum.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"

using namespace dfu;

namespace {
std::vector<std::uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

std::uint32_t crc32c_bitwise(std::span<const std::uint8_t> data) {
    std::uint32_t crc = 0xFFFFFFFF;
    for (auto b : data) {
        crc ^= b;
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
    }
    return ~crc;
}
}  // namespace

TEST_CASE("checksum check values from docs/protocol.md") {
    const auto digits = bytes_of("123456789");
    CHECK(checksum_crc16_x25(digits) == 0x906E);
    CHECK(crc32c(digits) == 0xE3069283);
    const std::uint8_t enter[] = {0x01, 0x38, 0x00, 0x00};
    CHECK(checksum_bytes(ChecksumType::sum, enter) == std::array<std::uint8_t, 2>{0xC7, 0xFF});
    CHECK(checksum_bytes(ChecksumType::crc16, enter) == std::array<std::uint8_t, 2>{0xA0, 0x09});
}

TEST_CASE("CRC-32C: table path equals the bitwise definition at every length and split") {
    std::mt19937 rng(1);
    std::vector<std::uint8_t> data(1031);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 512u, 1031u}) {
        const auto s = std::span(data).first(n);
        CHECK(crc32c(s) == crc32c_bitwise(s));
        const std::size_t cut = n / 3;
        CHECK(crc32c_update(crc32c(s.first(cut)), s.subspan(cut)) == crc32c_bitwise(s));
    }
}

TEST_CASE("encode: Enter DFU with no data, both checksums") {
    CHECK(encode_packet(cmd::enter, {}, ChecksumType::sum) ==
          std::vector<std::uint8_t>{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});
    CHECK(encode_packet(cmd::enter, {}, ChecksumType::crc16) ==
          std::vector<std::uint8_t>{0x01, 0x38, 0x00, 0x00, 0xA0, 0x09, 0x17});
}

TEST_CASE("encode/decode round trip with data and length little-endian") {
    std::vector<std::uint8_t> data(300);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
    for (auto type : {ChecksumType::sum, ChecksumType::crc16}) {
        const auto frame = encode_packet(cmd::send_data, data, type);
        REQUIRE(frame.size() == 307);
        CHECK(frame[2] == 0x2C);
        CHECK(frame[3] == 0x01);
        const auto p = decode_packet(frame, type);
        REQUIRE(p);
        CHECK(p.code == cmd::send_data);
        CHECK(std::vector<std::uint8_t>(p.data.begin(), p.data.end()) == data);
    }
}

TEST_CASE("decode rejects each kind of broken frame") {
    const std::vector<std::uint8_t> good{0x01, 0x00, 0x01, 0x00, 0x01, 0xFD, 0xFF, 0x17};
    REQUIRE(decode_packet(good, ChecksumType::sum));
    auto bad = good;
    CHECK(decode_packet(std::span(good).first(6), ChecksumType::sum).error == DecodeError::too_short);
    bad[0] = 0x02;
    CHECK(decode_packet(bad, ChecksumType::sum).error == DecodeError::bad_start);
    bad = good;
    bad[7] = 0x18;
    CHECK(decode_packet(bad, ChecksumType::sum).error == DecodeError::bad_end);
    bad = good;
    bad[2] = 0x02;
    CHECK(decode_packet(bad, ChecksumType::sum).error == DecodeError::length_mismatch);
    bad = good;
    bad[4] = 0x02;
    CHECK(decode_packet(bad, ChecksumType::sum).error == DecodeError::bad_checksum);
    CHECK(decode_packet(good, ChecksumType::crc16).error == DecodeError::bad_checksum);
}

TEST_CASE("status and command names") {
    CHECK(status_name(0x00) == "SUCCESS");
    CHECK(status_name(0x02) == "ERROR_VERIFY");
    CHECK(status_name(0x03) == "ERROR_LENGTH");
    CHECK(status_name(0x04) == "ERROR_DATA");
    CHECK(status_name(0x05) == "ERROR_CMD");
    CHECK(status_name(0x08) == "ERROR_CHECKSUM");
    CHECK(status_name(0x0A) == "ERROR_ADDRESS");
    CHECK(status_name(0x0F) == "ERROR_UNKNOWN");
    CHECK(status_name(0x01) == "ERROR_KEY");
    CHECK(status_name(0x06) == "ERROR_DEVICE");
    CHECK(status_name(0x07) == "ERROR_VERSION");
    CHECK(status_name(0x09) == "ERROR_ARRAY");
    CHECK(status_name(0x0B) == "ERROR_PROTECT");
    CHECK(status_name(0x0C) == "ERROR_APP");
    CHECK(status_name(0x0D) == "ERROR_ACTIVE");
    CHECK(status_name(0x42) == "status 0x42");
    CHECK(command_name(0x49) == "Program Data");
    CHECK(command_name(0x51) == "custom command 0x51");
    CHECK(command_is_unanswered(cmd::sync));
    CHECK(command_is_unanswered(cmd::exit));
    CHECK(command_is_unanswered(cmd::send_data_no_response));
    CHECK_FALSE(command_is_unanswered(cmd::send_data));
}
