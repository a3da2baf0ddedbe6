#include <doctest/doctest.h>

#include <fmt/core.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "formats/srec.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::iota_bytes;
using dfu::formats::test::TempDir;
using Bytes = std::vector<std::uint8_t>;

namespace {

// One record with a correct checksum (ones' complement of the sum of count, address and
// data), built here independently of the parser. `address_bytes` by type: S0/S1/S5/S9 2,
// S2/S6/S8 3, S3/S7 4.
std::string rec(int type, std::uint32_t address, const Bytes& data = {}) {
    const unsigned address_bytes = (type == 2 || type == 6 || type == 8) ? 3 : (type == 3 || type == 7) ? 4 : 2;
    const unsigned count = address_bytes + static_cast<unsigned>(data.size()) + 1;
    unsigned sum = count;
    std::string s = fmt::format("S{}{:02X}", type, count);
    for (unsigned i = address_bytes; i-- > 0;) {
        const unsigned b = (address >> (8 * i)) & 0xFF;
        s += fmt::format("{:02X}", b);
        sum += b;
    }
    for (auto b : data) {
        s += fmt::format("{:02X}", b);
        sum += b;
    }
    return s + fmt::format("{:02X}", ~sum & 0xFF);
}

std::string lines(std::initializer_list<std::string> ls) {
    std::string s;
    for (const auto& l : ls) s += l + "\n";
    return s;
}

SrecFile parse(const std::string& text) {
    return parse_srec_file(text, "t.srec");
}

}  // namespace

TEST_CASE("srec: the classic S19 example") {
    // The widely published "hello world" S19 file (S0 header, three S1, S5 count, S9 start),
    // checksums as published.
    const auto f = parse(lines({
        "S00F000068656C6C6F202020202000003C",
        "S11F00007C0802A6900100049421FFF07C6C1B787C8C23783C6000003863000026",
        "S11F001C4BFFFFE5398000007D83637880010014382100107C0803A64E800020E9",
        "S111003848656C6C6F20776F726C642E0A0042",
        "S5030003F9",
        "S9030000FC",
    }));
    REQUIRE(f.image.segments().size() == 1);
    CHECK(f.image.lowest() == 0);
    CHECK(f.image.size() == 28 + 28 + 14);
    CHECK(f.image.at(0) == 0x7C);
    CHECK(f.image.at(0x38) == 'H');
    CHECK(f.image.at(0x38 + 13) == 0x00);
    CHECK(f.header.substr(0, 5) == "hello");
    CHECK(f.start == 0u);
}

TEST_CASE("srec: S2 and S3 carry 24- and 32-bit addresses, S7/S8 start addresses") {
    const auto f = parse(lines({rec(2, 0x123456, {1, 2, 3}), rec(3, 0x10000000, iota_bytes(40)), rec(7, 0x10000101)}));
    REQUIRE(f.image.segments().size() == 2);
    CHECK(f.image.segments()[0].address == 0x123456);
    CHECK(f.image.segments()[0].data == Bytes{1, 2, 3});
    CHECK(f.image.segments()[1].address == 0x10000000);
    CHECK(f.image.segments()[1].data == iota_bytes(40));
    CHECK(f.start == 0x10000101u);
    CHECK(parse(lines({rec(2, 0x10, {9}), rec(8, 0xABCDEF)})).start == 0xABCDEFu);
}

TEST_CASE("srec: consecutive records merge, blank lines, CRLF and lower case are fine") {
    std::string text =
        rec(1, 0x100, iota_bytes(16)) + "\r\n\r\n" + rec(1, 0x110, iota_bytes(16, 16)) + "\r\n" + rec(9, 0) + "\r\n";
    for (char& c : text)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    const auto img = parse(text).image;
    REQUIRE(img.segments().size() == 1);
    CHECK(img.segments()[0].data == iota_bytes(32));
}

TEST_CASE("srec: a wrong checksum names the line and both values") {
    std::string bad = rec(1, 0x0, {1, 2, 3});
    bad.back() = bad.back() == '0' ? '1' : '0';
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0), bad, rec(9, 0)})), "t.srec:2: ", "checksum is 0x");
}

TEST_CASE("srec: record syntax errors name line and column") {
    CHECK_INPUT_ERROR(parse(lines({":10000000", rec(9, 0)})), "t.srec:1: ", "expected 'S'");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), "SX03000000", rec(9, 0)})), "t.srec:2: ", "not a record type");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), "S1040000G1FA", rec(9, 0)})), "t.srec:2: ", "column 9");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}) + "0", rec(9, 0)})), "t.srec:1: ", "odd number");
    CHECK_INPUT_ERROR(parse(lines({"S10100FE", rec(9, 0)})), "t.srec:1: ", "too short");
    CHECK_INPUT_ERROR(parse(lines({"S1070000010203F1", rec(9, 0)})), "t.srec:1: ", "byte count is 7");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), "S4030000FC", rec(9, 0)})), "t.srec:2: ", "S4 is reserved");
    CHECK_INPUT_ERROR(parse(lines({"S1FF" + std::string(600, '0'), rec(9, 0)})), "t.srec:1: ", "too long");
}

TEST_CASE("srec: S5/S6 counts must match the data records before them") {
    CHECK(parse(lines({rec(1, 0, {1}), rec(1, 1, {2}), rec(5, 2), rec(9, 0)})).image.size() == 2);
    CHECK(parse(lines({rec(1, 0, {1}), rec(6, 1), rec(9, 0)})).image.size() == 1);
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), rec(5, 2), rec(9, 0)})),
                      "t.srec:2: ", "says 2 data records, but 1 come before it");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), rec(5, 1, {0}), rec(9, 0)})), "t.srec:2: ", "must hold no data");
}

TEST_CASE("srec: the start address record ends the file and must be there") {
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), rec(9, 0), rec(1, 1, {2})})),
                      "t.srec:3: ", "after the start address record on line 2");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), rec(1, 1, {2})})), "t.srec:2: ", "may be truncated");
    CHECK_INPUT_ERROR(parse(lines({rec(1, 0, {1}), rec(9, 0, {1})})), "t.srec:2: ", "must hold no data");
}

TEST_CASE("srec: empty files and files without data") {
    CHECK_INPUT_ERROR(parse(""), "t.srec: ", "file is empty");
    CHECK_INPUT_ERROR(parse("\n\n"), "t.srec: ", "file is empty");
    CHECK_INPUT_ERROR(parse(lines({rec(0, 0, {'x'}), rec(9, 0)})), "t.srec: ", "no data records");
}

TEST_CASE("srec: overlapping data names both lines, out of order without overlap is fine") {
    CHECK_INPUT_ERROR(
        parse(lines({rec(3, 0x1000, iota_bytes(16)), rec(3, 0x2000, {1}), rec(3, 0x100F, {1, 2}), rec(7, 0)})),
        "t.srec:3: ", "data at 0x0000100F overlaps data already given on line 1");
    const auto img = parse(lines({rec(3, 0x2000, {5}), rec(3, 0x1000, {4}), rec(7, 0)})).image;
    REQUIRE(img.segments().size() == 2);
    CHECK(img.lowest() == 0x1000);
}

TEST_CASE("srec: data past 4 GiB") {
    CHECK_INPUT_ERROR(parse(lines({rec(3, 0xFFFFFFFE, {1, 2, 3}), rec(7, 0)})), "t.srec:1: ", "past the end");
    CHECK(parse(lines({rec(3, 0xFFFFFFFE, {1, 2}), rec(7, 0)})).image.end() == 0x1'0000'0000ULL);
}

TEST_CASE("srec: load from a file names the file") {
    TempDir dir;
    const auto good = dir.write("a.s37", lines({rec(3, 0x10000000, {7, 8}), rec(7, 0x10000000)}));
    CHECK(load_srec(good).at(0x10000001) == 8);
    const auto bad = dir.write("b.s37", lines({rec(3, 0x10000000, {7, 8})}));
    CHECK_INPUT_ERROR(load_srec(bad), bad.string() + ":1: ", "truncated");
}
