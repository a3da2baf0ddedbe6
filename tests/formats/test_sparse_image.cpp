#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "formats/sparse_image.hpp"
#include "test_support.hpp"

using dfu::formats::SparseImage;
using dfu::formats::test::iota_bytes;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("SparseImage: empty") {
    SparseImage img;
    CHECK(img.empty());
    CHECK(img.size() == 0);
    CHECK(img.end() == 0);
    CHECK(img.segments().empty());
    CHECK_THROWS_AS((void)img.lowest(), std::logic_error);
    CHECK_FALSE(img.at(0).has_value());
    CHECK(img.add(0x100, Bytes{}));  // adding nothing is a no-op
    CHECK(img.empty());
}

TEST_CASE("SparseImage: adjacent adds merge, gaps make new segments") {
    SparseImage img;
    CHECK(img.add(0x1000, Bytes{1, 2, 3, 4}));
    CHECK(img.add(0x1004, Bytes{5, 6}));  // appends
    REQUIRE(img.segments().size() == 1);
    CHECK(img.segments()[0].address == 0x1000);
    CHECK(img.segments()[0].data == Bytes{1, 2, 3, 4, 5, 6});

    CHECK(img.add(0x2000, Bytes{9}));  // gap
    CHECK(img.segments().size() == 2);
    CHECK(img.size() == 7);
    CHECK(img.lowest() == 0x1000);
    CHECK(img.end() == 0x2001);
}

TEST_CASE("SparseImage: out-of-order adds stay sorted and merge both ways") {
    SparseImage img;
    CHECK(img.add(0x20, Bytes{0x20, 0x21}));
    CHECK(img.add(0x10, Bytes{0x10}));
    CHECK(img.add(0x40, Bytes{0x40}));
    REQUIRE(img.segments().size() == 3);
    CHECK(img.segments()[0].address == 0x10);
    CHECK(img.segments()[1].address == 0x20);
    CHECK(img.segments()[2].address == 0x40);

    CHECK(img.add(0x1E, Bytes{0x1E, 0x1F}));  // merges in front of 0x20
    REQUIRE(img.segments().size() == 3);
    CHECK(img.segments()[1].address == 0x1E);
    CHECK(img.segments()[1].data == Bytes{0x1E, 0x1F, 0x20, 0x21});

    CHECK(img.add(0x11, iota_bytes(0x1E - 0x11, 0x11)));  // fills the gap: joins three
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[0].address == 0x10);
    CHECK(img.segments()[0].data == iota_bytes(0x12, 0x10));
    CHECK(img.size() == 0x12 + 1);
}

TEST_CASE("SparseImage: overlapping add is refused and changes nothing") {
    SparseImage img;
    REQUIRE(img.add(0x100, Bytes(16, 0xAA)));
    REQUIRE(img.add(0x200, Bytes(16, 0xBB)));
    const SparseImage before = img;
    CHECK_FALSE(img.add(0x10F, Bytes{1}));        // last byte of the first
    CHECK_FALSE(img.add(0xF0, Bytes(0x11, 0)));   // reaches the first
    CHECK_FALSE(img.add(0x1F0, Bytes(0x20, 0)));  // covers the start of the second
    CHECK_FALSE(img.add(0x0, Bytes(0x300, 0)));   // covers both
    CHECK_FALSE(img.add(0x205, Bytes{1}));        // inside, the fast path
    CHECK_FALSE(img.add(0x20F, Bytes{1, 2}));     // last byte of the last one
    CHECK(img == before);
    CHECK(img.add(0x110, Bytes{1}));  // just after: fine
}

TEST_CASE("SparseImage: range past 0xFFFFFFFF is refused") {
    SparseImage img;
    CHECK_FALSE(img.add(0xFFFFFFFF, Bytes{1, 2}));
    CHECK_FALSE(img.add(0x100000000ULL, Bytes{1}));
    CHECK_FALSE(img.add(0xFFFFFFFFFFFFFFFFULL, Bytes{1}));
    CHECK(img.empty());
    CHECK(img.add(0xFFFFFFFE, Bytes{1, 2}));  // ends exactly at 4 GiB
    CHECK(img.end() == 0x100000000ULL);
    CHECK(img.at(0xFFFFFFFF) == 2);
}

TEST_CASE("SparseImage: data at 0x0 and 0xFFFF0000 stays two small segments") {
    SparseImage img;
    CHECK(img.add(0xFFFF0000, Bytes(256, 0x55)));
    CHECK(img.add(0x0, Bytes(256, 0x33)));
    CHECK(img.size() == 512);
    REQUIRE(img.segments().size() == 2);
    CHECK(img.segments()[0].data.size() == 256);
    CHECK(img.segments()[1].data.size() == 256);
    CHECK(img.lowest() == 0);
    CHECK(img.end() == 0xFFFF0100ULL);
}

TEST_CASE("SparseImage: at()") {
    SparseImage img;
    REQUIRE(img.add(0x10, Bytes{7, 8}));
    CHECK_FALSE(img.at(0x0F));
    CHECK(img.at(0x10) == 7);
    CHECK(img.at(0x11) == 8);
    CHECK_FALSE(img.at(0x12));
    CHECK_FALSE(img.at(0xFFFFFFFF));
}

TEST_CASE("SparseImage: copy_out fills the gaps") {
    SparseImage img;
    REQUIRE(img.add(0x102, Bytes{1, 2}));
    REQUIRE(img.add(0x106, Bytes{3}));
    std::array<std::uint8_t, 10> out{};
    img.copy_out(0x100, out, 0xFF);
    CHECK(out == std::array<std::uint8_t, 10>{0xFF, 0xFF, 1, 2, 0xFF, 0xFF, 3, 0xFF, 0xFF, 0xFF});

    std::array<std::uint8_t, 3> mid{};
    img.copy_out(0x103, mid, 0);
    CHECK(mid == std::array<std::uint8_t, 3>{2, 0, 0});

    std::array<std::uint8_t, 4> none{9, 9, 9, 9};
    img.copy_out(0x200, none, 0xEE);
    CHECK(none == std::array<std::uint8_t, 4>{0xEE, 0xEE, 0xEE, 0xEE});
}

TEST_CASE("SparseImage: copy_out past 4 GiB fills") {
    SparseImage img;
    REQUIRE(img.add(0xFFFFFFFE, Bytes{1, 2}));
    std::array<std::uint8_t, 4> out{};
    img.copy_out(0xFFFFFFFD, out, 0xAB);
    CHECK(out == std::array<std::uint8_t, 4>{0xAB, 1, 2, 0xAB});
}
