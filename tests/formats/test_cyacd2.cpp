#include <doctest/doctest.h>

#include <fmt/core.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "formats/cyacd2.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::iota_bytes;
using dfu::formats::test::TempDir;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::string kHeader = "010000000000000104030201";  // the example in docs/protocol.md

// A data row: ':' + address u32 little-endian + data.
std::string row(std::uint32_t address, std::size_t size, std::uint8_t first = 0) {
    std::string s = fmt::format(":{:02X}{:02X}{:02X}{:02X}", address & 0xFF, (address >> 8) & 0xFF,
                                (address >> 16) & 0xFF, address >> 24);
    for (std::size_t i = 0; i < size; ++i) s += fmt::format("{:02X}", static_cast<std::uint8_t>(first + i));
    return s;
}

std::string lines(std::initializer_list<std::string> ls) {
    std::string s;
    for (const auto& l : ls) s += l + "\n";
    return s;
}

Cyacd2 parse(const std::string& text) {
    return parse_cyacd2(text, "t.cyacd2");
}

const Cyacd2Row& row_at(const Cyacd2& c, std::size_t i) {
    return std::get<Cyacd2Row>(c.records.at(i));
}

}  // namespace

TEST_CASE("cyacd2: the header example of docs/protocol.md") {
    // Bytes 01 | 00 00 00 00 | 00 | 00 | 01 | 04 03 02 01: version 1, silicon ID 0, rev 0,
    // checksum type 0 (byte 6), app ID 1 (byte 7), product ID 0x01020304 (little-endian).
    const Cyacd2 c = parse(lines({kHeader}));
    CHECK(c.header.file_version == 1);
    CHECK(c.header.silicon_id == 0);
    CHECK(c.header.silicon_rev == 0);
    CHECK(c.header.checksum_type == 0);
    CHECK(c.header.app_id == 1);
    CHECK(c.header.product_id == 0x01020304u);
    CHECK_FALSE(c.app_info);
    CHECK(c.records.empty());
    CHECK(c.row_size == 0);
    CHECK(c.file == "t.cyacd2");
}

TEST_CASE("cyacd2: header fields are little-endian and in order") {
    const Cyacd2 c = parse(lines({"01785634129A0005EFBEADDE"}));
    CHECK(c.header.silicon_id == 0x12345678u);
    CHECK(c.header.silicon_rev == 0x9A);
    CHECK(c.header.checksum_type == 0);
    CHECK(c.header.app_id == 5);
    CHECK(c.header.product_id == 0xDEADBEEFu);
    CHECK(parse(lines({"01785634129a0005efbeadde"})).header.product_id == 0xDEADBEEFu);
}

TEST_CASE("cyacd2: file version must be 1") {
    CHECK_INPUT_ERROR(parse(lines({"020000000000000104030201"})),
                      "t.cyacd2:1: ", "file version is 0x02; only version 0x01 is supported");
}

TEST_CASE("cyacd2: checksum type must be 0 or 1") {
    CHECK(parse(lines({"010000000000010004030201"})).header.checksum_type == 1);
    CHECK_INPUT_ERROR(parse(lines({"010000000000020004030201"})),
                      "t.cyacd2:1: ", "checksum type is 0x02; expected 0x00 (basic sum) or 0x01 (CRC-16)");
}

TEST_CASE("cyacd2: header must be exactly 24 hex digits") {
    CHECK_INPUT_ERROR(parse(lines({"0100000000000001040302"})), "t.cyacd2:1: ", "header must be exactly 24 hex digits");
    CHECK_INPUT_ERROR(parse(lines({kHeader + "00"})), "t.cyacd2:1: ", "found 26");
    CHECK_INPUT_ERROR(parse(lines({"1E9602AA0000"})), "t.cyacd2:1: ", "old .cyacd file");
    CHECK_INPUT_ERROR(parse(lines({"01000000000000010403020X"})),
                      "t.cyacd2:1: ", "header: 'X' at column 24 is not a hex digit");
}

TEST_CASE("cyacd2: the header must come first") {
    CHECK_INPUT_ERROR(parse(lines({"# comment", row(0, 8), kHeader})), "t.cyacd2:2: ", "missing header");
    CHECK_INPUT_ERROR(parse(lines({"@APPINFO:0x0,0x10", kHeader})), "t.cyacd2:1: ", "missing header");
}

TEST_CASE("cyacd2: empty or comment-only file") {
    CHECK_INPUT_ERROR(parse(""), "t.cyacd2: ", "no header line");
    CHECK_INPUT_ERROR(parse(lines({"# only", "", "   # comments"})), "t.cyacd2: ", "no header line");
}

TEST_CASE("cyacd2: comments and blank lines are skipped, line numbers still count") {
    const Cyacd2 c = parse("# made by hand\r\n\r\n" + kHeader + "\r\n# rows follow\n\n" + row(0x10000000, 8) +
                           "  \r\n#" + row(0x10000000, 8) + "\n");
    REQUIRE(c.records.size() == 1);
    CHECK(row_at(c, 0).line == 6);
    CHECK(row_at(c, 0).address == 0x10000000u);
}

TEST_CASE("cyacd2: @APPINFO with and without 0x") {
    CHECK(parse(lines({kHeader, "@APPINFO:0x10000000,0x1fe00"})).app_info == AppInfo{0x10000000, 0x1FE00});
    CHECK(parse(lines({kHeader, "@APPINFO:10000000,1FE00"})).app_info == AppInfo{0x10000000, 0x1FE00});
    CHECK(parse(lines({kHeader, "@APPINFO:0X00000100, 0x00000200"})).app_info == AppInfo{0x100, 0x200});
    CHECK(parse(lines({kHeader, "@APPINFO:0x0000000010000000,0x0"})).app_info == AppInfo{0x10000000, 0});
    // A range may end exactly at 4 GiB; one byte more is refused ("malformed @APPINFO").
    CHECK(parse(lines({kHeader, "@APPINFO:0xFFFFFF00,0x100"})).app_info == AppInfo{0xFFFFFF00, 0x100});
}

TEST_CASE("cyacd2: at most one @APPINFO") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@APPINFO:0x0,0x10", "# x", "@APPINFO:0x0,0x10"})),
                      "t.cyacd2:4: ", "second @APPINFO; the first is on line 2");
}

TEST_CASE("cyacd2: malformed @APPINFO") {
    for (const char* bad : {"@APPINFO:0x10000000", "@APPINFO:0x1000000G,0x10", "@APPINFO:,0x10", "@APPINFO:0x,0x10",
                            "@APPINFO:0x100000000,0x10", "@APPINFO:1,2,3"}) {
        CAPTURE(bad);
        CHECK_INPUT_ERROR(parse(lines({kHeader, bad})),
                          "t.cyacd2:2: ", "@APPINFO must be @APPINFO:0x<start>,0x<length>");
    }
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@APPINFO"})), "t.cyacd2:2: ", "@APPINFO needs a value");
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@APPINFO:0xFFFFFF00,0x200"})),
                      "t.cyacd2:2: ", "runs past the end of the 4 GiB address space");
}

TEST_CASE("cyacd2: @EIV of 0, 8 or 16 bytes") {
    const Cyacd2 c = parse(lines({kHeader, "@EIV:", "@EIV:0102030405060708", "@EIV:000102030405060708090a0b0c0d0e0f"}));
    REQUIRE(c.records.size() == 3);
    CHECK(std::get<Cyacd2Eiv>(c.records[0]).vector.empty());
    CHECK(std::get<Cyacd2Eiv>(c.records[0]).line == 2);
    CHECK(std::get<Cyacd2Eiv>(c.records[1]).vector == Bytes{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(std::get<Cyacd2Eiv>(c.records[2]).vector == iota_bytes(16));
}

TEST_CASE("cyacd2: bad @EIV") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@EIV:0102030405"})),
                      "t.cyacd2:2: ", "@EIV holds 5 bytes; an encryption initial vector has 0, 8 or 16 bytes");
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@EIV:010"})), "t.cyacd2:2: ", "odd number of hex digits (3) in @EIV");
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@EIV:01020304050607zz"})),
                      "t.cyacd2:2: ", "@EIV: 'z' at column 20 is not a hex digit");
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@EIV"})), "t.cyacd2:2: ", "@EIV needs ':'");
}

TEST_CASE("cyacd2: unknown directive") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@FOO:12"})), "t.cyacd2:2: ", "unknown directive '@FOO'");
    CHECK_INPUT_ERROR(parse(lines({kHeader, "@appinfo:0x0,0x1"})), "t.cyacd2:2: ", "unknown directive '@appinfo'");
}

TEST_CASE("cyacd2: unexpected line") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, kHeader})), "t.cyacd2:2: ", "unexpected '0' at the start of the line");
}

TEST_CASE("cyacd2: data rows, address little-endian, order kept") {
    const Cyacd2 c =
        parse(lines({kHeader, "@APPINFO:0x10000000,0x400", row(0x10000200, 512, 1), "@EIV:", row(0x10000000, 512, 2)}));
    CHECK(c.row_size == 512);
    REQUIRE(c.records.size() == 3);
    CHECK(row_at(c, 0).address == 0x10000200u);
    CHECK(row_at(c, 0).data == iota_bytes(512, 1));
    CHECK(row_at(c, 0).line == 3);
    CHECK(std::holds_alternative<Cyacd2Eiv>(c.records[1]));
    CHECK(row_at(c, 2).address == 0x10000000u);
    CHECK(row_at(c, 2).line == 5);
    // The address bytes are little-endian in the file.
    CHECK(parse(lines({kHeader, ":78563412" + std::string(16, '0')})).row_size == 8);
    CHECK_INPUT_ERROR(parse(lines({kHeader, ":78563412" + std::string(32, '0')})),
                      "t.cyacd2:2: ", "row address 0x12345678 is not a multiple");
}

TEST_CASE("cyacd2: all rows must be the same size") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, "# x", row(0x0, 128), row(0x100, 256)})), "t.cyacd2:4: ",
                      "row holds 256 bytes, but the row on line 3 holds 128; all rows must be the same size");
}

TEST_CASE("cyacd2: row size must be a power of two of at least 8") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0x0, 12)})),
                      "t.cyacd2:2: ", "row holds 12 bytes; a row must be a power of two of at least 8 bytes");
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0x0, 4)})), "t.cyacd2:2: ", "row holds 4 bytes");
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0x0, 0)})), "t.cyacd2:2: ", "row holds 0 bytes");
    CHECK(parse(lines({kHeader, row(0x0, 8)})).row_size == 8);
}

TEST_CASE("cyacd2: rows must be row-aligned") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0x10000000, 256), row(0x10000080, 256)})),
                      "t.cyacd2:3: ", "row address 0x10000080 is not a multiple of the row size 256 (0x100)");
}

TEST_CASE("cyacd2: duplicate row address names both lines") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0x10000000, 128), row(0x10000080, 128), row(0x10000000, 128, 9)})),
                      "t.cyacd2:4: ", "row address 0x10000000 already appears on line 2");
}

TEST_CASE("cyacd2: malformed rows") {
    CHECK_INPUT_ERROR(parse(lines({kHeader, ":0000"})), "t.cyacd2:2: ", "data row is too short: 4 hex digits");
    CHECK_INPUT_ERROR(parse(lines({kHeader, row(0, 8) + "0"})), "t.cyacd2:2: ", "odd number of hex digits (25)");
    CHECK_INPUT_ERROR(parse(lines({kHeader, ":00000000 0001020304050607"})),
                      "t.cyacd2:2: ", "data row: a space at column 10 is not a hex digit");
}

TEST_CASE("cyacd2: writer -> parser round trip") {
    Cyacd2 c;
    c.header = Cyacd2Header{1, 0x12345678, 0x9A, 1, 2, 0x01020304};
    c.app_info = AppInfo{0x10000000, 0x1FE00};
    c.records.emplace_back(Cyacd2Eiv{iota_bytes(16, 0xF0), 0});
    c.records.emplace_back(Cyacd2Row{0x10000200, iota_bytes(256, 1), 0});
    c.records.emplace_back(Cyacd2Row{0x10000000, iota_bytes(256, 2), 0});
    c.records.emplace_back(Cyacd2Eiv{{}, 0});
    c.row_size = 256;

    const std::string text = write_cyacd2(c);
    CHECK(text.rfind("01785634129A01020403020"
                     "1\n@APPINFO:0x10000000,0x1fe00\n@EIV:F0F1",
                     0) == 0);
    const Cyacd2 back = parse_cyacd2(text, "rt.cyacd2");
    CHECK(back.header == c.header);
    CHECK(back.app_info == c.app_info);
    CHECK(back.row_size == 256);
    REQUIRE(back.records.size() == 4);
    CHECK(std::get<Cyacd2Eiv>(back.records[0]).vector == iota_bytes(16, 0xF0));
    CHECK(row_at(back, 1).address == 0x10000200u);
    CHECK(row_at(back, 1).data == iota_bytes(256, 1));
    CHECK(row_at(back, 1).line == 4);
    CHECK(row_at(back, 2).data == iota_bytes(256, 2));
    CHECK(std::get<Cyacd2Eiv>(back.records[3]).vector.empty());
    CHECK(write_cyacd2(back) == text);
}

TEST_CASE("cyacd2: image of the rows") {
    const Cyacd2 c = parse(lines({kHeader, row(0x100, 8, 0), row(0x0, 8, 8), row(0x8, 8, 16)}));
    const SparseImage img = cyacd2_image(c);
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[0].address == 0);
    CHECK(img.segments()[0].data.size() == 16);
    CHECK(img.at(0x100) == 0);
    CHECK(img.at(0x8) == 16);
}

TEST_CASE("cyacd2: load from a file names the file") {
    TempDir dir;
    const auto good = dir.write("app.cyacd2", lines({kHeader, row(0x10000000, 128)}));
    const Cyacd2 c = load_cyacd2(good);
    CHECK(c.file == good.string());
    CHECK(c.row_size == 128);
    const auto bad = dir.write("bad.cyacd2", lines({kHeader, row(0x10000000, 128), row(0x10000000, 128)}));
    CHECK_INPUT_ERROR(load_cyacd2(bad), bad.string() + ":3: ", "already appears on line 2");
}
