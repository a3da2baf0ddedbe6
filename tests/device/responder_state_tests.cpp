// States (NONE -> UPDATING -> FINISHED), the error hold-off and the idle timeout
// (docs/protocol.md, "Device states" and "Timing").
#include "device_test_util.hpp"

using namespace devtest;

namespace {
constexpr std::uint32_t kBase = 0x10000000u;
}

TEST_CASE("state: in NONE everything but Enter and Exit is refused with 0x05 without hold-off - Sync and 0x47 too") {
    Device d;
    d.start();
    const std::pair<std::uint8_t, Bytes> cmds[] = {
        {DFU_CMD_SEND_DATA, {1, 2}},          {DFU_CMD_PROGRAM_DATA, Bytes(8, 0)}, {DFU_CMD_VERIFY_DATA, Bytes(8, 0)},
        {DFU_CMD_ERASE_DATA, le32(kBase)},    {DFU_CMD_VERIFY_APP, {0}},           {DFU_CMD_SET_METADATA, Bytes(9, 0)},
        {DFU_CMD_GET_METADATA, {0, 0, 8, 0}}, {DFU_CMD_SET_EIV, Bytes(8, 0)},      {0x50, {}},
        {DFU_CMD_SYNC, {}},                   {DFU_CMD_SEND_DATA_NR, {1, 2, 3}},
    };
    for (const auto& cmd : cmds) {
        const std::uint8_t code = cmd.first;
        const Bytes& data = cmd.second;
        CAPTURE(int(code));
        const Response r = d.send(code, data);
        REQUIRE(r.answered);
        CHECK(r.status == DFU_STATUS_ERROR_CMD);
        CHECK(r.raw.size() == 7);
        CHECK(dfu_discarding(&d.r, d.now) == 0);
    }
    CHECK(d.flash.writes == 0);
    CHECK(d.flash.erases == 0);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    // and Enter works at once: no hold-off after errors in NONE
    d.enter();
}

TEST_CASE("state: Exit is silent and leads to FINISHED - FINISHED acts as NONE - Enter works again") {
    Device d;
    d.start();
    d.enter();
    d.silent(DFU_CMD_EXIT, {});
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
    CHECK(d.status(DFU_CMD_SEND_DATA, {1}) == DFU_STATUS_ERROR_CMD);
    CHECK(d.status(DFU_CMD_VERIFY_APP, {0}) == DFU_STATUS_ERROR_CMD);
    CHECK(d.status(DFU_CMD_SYNC, {}) == DFU_STATUS_ERROR_CMD);
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
    CHECK(d.status(DFU_CMD_ENTER, le32(7)) == DFU_STATUS_ERROR_DATA);
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
    d.enter();  // at once: errors in FINISHED set no hold-off
    d.silent(DFU_CMD_EXIT, {0xAA});
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);

    Device n;
    n.start();
    n.silent(DFU_CMD_EXIT, {});
    CHECK(dfu_state(&n.r) == DFU_STATE_FINISHED);
}

TEST_CASE("state: Exit drops a half-sent row") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(50, 9)) == 0);
    d.silent(DFU_CMD_EXIT, {});
    d.enter();
    const Bytes row = pattern(512, 77);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == 0);
}

TEST_CASE("state: a second Enter while UPDATING answers again and keeps the row buffer") {
    Device d;
    d.cfg.max_packet = 512 + 16 + 7;
    d.start();
    d.enter();
    const Bytes row = pattern(512, 5);
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(row.begin(), row.begin() + 50)) == 0);
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(row.begin() + 50, row.begin() + 100)) == 0);
    d.enter();
    CHECK(d.status(DFU_CMD_PROGRAM_DATA,
                   cat(cat(le32(kBase), le32(ref_crc32c(row))), Bytes(row.begin() + 100, row.end()))) == 0);
    CHECK(d.flash.slice(kBase, 512) == row);
}

TEST_CASE("hold-off: after an error while UPDATING input is discarded - then NONE, where Sync is answered 0x05") {
    Device d;
    d.start();
    d.enter();
    const std::uint32_t t0 = d.now;
    CHECK(d.status(DFU_CMD_ERASE_DATA, le32(kBase + 0x100000)) == DFU_STATUS_ERROR_ADDRESS);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    CHECK(dfu_discarding(&d.r, t0) == 1);
    CHECK(dfu_discarding(&d.r, t0 + 19) == 1);
    CHECK(dfu_discarding(&d.r, t0 + 20) == 0);

    // everything is discarded during the hold-off, Enter and garbage included
    d.now = t0 + 5;
    CHECK_FALSE(d.send(DFU_CMD_ENTER, le32(0x01020304)).answered);
    CHECK_FALSE(d.raw({0x42}).answered);
    d.now = t0 + 19;
    CHECK_FALSE(d.send(DFU_CMD_ENTER, le32(0x01020304)).answered);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    // afterwards: NONE (0x05 for data commands and Sync), Enter works
    d.now = t0 + 20;
    CHECK(d.status(DFU_CMD_SYNC, {}) == DFU_STATUS_ERROR_CMD);
    CHECK(d.status(DFU_CMD_SEND_DATA, {1}) == DFU_STATUS_ERROR_CMD);
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, {1}) == 0);
}

TEST_CASE("hold-off: framing errors while UPDATING count too - row buffer is cleared") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(56, 1)) == 0);
    Bytes bad = packet(DFU_CMD_SEND_DATA, {1, 2, 3});
    bad[6] ^= 0x55;
    CHECK(d.raw(bad).status == DFU_STATUS_ERROR_CHECKSUM);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    CHECK(dfu_discarding(&d.r, d.now) == 1);
    d.recover();
    const Bytes row = pattern(512, 1);
    CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, kBase, row) == 0);  // the 56 bytes are gone
}

TEST_CASE("hold-off: configurable - 0 disables it") {
    Device d;
    d.cfg.error_holdoff_ms = 0;
    d.start();
    d.enter();
    CHECK(d.status(0x99, {}) == DFU_STATUS_ERROR_CMD);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    CHECK(dfu_discarding(&d.r, d.now) == 0);
    d.enter();

    Device l;
    l.cfg.error_holdoff_ms = 100;
    l.start();
    l.enter();
    CHECK(l.status(0x99, {}) == DFU_STATUS_ERROR_CMD);
    l.now += 99;
    CHECK_FALSE(l.send(DFU_CMD_ENTER, le32(0x01020304)).answered);
    l.now += 1;
    l.enter();
}

TEST_CASE("hold-off: survives the 32-bit millisecond clock wrapping") {
    Device d;
    d.now = 0xFFFFFFF0u;
    d.start();
    d.enter();
    CHECK(d.status(0x99, {}) == DFU_STATUS_ERROR_CMD);
    d.now = 0x00000002u;  // 18 ms later
    CHECK_FALSE(d.send(DFU_CMD_ENTER, le32(0x01020304)).answered);
    d.now = 0x00000004u;  // 20 ms later
    d.enter();
}

TEST_CASE("idle timeout: 5 s without a command while UPDATING -> NONE") {
    Device d;
    d.start();
    d.enter();
    CHECK(d.status(DFU_CMD_SEND_DATA, Bytes(10, 1)) == 0);
    d.advance(4999);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
    d.silent(DFU_CMD_SYNC, {});  // any packet restarts the timer
    d.advance(4999);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
    d.advance(1);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
    CHECK(dfu_discarding(&d.r, d.now) == 0);  // a timeout is not an error: no hold-off
    CHECK(d.status(DFU_CMD_SEND_DATA, {1}) == DFU_STATUS_ERROR_CMD);
    d.enter();
}

TEST_CASE("idle timeout: applied on the next packet even without dfu_poll") {
    Device d;
    d.start();
    d.enter();
    d.now += 6000;  // no dfu_poll
    CHECK(d.status(DFU_CMD_SEND_DATA, {1}) == DFU_STATUS_ERROR_CMD);
    CHECK(dfu_discarding(&d.r, d.now) == 0);
}

TEST_CASE("idle timeout: 0 disables it - it does not apply outside UPDATING") {
    Device d;
    d.cfg.idle_timeout_ms = 0;
    d.start();
    d.enter();
    d.advance(1000000);
    CHECK(dfu_state(&d.r) == DFU_STATE_UPDATING);
    d.silent(DFU_CMD_EXIT, {});
    d.advance(10000);
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
}

TEST_CASE("silence: 0x35 and 0x47 never answer while UPDATING - 0x3B never in any state") {
    Device d;
    d.start();
    for (int round = 0; round < 2; ++round) {
        CHECK(d.status(DFU_CMD_SYNC, {}) == DFU_STATUS_ERROR_CMD);
        CHECK(d.status(DFU_CMD_SEND_DATA_NR, {1}) == DFU_STATUS_ERROR_CMD);
        d.enter();
        d.silent(DFU_CMD_SYNC, {});
        d.silent(DFU_CMD_SEND_DATA_NR, {1});
        d.silent(DFU_CMD_EXIT, {});
        CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
    }
}

TEST_CASE("a full session: enter - metadata - rows - verify app - exit") {
    Device d;
    d.cfg.checksum_type = DFU_CHECKSUM_CRC16;
    d.start();
    d.enter();
    const std::uint32_t start = kBase + 0x4000, rows = 4;
    Bytes image = pattern(rows * 512, 99);
    const std::uint32_t length = rows * 512 - 4;
    const Bytes crc = le32(ref_crc32c(image.data(), length));
    std::copy(crc.begin(), crc.end(), image.begin() + length);
    CHECK(d.status(DFU_CMD_SET_METADATA, cat(cat(Bytes{0}, le32(start)), le32(length))) == 0);
    for (std::uint32_t i = 0; i < rows; ++i)
        CHECK(d.row_op(DFU_CMD_PROGRAM_DATA, start + i * 512,
                       Bytes(image.begin() + long(i * 512), image.begin() + long((i + 1) * 512))) == 0);
    for (std::uint32_t i = 0; i < rows; ++i)
        CHECK(d.row_op(DFU_CMD_VERIFY_DATA, start + i * 512,
                       Bytes(image.begin() + long(i * 512), image.begin() + long((i + 1) * 512))) == 0);
    CHECK(d.send(DFU_CMD_VERIFY_APP, {0}).data == Bytes{0x01});
    d.silent(DFU_CMD_EXIT, {});
    CHECK(dfu_state(&d.r) == DFU_STATE_FINISHED);
    CHECK(d.flash.slice(start, rows * 512) == image);
}
