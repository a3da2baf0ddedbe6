#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "formats/rows.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::iota_bytes;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("map_to_rows: row size must be a power of two >= 8") {
    SparseImage img;
    REQUIRE(img.add(0, Bytes{1}));
    for (std::uint32_t bad : {0u, 1u, 2u, 4u, 12u, 100u, 513u, 0xFFFFFFFFu}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(map_to_rows(img, bad, 0), std::invalid_argument);
    }
    CHECK(map_to_rows(img, 8, 0).size() == 1);
    CHECK(is_valid_row_size(0x80000000u));
}

TEST_CASE("map_to_rows: empty image gives no rows") {
    CHECK(map_to_rows(SparseImage{}, 256, 0).empty());
}

TEST_CASE("map_to_rows: 128/256/512, gaps filled, untouched rows absent") {
    for (std::uint32_t rs : {128u, 256u, 512u}) {
        CAPTURE(rs);
        SparseImage img;
        const std::uint32_t base = 0x10000000;
        // 3 bytes late in row 0, nothing in rows 1-3, 2 bytes at the start of row 4 and one
        // byte at the very end of row 4.
        REQUIRE(img.add(base + rs - 3, Bytes{0xA1, 0xA2, 0xA3}));
        REQUIRE(img.add(base + 4 * rs, Bytes{0xB1, 0xB2}));
        REQUIRE(img.add(base + 5 * rs - 1, Bytes{0xB3}));
        const auto rows = map_to_rows(img, rs, 0xFF);
        REQUIRE(rows.size() == 2);

        CHECK(rows[0].address == base);
        Bytes r0(rs, 0xFF);
        r0[rs - 3] = 0xA1;
        r0[rs - 2] = 0xA2;
        r0[rs - 1] = 0xA3;
        CHECK(rows[0].data == r0);

        CHECK(rows[1].address == base + 4 * rs);
        Bytes r1(rs, 0xFF);
        r1[0] = 0xB1;
        r1[1] = 0xB2;
        r1[rs - 1] = 0xB3;
        CHECK(rows[1].data == r1);
    }
}

TEST_CASE("map_to_rows: a segment spanning several rows") {
    SparseImage img;
    REQUIRE(img.add(0x100 + 8, iota_bytes(3 * 128)));
    const auto rows = map_to_rows(img, 128, 0xEE);
    REQUIRE(rows.size() == 4);
    for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].address == 0x100 + 128 * i);
    CHECK(rows[0].data[7] == 0xEE);
    CHECK(rows[0].data[8] == 0);
    CHECK(rows[1].data[0] == 120);
    CHECK(rows[3].data[7] == static_cast<std::uint8_t>(3 * 128 - 1));
    CHECK(rows[3].data[8] == 0xEE);
    for (const auto& r : rows) CHECK(r.data.size() == 128);
}

TEST_CASE("map_to_rows: one row straddling two segments") {
    SparseImage img;
    REQUIRE(img.add(0x200, Bytes{1, 2, 3, 4}));                       // segment 1 starts the row
    REQUIRE(img.add(0x200 + 250, Bytes{5, 6, 7, 8, 9, 10, 11, 12}));  // segment 2 crosses into the next row
    REQUIRE(img.segments().size() == 2);
    const auto rows = map_to_rows(img, 256, 0xEE);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].address == 0x200);
    Bytes r0(256, 0xEE);
    r0[0] = 1;
    r0[1] = 2;
    r0[2] = 3;
    r0[3] = 4;
    r0[250] = 5;
    r0[251] = 6;
    r0[252] = 7;
    r0[253] = 8;
    r0[254] = 9;
    r0[255] = 10;
    CHECK(rows[0].data == r0);
    CHECK(rows[1].address == 0x300);
    Bytes r1(256, 0xEE);
    r1[0] = 11;
    r1[1] = 12;
    CHECK(rows[1].data == r1);
}

TEST_CASE("map_to_rows: three segments inside one row give one row") {
    SparseImage img;
    REQUIRE(img.add(0x10, Bytes{1}));
    REQUIRE(img.add(0x20, Bytes{2}));
    REQUIRE(img.add(0x7F, Bytes{3}));
    const auto rows = map_to_rows(img, 128, 0);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].data[0x10] == 1);
    CHECK(rows[0].data[0x20] == 2);
    CHECK(rows[0].data[0x7F] == 3);
}

TEST_CASE("map_to_rows: the last row of the address space") {
    SparseImage img;
    REQUIRE(img.add(0xFFFFFFFF, Bytes{0x42}));
    REQUIRE(img.add(0, Bytes{0x24}));
    const auto rows = map_to_rows(img, 512, 0);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].address == 0);
    CHECK(rows[1].address == 0xFFFFFE00u);
    CHECK(rows[1].data[511] == 0x42);
}
