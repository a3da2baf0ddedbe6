// Each command's data as docs/protocol.md, "Commands" lays it out, written here byte by byte
// (not with the encoders under test), and each answer decoded.
#include <doctest/doctest.h>

#include <numeric>

#include "core/checksum.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"

using namespace dfu;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("Enter DFU: product ID little-endian, then 00 00, its answer is the identity") {
    CHECK(requests::enter(0x01020304) == Bytes{0x04, 0x03, 0x02, 0x01, 0x00, 0x00});
    CHECK(requests::enter(0).size() == requests::kEnterSize);
    const Bytes answer{0x78, 0x56, 0x34, 0x12, 0x21, 0x02, 0x05, 0x01};
    const auto id = requests::decode_enter(answer);
    REQUIRE(id);
    CHECK(id->silicon_id == 0x12345678);
    CHECK(id->silicon_rev == 0x21);
    CHECK(id->sdk_minor == 0x02);
    CHECK(id->sdk_major == 0x05);
    CHECK(id->sdk_build == 0x01);
    CHECK_FALSE(requests::decode_enter(std::span(answer).first(7)));
}

TEST_CASE("Program/Verify Data: address, CRC-32C of the whole row, then the tail") {
    Bytes row(16);
    std::iota(row.begin(), row.end(), 0);
    const std::uint32_t crc = crc32c(row);
    const Bytes expected{0x00, 0x02, 0x00, 0x10,
                         static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
                         static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24),
                         12, 13, 14, 15};
    CHECK(requests::row_end(0x10000200, row, std::span(row).last(4)) == expected);
    Bytes appended{0xAA};
    requests::append_row_end(appended, 0x10000200, row, std::span(row).last(4));
    CHECK(Bytes(appended.begin() + 1, appended.end()) == expected);
    CHECK(requests::row_address_of(cmd::program_data, expected) == 0x10000200u);
    CHECK(requests::row_address_of(cmd::verify_data, expected) == 0x10000200u);
    CHECK_FALSE(requests::row_address_of(cmd::send_data, expected));
}

TEST_CASE("Erase Data, Set Application Metadata, Verify Application, Get Metadata") {
    CHECK(requests::erase(0x10000400) == Bytes{0x00, 0x04, 0x00, 0x10});
    CHECK(requests::row_address_of(cmd::erase_data, requests::erase(0x10000400)) == 0x10000400u);
    CHECK(requests::set_app_metadata(1, 0x10000000, 0x1234) ==
          Bytes{0x01, 0x00, 0x00, 0x00, 0x10, 0x34, 0x12, 0x00, 0x00});
    CHECK(requests::set_app_metadata(0, 0, 0).size() == requests::kSetAppMetadataSize);
    CHECK(requests::verify_app(2) == Bytes{0x02});
    CHECK(requests::decode_verify_app(Bytes{0x01}) == true);
    CHECK(requests::decode_verify_app(Bytes{0x00}) == false);
    CHECK_FALSE(requests::decode_verify_app(Bytes{}));
    CHECK(requests::get_metadata(0x0004, 0x0100) == Bytes{0x04, 0x00, 0x00, 0x01});
}

TEST_CASE("answer shapes: what a success answer to each command can carry") {
    CHECK(requests::least_answer_size(cmd::enter) == 8);
    CHECK(requests::least_answer_size(cmd::verify_app) == 1);
    CHECK(requests::least_answer_size(cmd::program_data) == 0);
    CHECK(requests::answer_fits(cmd::enter, 8));
    CHECK(requests::answer_fits(cmd::enter, 12));
    CHECK_FALSE(requests::answer_fits(cmd::enter, 7));
    CHECK_FALSE(requests::answer_fits(cmd::enter, 0));
    CHECK(requests::answer_fits(cmd::verify_app, 1));
    CHECK_FALSE(requests::answer_fits(cmd::verify_app, 0));
    for (std::uint8_t c : {cmd::send_data, cmd::program_data, cmd::verify_data, cmd::erase_data,
                           cmd::set_app_metadata, cmd::set_eiv}) {
        CAPTURE(int{c});
        CHECK(requests::answer_fits(c, 0));
        CHECK_FALSE(requests::answer_fits(c, 1));
        CHECK_FALSE(requests::answer_fits(c, 8));
    }
    for (std::uint8_t c : {cmd::get_metadata, std::uint8_t{0x51}}) {
        CHECK(requests::answer_fits(c, 0));
        CHECK(requests::answer_fits(c, 8));
    }
}
