// Packet framing checks (docs/protocol.md, "Packet frame" and "Timing") and the Enter DFU command.
#include "device_test_util.hpp"

using namespace devtest;

TEST_CASE("framing: fewer than 7 bytes or bad start or bad end byte -> 0x04") {
    Device d;
    d.start();
    for (std::size_t n = 0; n < 7; ++n) {
        CAPTURE(n);
        const Bytes full = packet(DFU_CMD_ENTER, le32(0x01020304));
        const Response r = d.raw(Bytes(full.begin(), full.begin() + long(n)));
        REQUIRE(r.answered);
        CHECK(r.status == DFU_STATUS_ERROR_DATA);
        CHECK(r.raw.size() == 7);
    }
    Bytes p = packet(DFU_CMD_ENTER, le32(0x01020304));
    p[0] = 0x02;
    CHECK(d.raw(p).status == DFU_STATUS_ERROR_DATA);
    p = packet(DFU_CMD_ENTER, le32(0x01020304));
    p.back() = 0x18;
    CHECK(d.raw(p).status == DFU_STATUS_ERROR_DATA);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    // the exact bytes of an error response: 01 04 00 00 sum 17
    p[0] = 0x00;
    CHECK(d.raw(p).raw == packet(0x04, {}, 0));
}

TEST_CASE("framing: length field past the bytes received or packet > max_packet -> 0x03") {
    Device d;
    d.start();
    Bytes p = packet(DFU_CMD_ENTER, le32(0x01020304));
    p[2] = 5;  // says 5 data bytes, 4 received
    CHECK(d.raw(p).status == DFU_STATUS_ERROR_LENGTH);
    // says 3 data bytes, 4 received (checksum recomputed): the end byte is looked for at 9 -> 0x04
    p[2] = 3;
    const std::uint16_t c = ref_sum16(p.data(), 7);
    p[7] = std::uint8_t(c);
    p[8] = std::uint8_t(c >> 8);
    CHECK(d.raw(p).status == DFU_STATUS_ERROR_DATA);
    // 58 data bytes = 65-byte packet > 64
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(57, 1)) == 0);
    d.silent(DFU_CMD_SYNC, {});
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(58, 1)) == DFU_STATUS_ERROR_LENGTH);
}

TEST_CASE("framing: bytes after the end byte are ignored - two packets in one unit answer the first") {
    Device d;
    d.start();
    const Response r = d.raw(cat(packet(DFU_CMD_ENTER, le32(0x01020304)), packet(DFU_CMD_SEND_DATA, {1, 2})));
    CHECK(r.status == 0);
    CHECK(r.data.size() == 8);  // the Enter answer
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
    CHECK(d.raw(cat(packet(DFU_CMD_SEND_DATA, {1}), Bytes{0xEE, 0xEE})).status == 0);
}

TEST_CASE("framing: bad checksum -> 0x08 for both checksum types") {
    for (std::uint8_t type : {0, 1}) {
        CAPTURE(int(type));
        Device d;
        d.cfg.checksum_type = type;
        d.start();
        Bytes p = packet(DFU_CMD_ENTER, le32(0x01020304), type);
        p[8] ^= 0x01;
        CHECK(d.raw(p).status == DFU_STATUS_ERROR_CHECKSUM);
        // the other type's checksum is wrong for this device
        CHECK(d.raw(packet(DFU_CMD_ENTER, le32(0x01020304), 1 - type)).status == DFU_STATUS_ERROR_CHECKSUM);
        const Response ok = d.raw(packet(DFU_CMD_ENTER, le32(0x01020304), type));
        CHECK(ok.status == 0);
        CHECK(ok.raw == packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01}, type));
    }
}

TEST_CASE("framing: errors are answered even when byte 1 names a silent command") {
    Device d;
    d.start();
    d.enter();
    for (std::uint8_t code : {DFU_CMD_SYNC, DFU_CMD_SEND_DATA_NR, DFU_CMD_EXIT}) {
        Bytes p = packet(code, {1, 2});
        p[5] ^= 0xFF;
        const Response r = d.raw(p);
        REQUIRE(r.answered);
        CHECK(r.status == DFU_STATUS_ERROR_CHECKSUM);
        d.recover();
    }
}

TEST_CASE("enter: 4 and 6 bytes - response carries silicon id and rev and SDK 5.2") {
    Device d;
    d.cfg.silicon_id = 0xE2072100u;
    d.cfg.silicon_rev = 0x21;
    d.start();
    const Response r = d.send(DFU_CMD_ENTER, le32(0x01020304));
    REQUIRE(r.answered);
    CHECK(r.status == 0);
    CHECK(r.data == Bytes{0x00, 0x21, 0x07, 0xE2, 0x21, 0x02, 0x05, 0x01});
    CHECK(r.raw.size() == 15);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
    const Response r6 = d.send(DFU_CMD_ENTER, cat(le32(0x01020304), {0xAB, 0xCD}));
    CHECK(r6.status == 0);
    CHECK(r6.data == r.data);
}

TEST_CASE("enter: no data needs product id 0 - wrong id 0x04 - other lengths 0x03") {
    Device d;
    d.start();
    CHECK(d.status(DFU_CMD_ENTER, {}) == DFU_STATUS_ERROR_LENGTH);
    CHECK(d.status(DFU_CMD_ENTER, le32(0x01020305)) == DFU_STATUS_ERROR_DATA);
    CHECK(d.status(DFU_CMD_ENTER, {4, 3, 2}) == DFU_STATUS_ERROR_LENGTH);
    CHECK(d.status(DFU_CMD_ENTER, {4, 3, 2, 1, 0}) == DFU_STATUS_ERROR_LENGTH);
    CHECK(d.status(DFU_CMD_ENTER, {4, 3, 2, 1, 0, 0, 0}) == DFU_STATUS_ERROR_LENGTH);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);

    Device z;
    z.cfg.product_id = 0;
    z.start();
    CHECK(z.status(DFU_CMD_ENTER, {}) == 0);
    CHECK(dfu_state(&z.r) == DFU_STATE_UPDATING);
    CHECK(z.status(DFU_CMD_ENTER, le32(0)) == 0);
    CHECK(z.status(DFU_CMD_ENTER, le32(1)) == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("enter: allowed again while updating - keeps the row buffer and the EI vector") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SET_EIV, Bytes(8, 0x33)) == 0);
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(40, 0x11)) == 0);
    d.enter();
    std::size_t len = 0;
    CHECK(dfu_eiv(&d.r, &len) != nullptr);
    CHECK(len == 8);
    // the 40 bytes are still there: a full row on top is not one row
    const Bytes row = pattern(512, 1);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, 0x10000000u, row) == DFU_STATUS_ERROR_LENGTH);
}

TEST_CASE("response buffer: too small for the answer") {
    Device d;
    d.start();
    d.rsp_cap = 6;
    CHECK_FALSE(d.send(DFU_CMD_ENTER, le32(0x01020304)).answered);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);  // dropped unprocessed
    d.rsp_cap = 14;
    CHECK(d.status(DFU_CMD_ENTER, le32(0x01020304)) == DFU_STATUS_ERROR_LENGTH);
    d.rsp_cap = 15;
    CHECK(d.status(DFU_CMD_ENTER, le32(0x01020304)) == 0);
}
