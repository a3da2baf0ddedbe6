#include <doctest/doctest.h>

#include <fmt/core.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "formats/intel_hex.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::iota_bytes;
using dfu::formats::test::TempDir;
using Bytes = std::vector<std::uint8_t>;

namespace {

// One record with a correct checksum, built here independently of the writer.
std::string rec(std::uint8_t type, std::uint16_t address, const Bytes& data) {
    unsigned sum = static_cast<unsigned>(data.size()) + (address >> 8) + (address & 0xFF) + type;
    std::string s = fmt::format(":{:02X}{:04X}{:02X}", data.size(), address, type);
    for (auto b : data) {
        s += fmt::format("{:02X}", b);
        sum += b;
    }
    return s + fmt::format("{:02X}", (0x100 - (sum & 0xFF)) & 0xFF);
}

std::string ela(std::uint16_t upper) {
    return rec(0x04, 0, {static_cast<std::uint8_t>(upper >> 8), static_cast<std::uint8_t>(upper)});
}
std::string esa(std::uint16_t segment) {
    return rec(0x02, 0, {static_cast<std::uint8_t>(segment >> 8), static_cast<std::uint8_t>(segment)});
}

const std::string kEof = ":00000001FF";

std::string lines(std::initializer_list<std::string> ls) {
    std::string s;
    for (const auto& l : ls) s += l + "\n";
    return s;
}

SparseImage parse(const std::string& text) {
    return parse_intel_hex(text, "t.hex");
}

}  // namespace

TEST_CASE("intel hex: a classic record") {
    // The well-known example record: 16 bytes at 0x0100, checksum 0x40.
    const auto img = parse(lines({":10010000214601360121470136007EFE09D2190140", kEof}));
    REQUIRE(img.segments().size() == 1);
    CHECK(img.lowest() == 0x0100);
    CHECK(img.segments()[0].data ==
          Bytes{0x21, 0x46, 0x01, 0x36, 0x01, 0x21, 0x47, 0x01, 0x36, 0x00, 0x7E, 0xFE, 0x09, 0xD2, 0x19, 0x01});
}

TEST_CASE("intel hex: consecutive records merge into one segment and gaps split") {
    const auto img = parse(lines({rec(0, 0x0000, {1, 2}), rec(0, 0x0002, {3}), rec(0, 0x0010, {4}), kEof}));
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[0].data == Bytes{1, 2, 3});
    CHECK(img.segments()[1].address == 0x10);
    CHECK(img.size() == 4);
}

TEST_CASE("intel hex: lower-case hex digits") {
    const auto img = parse(":0400000001abcdef94\n:00000001ff\n");
    CHECK(img.segments()[0].data == Bytes{0x01, 0xAB, 0xCD, 0xEF});
}

TEST_CASE("intel hex: blank lines, CRLF and trailing whitespace are tolerated") {
    const std::string text =
        "\r\n" + rec(0, 0x10, {1}) + " \t\r\n\n   \n" + rec(0, 0x11, {2}) + "\r\n" + kEof + "\r\n\r\n  \n";
    const auto img = parse(text);
    CHECK(img.segments()[0].data == Bytes{1, 2});
}

TEST_CASE("intel hex: last line without a newline") {
    CHECK(parse(rec(0, 0, {1}) + "\n" + kEof).size() == 1);
}

TEST_CASE("intel hex: UTF-8 byte order mark is skipped") {
    CHECK(parse("\xEF\xBB\xBF" + lines({rec(0, 0, {1}), kEof})).size() == 1);
}

TEST_CASE("intel hex: line numbers count blank lines") {
    CHECK_INPUT_ERROR(parse("\n\n" + rec(0, 0, {1}) + "\n\nX\n"), "t.hex:5: ", "expected ':'");
}

TEST_CASE("intel hex: record must start with ':'") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), "10000000FF", kEof})),
                      "t.hex:2: ", "expected ':' at the start of a record, found '1'");
    CHECK_INPUT_ERROR(parse("\x7F"
                            "ELF\n"),
                      "t.hex:1: ", "found byte 0x7F");
}

TEST_CASE("intel hex: invalid hex digit, with its column") {
    CHECK_INPUT_ERROR(parse(lines({":0100000G01FE", kEof})), "t.hex:1: ", "'G' at column 9 is not a hex digit");
    CHECK_INPUT_ERROR(parse(lines({":01000 00001FE", kEof})), "t.hex:1: ", "a space at column 7 is not a hex digit");
}

TEST_CASE("intel hex: odd number of hex digits") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}) + "0", kEof})), "t.hex:1: ", "odd number of hex digits (13)");
}

TEST_CASE("intel hex: record too short") {
    CHECK_INPUT_ERROR(parse(lines({":00000001", kEof})), "t.hex:1: ", "record is too short: 8 hex digits");
    CHECK_INPUT_ERROR(parse(lines({":", kEof})), "t.hex:1: ", "too short");
}

TEST_CASE("intel hex: byte count must match the record length") {
    // Count says 2, one data byte present (checksum kept valid for the shorter record).
    CHECK_INPUT_ERROR(parse(lines({":0200000001FD", kEof})),
                      "t.hex:1: ", "byte count is 2 (0x02) but the record holds 1 data bytes");
    CHECK_INPUT_ERROR(parse(lines({":00000000AA55FF", kEof})), "t.hex:1: ", "byte count is 0");
}

TEST_CASE("intel hex: checksum") {
    // :01 0000 00 01 -> sum 0x02 -> checksum 0xFE
    CHECK(parse(lines({":0100000001FE", kEof})).size() == 1);
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), ":0100010001FC", kEof})),
                      "t.hex:2: ", "checksum is 0xFC, expected 0xFD");
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), ":00000001FE"})), "t.hex:2: ", "checksum is 0xFE, expected 0xFF");
}

TEST_CASE("intel hex: unknown record type") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), rec(0x06, 0, {}), kEof})), "t.hex:2: ", "unknown record type 0x06");
}

TEST_CASE("intel hex: type 04 extended linear address") {
    const auto img = parse(lines({ela(0x1000), rec(0, 0x0010, {1, 2}), ela(0x0800), rec(0, 0x0000, {3}), kEof}));
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[0].address == 0x08000000u);
    CHECK(img.segments()[1].address == 0x10000010u);
    CHECK(img.at(0x10000011) == 2);
}

TEST_CASE("intel hex: type 04 data runs on linearly across 64 KiB") {
    const auto img = parse(lines({ela(0x0001), rec(0, 0xFFFE, {1, 2, 3, 4}), kEof}));
    REQUIRE(img.segments().size() == 1);
    CHECK(img.lowest() == 0x1FFFE);
    CHECK(img.at(0x20001) == 4);
}

TEST_CASE("intel hex: type 02 extended segment address is value * 16") {
    const auto img = parse(lines({esa(0x1234), rec(0, 0x0010, {7}), kEof}));
    CHECK(img.lowest() == 0x12340 + 0x10);
    CHECK(img.at(0x12350) == 7);
}

TEST_CASE("intel hex: type 02 data wraps within its 64 KiB segment") {
    const auto img = parse(lines({esa(0x1000), rec(0, 0xFFFE, {1, 2, 3, 4}), kEof}));
    REQUIRE(img.segments().size() == 2);
    CHECK(img.at(0x1FFFE) == 1);
    CHECK(img.at(0x1FFFF) == 2);
    CHECK(img.at(0x10000) == 3);
    CHECK(img.at(0x10001) == 4);
    CHECK_FALSE(img.at(0x20000));
}

TEST_CASE("intel hex: the latest of 02 and 04 sets the base") {
    const auto img = parse(lines({ela(0x0002), esa(0x0100), rec(0, 0, {1}), ela(0x0003), rec(0, 0, {2}), kEof}));
    CHECK(img.at(0x1000) == 1);
    CHECK(img.at(0x30000) == 2);
    CHECK(img.size() == 2);
}

TEST_CASE("intel hex: 02/04 must hold 2 bytes and have address 0000") {
    CHECK_INPUT_ERROR(parse(lines({rec(0x04, 0, {0, 1, 2}), kEof})),
                      "t.hex:1: ", "extended linear address record (type 04) must hold 2 data bytes, holds 3");
    CHECK_INPUT_ERROR(parse(lines({rec(0x02, 0, {1}), kEof})),
                      "t.hex:1: ", "extended segment address record (type 02) must hold 2 data bytes, holds 1");
    CHECK_INPUT_ERROR(parse(lines({rec(0x04, 0x0010, {0, 1}), kEof})),
                      "t.hex:1: ", "extended linear address record (type 04) must have address field 0000, has 0010");
    CHECK_INPUT_ERROR(parse(lines({rec(0x02, 0x8000, {0, 1}), kEof})),
                      "t.hex:1: ", "(type 02) must have address field 0000, has 8000");
}

TEST_CASE("intel hex: start addresses (03, 05) are kept") {
    const auto f = parse_intel_hex_file(
        lines({rec(0, 0, {1}), rec(0x03, 0, {0x12, 0x34, 0x56, 0x78}), rec(0x05, 0, {0x08, 0x00, 0x01, 0x23}), kEof}),
        "t.hex");
    CHECK(f.start.segment == 0x12345678u);
    CHECK(f.start.linear == 0x08000123u);
    CHECK(f.image.size() == 1);

    const auto none = parse_intel_hex_file(lines({rec(0, 0, {1}), kEof}), "t.hex");
    CHECK_FALSE(none.start.segment);
    CHECK_FALSE(none.start.linear);
}

TEST_CASE("intel hex: start address records must hold 4 bytes") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), rec(0x05, 0, {1, 2}), kEof})),
                      "t.hex:2: ", "start linear address record (type 05) must hold 4 data bytes, holds 2");
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), rec(0x03, 0, {1, 2, 3, 4, 5}), kEof})),
                      "t.hex:2: ", "start segment address record (type 03) must hold 4 data bytes, holds 5");
}

TEST_CASE("intel hex: end-of-file record holds no data") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), rec(0x01, 0, {0})})),
                      "t.hex:2: ", "end-of-file record (type 01) must hold no data, holds 1 bytes");
}

TEST_CASE("intel hex: data after the end-of-file record") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), kEof, "", rec(0, 1, {2})})),
                      "t.hex:4: ", "record after the end-of-file record on line 2");
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), kEof, kEof})), "t.hex:3: ", "after the end-of-file record");
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), kEof, "garbage"})), "t.hex:3: ", "after the end-of-file record");
}

TEST_CASE("intel hex: missing end-of-file record") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {1}), rec(0, 1, {2}), ""})),
                      "t.hex:2: ", "file ends without an end-of-file record");
}

TEST_CASE("intel hex: empty file") {
    CHECK_INPUT_ERROR(parse(""), "t.hex: ", "file is empty");
    CHECK_INPUT_ERROR(parse("\n \r\n\t\n"), "t.hex: ", "file is empty");
}

TEST_CASE("intel hex: no data records") {
    CHECK_INPUT_ERROR(parse(lines({kEof})), "t.hex: ", "no data records");
    CHECK_INPUT_ERROR(parse(lines({ela(0x0800), rec(0, 0x10, {}), rec(0x05, 0, {0, 0, 0, 0}), kEof})),
                      "t.hex: ", "no data records");
}

TEST_CASE("intel hex: overlapping data names the line, the address and the earlier line") {
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0x100, iota_bytes(16)), rec(0, 0x108, {1, 2}), kEof})),
                      "t.hex:2: ", "data at 0x00000108 overlaps data already given on line 1");
    // The same record twice.
    CHECK_INPUT_ERROR(parse(lines({ela(0x1000), rec(0, 0x20, {1}), rec(0, 0x20, {1}), kEof})),
                      "t.hex:3: ", "data at 0x10000020 overlaps data already given on line 2");
    // Out of order: line 4 starts before line 2's data and runs into it.
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0x200, iota_bytes(16)), rec(0, 0x100, iota_bytes(16)), rec(0, 0x400, {1}),
                                   rec(0, 0x1F8, iota_bytes(16)), kEof})),
                      "t.hex:4: ", "data at 0x00000200 overlaps data already given on line 1");
    // The earliest offending line is reported, even if a later overlap has a lower address.
    CHECK_INPUT_ERROR(
        parse(lines({rec(0, 0x100, {1}), rec(0, 0x200, {1}), rec(0, 0x200, {1}), rec(0, 0x100, {1}), kEof})),
        "t.hex:3: ", "data at 0x00000200 overlaps data already given on line 2");
    // Overlap created by a segment wrap.
    CHECK_INPUT_ERROR(parse(lines({esa(0x1000), rec(0, 0x0000, {1}), rec(0, 0xFFFF, {2, 3}), kEof})),
                      "t.hex:3: ", "data at 0x00010000 overlaps data already given on line 2");
}

TEST_CASE("intel hex: records out of order without overlap are fine") {
    const auto img = parse(lines({rec(0, 0x20, {3, 4}), rec(0, 0x10, {1}), rec(0, 0x22, {5}), rec(0, 0x11, {2}),
                                  ela(0xFFFF), rec(0, 0xFFF0, {9}), ela(0), rec(0, 0, {0}), kEof}));
    REQUIRE(img.segments().size() == 4);
    CHECK(img.segments()[0].address == 0x0);
    CHECK(img.segments()[1].address == 0x10);
    CHECK(img.segments()[1].data == Bytes{1, 2});
    CHECK(img.segments()[2].data == Bytes{3, 4, 5});
    CHECK(img.segments()[3].address == 0xFFFFFFF0u);
}

TEST_CASE("intel hex: data past 4 GiB") {
    CHECK_INPUT_ERROR(parse(lines({ela(0xFFFF), rec(0, 0xFFF8, iota_bytes(16)), kEof})),
                      "t.hex:2: ", "data at 0xFFFFFFF8 with 16 bytes runs past the end of the 4 GiB address space");
    const auto img = parse(lines({ela(0xFFFF), rec(0, 0xFFF0, iota_bytes(16)), kEof}));
    CHECK(img.end() == 0x100000000ULL);
}

TEST_CASE("intel hex: data at 0x0 and 0xFFFF0000 does not fill the gap") {
    const auto img = parse(lines({rec(0, 0, iota_bytes(32)), ela(0xFFFF), rec(0, 0, iota_bytes(32)), kEof}));
    CHECK(img.size() == 64);
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[1].address == 0xFFFF0000u);
}

TEST_CASE("intel hex writer: exact output") {
    SparseImage img;
    REQUIRE(img.add(
        0x0100, Bytes{0x21, 0x46, 0x01, 0x36, 0x01, 0x21, 0x47, 0x01, 0x36, 0x00, 0x7E, 0xFE, 0x09, 0xD2, 0x19, 0x01}));
    CHECK(write_intel_hex(img, 16) == ":10010000214601360121470136007EFE09D2190140\n:00000001FF\n");
    CHECK(write_intel_hex(img, 8) == ":080100002146013601214701EF\n:0801080036007EFE09D2190148\n:00000001FF\n");
}

TEST_CASE("intel hex writer: type 04 records and no record crosses 64 KiB") {
    SparseImage img;
    REQUIRE(img.add(0x1FFF0, iota_bytes(40)));
    CHECK(write_intel_hex(img, 32) ==
          ":020000040001F9\n"
          ":10FFF000000102030405060708090A0B0C0D0E0F89\n"
          ":020000040002F8\n"
          ":18000000101112131415161718191A1B1C1D1E1F202122232425262754\n"
          ":00000001FF\n");
}

TEST_CASE("intel hex writer: start addresses") {
    SparseImage img;
    REQUIRE(img.add(0, Bytes{1}));
    HexStartAddress start;
    start.segment = 0x12345678;
    start.linear = 0x08000123;
    const std::string text = write_intel_hex(img, 16, start);
    CHECK(text == ":0100000001FE\n:0400000312345678E5\n:0400000508000123CB\n:00000001FF\n");
    const auto back = parse_intel_hex_file(text, "t.hex");
    CHECK(back.start == start);
}

TEST_CASE("intel hex writer: bytes per record must be 1..255") {
    SparseImage img;
    REQUIRE(img.add(0, Bytes{1}));
    CHECK_THROWS_AS(write_intel_hex(img, 0), std::invalid_argument);
    CHECK_THROWS_AS(write_intel_hex(img, 256), std::invalid_argument);
    CHECK_NOTHROW(write_intel_hex(img, 255));
}

TEST_CASE("intel hex: writer -> parser round trip") {
    SparseImage img;
    REQUIRE(img.add(0x0, iota_bytes(1000, 3)));
    REQUIRE(img.add(0x0800FFF0, iota_bytes(0x30, 7)));      // crosses 64 KiB
    REQUIRE(img.add(0x10000000, iota_bytes(0x20000, 11)));  // spans several 64 KiB windows
    REQUIRE(img.add(0xFFFFFF00, iota_bytes(0x100, 13)));    // ends at 4 GiB
    for (std::size_t bpr : {1u, 16u, 32u, 255u}) {
        CAPTURE(bpr);
        const std::string text = write_intel_hex(img, bpr);
        const SparseImage back = parse_intel_hex(text, "rt.hex");
        CHECK(back == img);
        CHECK(back.segments().size() == 4);
    }
}

TEST_CASE("intel hex: load from a file names the file") {
    TempDir dir;
    const auto good = dir.write("ok.hex", lines({rec(0, 0x10, {1, 2}), kEof}));
    CHECK(load_intel_hex(good).at(0x11) == 2);
    CHECK(load_intel_hex_file(good).image.size() == 2);
    const auto bad = dir.write("bad.hex", lines({rec(0, 0x10, {1, 2}), ":0100000001FF", kEof}));
    CHECK_INPUT_ERROR(load_intel_hex(bad), bad.string() + ":2: ", "checksum is 0xFF, expected 0xFE");
    CHECK_INPUT_ERROR(load_intel_hex(dir.path() / "none.hex"), (dir.path() / "none.hex").string() + ": ",
                      "no such file");
}
