// Application metadata and validation: Set Application Metadata, Get Metadata, Verify
// Application; Set EI Vector; unknown commands.
#include "device_test_util.hpp"

using namespace devtest;

namespace {
constexpr std::uint32_t kBase = 0x10000000u;

Bytes set_meta(std::uint8_t app, std::uint32_t start, std::uint32_t length) {
    return cat(cat(Bytes{app}, le32(start)), le32(length));
}

// Programs an application of `rows` rows at `start`: its verify range is everything but
// the last 4 bytes, which hold the CRC-32C of that range. Returns the image.
Bytes program_app(Device& d, std::uint32_t start, std::uint32_t rows, std::uint32_t seed) {
    Bytes image = pattern(rows * 512, seed);
    const std::uint32_t length = rows * 512 - 4;
    const Bytes crc = le32(ref_crc32c(image.data(), length));
    std::copy(crc.begin(), crc.end(), image.begin() + length);
    for (std::uint32_t i = 0; i < rows; ++i) {
        const Bytes row(image.begin() + long(i * 512), image.begin() + long((i + 1) * 512));
        REQUIRE(d.row_op(DFU_CMD_PROGRAM_DATA, start + i * 512, row) == 0);
    }
    return image;
}

Response verify_app(Device& d, std::uint8_t app) {
    return d.send(DFU_CMD_VERIFY_APP, {app});
}
}  // namespace

TEST_CASE("set metadata: writes the entry and the row's CRC-32C") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, kBase, 0x1234)) == 0);
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(1, kBase + 0x8000, 0x800)) == 0);
    const Bytes meta = d.flash.slice(d.meta_addr(), 512);
    CHECK(Bytes(meta.begin(), meta.begin() + 16) ==
          cat(cat(le32(kBase), le32(0x1234)), cat(le32(kBase + 0x8000), le32(0x800))));
    CHECK(std::all_of(meta.begin() + 16, meta.end() - 4, [](std::uint8_t b) { return b == 0; }));
    CHECK(get32(meta.data() + 508) == ref_crc32c(meta.data(), 508));
    // rewriting app 0 keeps app 1
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, kBase + 512, 100)) == 0);
    const Bytes meta2 = d.flash.slice(d.meta_addr(), 512);
    CHECK(get32(meta2.data()) == kBase + 512);
    CHECK(get32(meta2.data() + 8) == kBase + 0x8000);
    CHECK(get32(meta2.data() + 508) == ref_crc32c(meta2.data(), 508));
}

TEST_CASE("set metadata: length must be 9 - app beyond max_apps 0x0F - unchanged not written - port errors") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SET_METADATA, Bytes(8, 0)) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_SET_METADATA, Bytes(10, 0)) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(62, kBase, 4)) == 0);  // bytes 496..503
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(63, kBase, 4)) == DFU_STATUS_ERROR_UNKNOWN);
    d.recover();
    const auto writes = d.flash.writes;
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(62, kBase, 4)) == 0);  // the same again
    CHECK(d.flash.writes == writes);
    d.flash.fail_write = true;
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, kBase, 4)) == DFU_STATUS_ERROR_DATA);
    d.flash.fail_write = false;

    Device two;
    two.cfg.max_apps = 2;
    two.start();
    two.enter();
    CHECK(two.status(DFU_CMD_SET_METADATA, set_meta(1, kBase, 4)) == 0);
    CHECK(two.status(DFU_CMD_SET_METADATA, set_meta(2, kBase, 4)) == DFU_STATUS_ERROR_UNKNOWN);
}

TEST_CASE("get metadata: bytes from..to of the metadata row") {
    Device d;
    d.cfg.max_packet = 128;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, 0x10000200u, 0x3FC)) == 0);
    Response r = d.send(DFU_CMD_GET_METADATA, cat(le16(0), le16(8)));
    CHECK(r.status == 0);
    CHECK(r.data == cat(le32(0x10000200u), le32(0x3FC)));
    r = d.send(DFU_CMD_GET_METADATA, cat(le16(508), le16(512)));
    CHECK(r.status == 0);
    CHECK(r.data == d.flash.slice(d.meta_addr() + 508, 4));
    r = d.send(DFU_CMD_GET_METADATA, cat(le16(4), le16(4)));
    CHECK(r.status == 0);
    CHECK(r.data.empty());
    r = d.send(DFU_CMD_GET_METADATA, cat(le16(0), le16(121)));  // 128-byte response
    CHECK(r.status == 0);
    CHECK(r.data.size() == 121);
    CHECK(r.raw.size() == 128);

    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(0), le16(122))) == DFU_STATUS_ERROR_DATA);  // > max_packet
    d.recover();
    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(8), le16(4))) == DFU_STATUS_ERROR_DATA);
    d.recover();
    // past the row the answer is the row buffer's tail (here 3 bytes left by Send Data)
    for (int i = 0; i < 5; ++i) CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(103, 0xC3)) == 0);
    d.silent(DFU_CMD_SYNC, {});
    r = d.send(DFU_CMD_GET_METADATA, cat(le16(510), le16(515)));
    CHECK(r.status == 0);
    CHECK(r.data == cat(d.flash.slice(d.meta_addr() + 510, 2), Bytes(3, 0xC3)));
    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(520), le16(529))) == DFU_STATUS_ERROR_DATA);
    d.recover();
    CHECK(d.status(DFU_CMD_GET_METADATA, {0, 0, 8}) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    d.flash.fail_read = true;
    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(0), le16(8))) == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("get metadata: the default 64-byte packet limits a response to 57 bytes") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, kBase, 4)) == 0);
    CHECK(d.send(DFU_CMD_GET_METADATA, cat(le16(0), le16(57))).data.size() == 57);
    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(0), le16(58))) == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("get metadata: a metadata row with a wrong CRC -> 0x02") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_GET_METADATA, cat(le16(0), le16(8))) == DFU_STATUS_ERROR_VERIFY);  // erased row
}

TEST_CASE("verify application: valid 0x01 and tampered 0x00 - status 0x00 either way") {
    Device d;
    d.start();
    d.enter();
    const std::uint32_t start = kBase + 0x2000;
    program_app(d, start, 3, 11);
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, start, 3 * 512 - 4)) == 0);
    Response r = verify_app(d, 0);
    REQUIRE(r.answered);
    CHECK(r.status == 0);
    CHECK(r.data == Bytes{0x01});
    CHECK(r.raw.size() == 8);
    CHECK(d.send(DFU_CMD_VERIFY_APP, {0, 0, 0, 0}).data == Bytes{0x01});  // 4-byte form

    // app 1 has no entry: invalid
    r = verify_app(d, 1);
    CHECK(r.status == 0);
    CHECK(r.data == Bytes{0x00});

    // one flipped byte inside the range
    d.flash.at(start + 700)[0] ^= 0x40;
    r = verify_app(d, 0);
    CHECK(r.status == 0);
    CHECK(r.data == Bytes{0x00});
    d.flash.at(start + 700)[0] ^= 0x40;
    CHECK(verify_app(d, 0).data == Bytes{0x01});
    // the stored CRC itself damaged
    d.flash.at(start + 3 * 512 - 1)[0] ^= 0x01;
    CHECK(verify_app(d, 0).data == Bytes{0x00});
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);  // no error
}

TEST_CASE("verify application: ranges outside flash / empty range / bad metadata CRC -> 0x00") {
    Device d;
    d.start();
    d.enter();
    program_app(d, kBase, 2, 12);
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(0, kBase, 2 * 512 - 4)) == 0);
    CHECK(verify_app(d, 0).data == Bytes{0x01});

    for (const auto& range : {std::pair<std::uint32_t, std::uint32_t>{kBase - 512, 508},
                              {kBase + 0x100000u - 8, 8},
                              {kBase + 0x1000, 0xFFFFFFF0u},
                              {0xFFFFFF00u, 0x10},
                              {kBase, 0}}) {
        const std::uint32_t start = range.first, length = range.second;
        CAPTURE(start);
        CAPTURE(length);
        CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(2, start, length)) == 0);
        const Response r = verify_app(d, 2);
        CHECK(r.status == 0);
        CHECK(r.data == Bytes{0x00});
    }
    // app numbers whose entry cannot exist
    CHECK(verify_app(d, 63).data == Bytes{0x00});
    CHECK(verify_app(d, 255).data == Bytes{0x00});

    // a metadata row whose own CRC is wrong is not trusted
    d.flash.at(d.meta_addr() + 100)[0] ^= 1;
    CHECK(verify_app(d, 0).data == Bytes{0x00});
    d.flash.at(d.meta_addr() + 100)[0] ^= 1;
    CHECK(verify_app(d, 0).data == Bytes{0x01});
}

TEST_CASE("verify application: an entry beyond max_apps is no application, even when it describes a valid one") {
    // A metadata row written when the loader allowed more applications (here entry 2 of a
    // loader now built for two) still holds the old entry: it must not count as valid.
    Device d;
    d.start();
    d.enter();
    const std::uint32_t start = kBase + 0x4000;
    program_app(d, start, 2, 13);
    CHECK(d.status(DFU_CMD_SET_METADATA, set_meta(2, start, 2 * 512 - 4)) == 0);
    REQUIRE(verify_app(d, 2).data == Bytes{0x01});
    d.r.cfg.max_apps = 2;
    const Response r = verify_app(d, 2);
    CHECK(r.status == 0);
    CHECK(r.data == Bytes{0x00});
}

TEST_CASE("verify application: length and port errors") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_VERIFY_APP, {}) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_VERIFY_APP, {0, 0}) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    d.flash.fail_read = true;
    CHECK(d.status(DFU_CMD_VERIFY_APP, {0}) == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("verify application: an erased metadata row is invalid even with flash at address 0") {
    Device d;
    d.cfg.flash_base = 0;
    d.cfg.flash_size = 0x10000;
    d.cfg.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
    d.start();
    d.enter();
    CHECK(verify_app(d, 0).data == Bytes{0x00});
}

TEST_CASE("set EI vector: 0 or 8 or 16 bytes - 0x05 when compiled out") {
    Device d;
    d.start();
    d.enter();
    std::size_t len = 99;
    CHECK(dfu_eiv(&d.r, &len) == nullptr);
    CHECK(len == 0);
    const Bytes v16 = pattern(16, 1);
    CHECK(d.status(DFU_CMD_SET_EIV, v16) == 0);
    const std::uint8_t* p = dfu_eiv(&d.r, &len);
    REQUIRE(p != nullptr);
    CHECK(Bytes(p, p + len) == v16);
    CHECK(d.status(DFU_CMD_SET_EIV, Bytes(8, 3)) == 0);
    CHECK(dfu_eiv(&d.r, &len) != nullptr);
    CHECK(len == 8);
    CHECK(d.status(DFU_CMD_SET_EIV, {}) == 0);
    CHECK(dfu_eiv(&d.r, &len) == nullptr);
    CHECK(d.status(DFU_CMD_SET_EIV, Bytes(12, 0)) == DFU_STATUS_ERROR_DATA);

    Device off;
    off.cfg.eiv_supported = 0;
    off.start();
    off.enter();
    CHECK(off.status(DFU_CMD_SET_EIV, Bytes(8, 0)) == DFU_STATUS_ERROR_CMD);
    CHECK(dfu_state(&off.r) == DFU_STATE_NONE);
}

TEST_CASE("unknown and custom commands -> 0x05 (an error while updating)") {
    for (int code : {0x00, 0x30, 0x39, 0x4B, 0x4E, 0x50, 0x80, 0xFF}) {
        CAPTURE(code);
        Device d;
        d.start();
        d.enter();
        CHECK(d.status(std::uint8_t(code), {1, 2, 3}) == DFU_STATUS_ERROR_CMD);
        CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    }
}
