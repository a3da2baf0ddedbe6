#include <doctest/doctest.h>

#include <string>

#include "formats/binary.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::TempDir;

TEST_CASE("load_binary places the bytes at the base") {
    TempDir dir;
    const auto p = dir.write("app.bin", std::string("\x01\x02\x03", 3));
    const SparseImage img = load_binary(p, 0x10000000);
    REQUIRE(img.segments().size() == 1);
    CHECK(img.lowest() == 0x10000000);
    CHECK(img.segments()[0].data == std::vector<std::uint8_t>{1, 2, 3});
}

TEST_CASE("load_binary: empty file") {
    TempDir dir;
    const auto p = dir.write("empty.bin", "");
    CHECK_INPUT_ERROR(load_binary(p, 0), p.string() + ": ", "file is empty");
}

TEST_CASE("load_binary: base + size past 4 GiB") {
    TempDir dir;
    const auto p = dir.write("app.bin", std::string(16, 'x'));
    CHECK_INPUT_ERROR(load_binary(p, 0xFFFFFFF8u), p.string() + ": ",
                      "16 bytes at base address 0xFFFFFFF8 run past the end of the 4 GiB address space");
    const SparseImage img = load_binary(p, 0xFFFFFFF0u);  // ends exactly at 4 GiB
    CHECK(img.end() == 0x100000000ULL);
}

TEST_CASE("load_binary: missing file") {
    TempDir dir;
    CHECK_INPUT_ERROR(load_binary(dir.path() / "no.bin", 0), (dir.path() / "no.bin").string() + ": ", "no such file");
}

TEST_CASE("parse_binary names the file") {
    CHECK_INPUT_ERROR(parse_binary("", 0, "x.bin"), "x.bin: ", "empty");
}
