// Row data commands: Send Data (0x37/0x47), Program Data, Verify Data, Erase Data, Sync.
#include "device_test_util.hpp"

using namespace devtest;

namespace {
constexpr std::uint32_t kBase = 0x10000000u;
}

TEST_CASE("program: a row in 57-byte chunks lands in flash - 0x47 is silent") {
    Device d;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 7);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 0x1000, row) == 0);
    CHECK(d.flash.slice(kBase + 0x1000, 512) == row);
    CHECK(d.flash.writes == 1);

    // the same row sent with Send Data Without Response
    const Bytes row2 = pattern(512, 8);
    std::size_t off = 0;
    while (512 - off > 49) {
        const std::size_t n = std::min<std::size_t>(57, 512 - off - 49);
        d.silent(DFU_CMD_SEND_DATA_NR, Bytes(row2.begin() + long(off), row2.begin() + long(off + n)));
        off += n;
    }
    CHECK(d.status(DFU_CMD_PROGRAM_DATA, cat(cat(le32(kBase + 0x1200), le32(ref_crc32c(row2))),
                                             Bytes(row2.begin() + long(off), row2.end()))) == 0);
    CHECK(d.flash.slice(kBase + 0x1200, 512) == row2);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
}

TEST_CASE("program: whole row in one packet when max_packet allows it") {
    Device d;
    d.cfg.max_packet = 512 + 16 + 7;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 9);
    CHECK(d.status(DFU_CMD_PROGRAM_DATA, cat(cat(le32(kBase), le32(ref_crc32c(row))), row)) == 0);
    CHECK(d.flash.slice(kBase, 512) == row);
}

TEST_CASE("program: row sizes 128 and 256 with CRC-16 packets") {
    for (std::uint32_t rs : {128u, 256u}) {
        CAPTURE(rs);
        Device d;
        d.cfg.row_size = rs;
        d.cfg.flash_size = 64 * 1024;
        d.cfg.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
        d.cfg.checksum_type = DFU_CHECKSUM_CRC16;
        d.start();
        d.enter();
        const Bytes row = pattern(rs, rs);
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 3 * rs, row) == 0);
        CHECK(d.flash.slice(kBase + 3 * rs, rs) == row);
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + rs / 2, row) == DFU_STATUS_ERROR_LENGTH);  // unaligned
    }
}

TEST_CASE("send data: the row buffer holds a row + 16 bytes - overflow -> 0x03") {
    Device d;
    d.start();
    d.enter();
    for (int i = 0; i < 9; ++i) CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(56, std::uint8_t(i))) == 0);  // 504
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(24, 0xEE)) == 0);                                         // 528
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(1, 0xEE)) == DFU_STATUS_ERROR_LENGTH);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);

    // 0x47 overflow: silent, but still an error (NONE + hold-off)
    d.recover();
    for (int i = 0; i < 10; ++i) d.silent(DFU_CMD_SEND_DATA_NR, Bytes(57, 1));  // 570 > 528 on the 10th
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    CHECK(dfu_discarding(&d.r, d.now) == 1);
}

TEST_CASE("program: errors and their status codes") {
    Device d;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 3);
    const Bytes head(row.begin(), row.begin() + 40), tail(row.begin() + 40, row.end());

    SUBCASE("shorter than 8 bytes -> 0x03") {
        CHECK(d.status(DFU_CMD_PROGRAM_DATA, Bytes(7, 0)) == DFU_STATUS_ERROR_LENGTH);
    }
    SUBCASE("CRC-32C mismatch -> 0x08") {
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == 0);
        CHECK(d.status(DFU_CMD_SEND_DATA, head) == 0);
        Bytes p = cat(cat(le32(kBase + 512), le32(ref_crc32c(row) ^ 1u)), {});
        // fill the rest with Send Data so only the CRC is wrong
        for (std::size_t off = 0; off < tail.size(); off += 48)
            CHECK(d.status(DFU_CMD_SEND_DATA,
                           Bytes(tail.begin() + long(off), tail.begin() + long(std::min(off + 48, tail.size())))) == 0);
        CHECK(d.status(DFU_CMD_PROGRAM_DATA, p) == DFU_STATUS_ERROR_CHECKSUM);
        CHECK(d.flash.writes == 1);
    }
    SUBCASE("inside flash but not row aligned -> 0x03") {
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 4, row) == DFU_STATUS_ERROR_LENGTH);
        d.recover();
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 0x100000u - 4, row) == DFU_STATUS_ERROR_LENGTH);
        CHECK(d.flash.writes == 0);
    }
    SUBCASE("below, beyond flash, metadata row -> 0x0A (also when unaligned)") {
        for (std::uint32_t addr : {kBase - 512, kBase - 4, kBase + 0x100000u, 0xFFFFFE00u, d.meta_addr()}) {
            CAPTURE(addr);
            d.recover();
            CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, addr, row) == DFU_STATUS_ERROR_ADDRESS);
        }
        CHECK(d.flash.writes == 0);
    }
    SUBCASE("not exactly one row -> 0x03") {
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, Bytes(row.begin(), row.end() - 1)) == DFU_STATUS_ERROR_LENGTH);
        d.recover();
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, cat(row, {1})) == DFU_STATUS_ERROR_LENGTH);
        CHECK(d.flash.writes == 0);
    }
    SUBCASE("flash write failure -> 0x04") {
        d.flash.fail_write = true;
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == DFU_STATUS_ERROR_DATA);
    }
    SUBCASE("read-back failure -> 0x04, read-back mismatch -> 0x02") {
        d.flash.fail_read = true;
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == DFU_STATUS_ERROR_DATA);
        d.flash.fail_read = false;
        d.recover();
        d.flash.flip_on_write = true;
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == DFU_STATUS_ERROR_VERIFY);
    }
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);  // every error ends the session
}

TEST_CASE("program: the row buffer is cleared by every Program Data ok or not") {
    Device d;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 4);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == 0);
    // only the last 40 bytes now: if the buffer had kept anything, the CRC would differ
    const Bytes part(row.end() - 40, row.end());
    CHECK(d.status(DFU_CMD_PROGRAM_DATA, cat(cat(le32(kBase), le32(ref_crc32c(part))), part)) ==
          DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(40, 1)) == 0);
    CHECK(d.status(DFU_CMD_PROGRAM_DATA, cat(cat(le32(kBase + 1), le32(0)), {})) == DFU_STATUS_ERROR_CHECKSUM);
    d.recover();
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 512, row) == 0);
}

TEST_CASE("sync: silent and clears the row buffer") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(50, 0x55)) == 0);
    d.silent(DFU_CMD_SYNC, {});
    d.silent(DFU_CMD_SYNC, {1, 2, 3});  // data ignored
    const Bytes row = pattern(512, 5);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == 0);
    CHECK(d.flash.slice(kBase, 512) == row);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
}

TEST_CASE("verify data: compares without writing - CRC 0x08 / any other failure 0x02") {
    Device d;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 6);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 512, row) == 0);
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 512, row) == 0);
    CHECK(d.flash.writes == 1);
    Bytes other = row;
    other[100] ^= 1;
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 512, other) == DFU_STATUS_ERROR_VERIFY);
    d.recover();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(row.begin(), row.begin() + 56)) == 0);
    CHECK(d.status(DFU_CMD_VERIFY_DATA, cat(le32(kBase + 512), le32(0x12345678))) == DFU_STATUS_ERROR_CHECKSUM);
    d.recover();
    // an unaligned address inside flash is compared there; outside flash or not one row: 0x02
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 2, row) == DFU_STATUS_ERROR_VERIFY);
    d.recover();
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 512 + 2, cat(Bytes(row.begin() + 2, row.end()), Bytes{0, 0})) == 0);
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 0x100000u, row) == DFU_STATUS_ERROR_VERIFY);
    d.recover();
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 512, Bytes(row.begin(), row.end() - 1)) == DFU_STATUS_ERROR_VERIFY);
    d.recover();
    CHECK(d.status(DFU_CMD_VERIFY_DATA, {1, 2, 3}) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    // the metadata row may be read back (erased: all zero)
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, d.meta_addr(), Bytes(512, 0)) == 0);
    d.flash.fail_read = true;
    CHECK(d.row_op(DFU_CMD_VERIFY_DATA, kBase + 512, row) == DFU_STATUS_ERROR_VERIFY);
    CHECK(d.flash.writes == 1);
}

TEST_CASE("erase data: exactly 4 bytes of row address - erased value is the port's") {
    Device d;
    d.flash.erased = 0xFF;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 2);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase + 1024, row) == 0);
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(kBase + 1024)) == 0);
    CHECK(d.flash.slice(kBase + 1024, 512) == Bytes(512, 0xFF));
    CHECK(d.flash.erases == 1);
    CHECK(d.status(DFU_CMD_ERASE_DATA, cat(le32(kBase), {0})) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_ERASE_DATA, {0, 0, 0}) == DFU_STATUS_ERROR_LENGTH);
    d.recover();
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(kBase + 256)) == DFU_STATUS_ERROR_LENGTH);  // unaligned
    d.recover();
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(d.meta_addr())) == DFU_STATUS_ERROR_ADDRESS);
    d.recover();
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(kBase + 0x100000u)) == DFU_STATUS_ERROR_ADDRESS);
    d.recover();
    d.flash.fail_erase = true;
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(kBase)) == DFU_STATUS_ERROR_DATA);
    CHECK(d.flash.erases == 1);
}
