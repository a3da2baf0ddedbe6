// The three checksums of the protocol: the vectors of docs/protocol.md, and the device code
// against the independent reference implementations on random data.
#include "device_test_util.hpp"

using namespace devtest;

TEST_CASE("checksum: basic sum of 01 38 00 00 is C7 FF (sent little-endian)") {
    const Bytes hdr{0x01, 0x38, 0x00, 0x00};
    CHECK(dfu_sum16(hdr.data(), hdr.size()) == 0xFFC7);
    const Bytes pkt = packet(0x38, {}, 0);
    CHECK(pkt == Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});
    Bytes out(16);
    CHECK(dfu_build_packet(0x38, nullptr, 0, DFU_CHECKSUM_SUM, out.data(), out.size()) == 7);
    out.resize(7);
    CHECK(out == pkt);
}

TEST_CASE("checksum: CRC-16/X-25 of 01 38 00 00 is A0 09 (sent high byte first)") {
    const Bytes hdr{0x01, 0x38, 0x00, 0x00};
    CHECK(dfu_crc16_x25(hdr.data(), hdr.size()) == 0xA009);
    const Bytes check = bytes_of("123456789");
    CHECK(dfu_crc16_x25(check.data(), check.size()) == 0x906E);
    Bytes out(16);
    CHECK(dfu_build_packet(0x38, nullptr, 0, DFU_CHECKSUM_CRC16, out.data(), out.size()) == 7);
    out.resize(7);
    CHECK(out == Bytes{0x01, 0x38, 0x00, 0x00, 0xA0, 0x09, 0x17});
    CHECK(out == packet(0x38, {}, 1));
}

TEST_CASE("checksum: CRC-32C check value 0xE3069283 and incremental equals one-shot") {
    const Bytes check = bytes_of("123456789");
    CHECK(dfu_crc32c(check.data(), check.size()) == 0xE3069283u);
    CHECK(ref_crc32c(check) == 0xE3069283u);
    std::uint32_t s = DFU_CRC32C_INIT;
    s = dfu_crc32c_update(s, check.data(), 4);
    s = dfu_crc32c_update(s, check.data() + 4, 5);
    CHECK(dfu_crc32c_final(s) == 0xE3069283u);
    CHECK(dfu_crc32c(nullptr, 0) == 0u);
}

TEST_CASE("checksum: device code agrees with the reference on random data") {
    for (std::uint32_t seed = 0; seed < 50; ++seed) {
        const Bytes b = pattern(seed * 37 % 600, seed);
        CAPTURE(seed);
        CHECK(dfu_sum16(b.data(), b.size()) == ref_sum16(b.data(), b.size()));
        CHECK(dfu_crc16_x25(b.data(), b.size()) == ref_crc16_x25(b.data(), b.size()));
        CHECK(dfu_crc32c(b.data(), b.size()) == ref_crc32c(b));
    }
}

TEST_CASE("dfu_build_packet: data and capacity and length limits") {
    const Bytes data{0xAA, 0xBB, 0xCC};
    Bytes out(10);
    CHECK(dfu_build_packet(0x37, data.data(), data.size(), DFU_CHECKSUM_SUM, out.data(), out.size()) == 10);
    CHECK(out == packet(0x37, data, 0));
    CHECK(dfu_build_packet(0x37, data.data(), data.size(), DFU_CHECKSUM_SUM, out.data(), 9) == 0);
    CHECK(dfu_build_packet(0x37, nullptr, 3, DFU_CHECKSUM_SUM, out.data(), out.size()) == 0);
    CHECK(dfu_build_packet(0x37, data.data(), 0x10000, DFU_CHECKSUM_SUM, out.data(), 0x20000) == 0);
}
