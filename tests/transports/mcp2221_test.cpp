// MCP2221A: report encodings from the datasheet, and the real Flasher programming an
// emulated MCP2221A whose I2C pins reach the responder core.
#include <doctest/doctest.h>

#include "bus_target.hpp"
#include "emulated_mcp2221.hpp"
#include "flash_through.hpp"
#include "transports/mcp2221.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::BusTarget;
using testsupport::Bytes;
using testsupport::EmulatedMcp2221;

namespace {

I2cSettings i2c(unsigned speed = 100000, std::uint8_t address = 0x0C) {
    I2cSettings s;
    s.device = "mcp2221";
    s.address = address;
    s.speed_hz = speed;
    return s;
}

std::unique_ptr<Mcp2221I2c> bridge(EmulatedMcp2221& chip, I2cSettings s = i2c()) {
    return std::make_unique<Mcp2221I2c>(testsupport::handle(chip), s, "mcp2221 emulated",
                                        std::chrono::milliseconds(200));
}

Bytes first(const mcp2221::Report& r, std::size_t n) {
    return Bytes(r.begin(), r.begin() + static_cast<long>(n));
}

}  // namespace

TEST_CASE("mcp2221: report encodings follow the datasheet byte for byte") {
    // Status/Set Parameters: byte 2 = 0x10 cancels, byte 3 = 0x20 takes byte 4 as divider.
    CHECK(first(mcp2221::status_command(false, std::nullopt), 6) == Bytes{0x00, 0x10, 0x00, 0x00, 0x00, 0x00});
    CHECK(first(mcp2221::status_command(true, std::nullopt), 6) == Bytes{0x00, 0x10, 0x00, 0x10, 0x00, 0x00});
    CHECK(first(mcp2221::status_command(false, 0x75), 6) == Bytes{0x00, 0x10, 0x00, 0x00, 0x20, 0x75});
    // I2C Write Data: length low, high, 8-bit write address (7-bit << 1), data from byte 4.
    const Bytes data{0xAA, 0xBB, 0xCC};
    const auto w = mcp2221::write_command(0x0140, 0x0C, data);
    CHECK(w.size() == 65);
    CHECK(first(w, 8) == Bytes{0x00, 0x90, 0x40, 0x01, 0x18, 0xAA, 0xBB, 0xCC});
    CHECK(std::all_of(w.begin() + 8, w.end(), [](std::uint8_t b) { return b == 0; }));
    // I2C Read Data: length, then the odd (read) 8-bit address.
    CHECK(first(mcp2221::read_command(7, 0x0C), 6) == Bytes{0x00, 0x91, 0x07, 0x00, 0x19, 0x00});
    CHECK(first(mcp2221::get_data_command(), 3) == Bytes{0x00, 0x40, 0x00});
    // 12 MHz / speed - 3.
    CHECK(mcp2221::speed_divider(100000) == 117);
    CHECK(mcp2221::speed_divider(400000) == 27);
    CHECK_THROWS_AS(mcp2221::speed_divider(1000000), OpenError);
    CHECK_THROWS_AS(mcp2221::speed_divider(20000), OpenError);
}

TEST_CASE("mcp2221: open sets the speed divider and programs a signed job byte for byte") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 2;
    EmulatedMcp2221 chip(target);
    chip.get_data_not_ready = 1;
    chip.status_polls_until_written = 2;
    PolledBusTransport t(bridge(chip, i2c(400000)), 64);
    CHECK(chip.divider == 27);
    CHECK(t.description() == "i2c mcp2221 emulated @ 0x0C, 400 kHz");
    const FirmwareJob job = testsupport::signed_job();
    const RunResult r = testsupport::program_through(t, job);
    CHECK(r.app_valid == true);
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
    CHECK(chip.protocol_error == "");
    // A 64-byte packet is more than one report holds: 60 bytes, then 4, both naming the whole length.
    bool split_seen = false;
    for (std::size_t i = 0; i + 1 < chip.write_reports.size(); ++i)
        if (chip.write_reports[i] == std::pair<std::uint16_t, std::size_t>{64, 60} &&
            chip.write_reports[i + 1] == std::pair<std::uint16_t, std::size_t>{64, 4})
            split_seen = true;
    CHECK(split_seen);
    for (const auto& w : target.writes()) CHECK(w.size() <= 64);
}

TEST_CASE("mcp2221: a target that NACKs while busy is polled again, and busy chunks are resent") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 4;
    target.nack_when_busy = true;
    EmulatedMcp2221 chip(target);
    chip.busy_answers_per_write_report = 2;
    PolledBusTransport t(bridge(chip), 64);
    const FirmwareJob job = testsupport::signed_job(2);
    CHECK(testsupport::program_through(t, job).app_valid == true);
    testsupport::jobs::check_flash_has(target.flash(), job);
    CHECK(chip.cancels > 0);  // each NACK frees the engine for the next poll
    CHECK(chip.protocol_error == "");
}

TEST_CASE("mcp2221: read NACK is 'not ready', write NACK is an IoError naming the address") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedMcp2221 chip(target, 0x0D);  // nobody answers at 0x0C
    auto port = bridge(chip);
    std::array<std::uint8_t, 7> buf{};
    CHECK_FALSE(port->read(buf));
    const std::string msg = testsupport::error_of([&] {
        port->write(Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});
    });
    CHECK(msg.find("0x0C not acknowledged (NACK)") != std::string::npos);
    CHECK(msg.find("mcp2221 emulated") != std::string::npos);
    CHECK(chip.engine_state() == EmulatedMcp2221::kIdle);  // cancelled, ready for the next try
    CHECK_THROWS_AS(port->write(Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17}), IoError);
}

TEST_CASE("mcp2221: a bus timeout in the engine is an IoError and the transfer is cancelled") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedMcp2221 chip(target);
    chip.write_ends_in = EmulatedMcp2221::kWriteTimeout;
    auto port = bridge(chip);
    const unsigned cancels_before = chip.cancels;
    const std::string msg = testsupport::error_of([&] { port->write(Bytes{1, 2, 3}); });
    CHECK(msg.find("I2C bus timeout") != std::string::npos);
    CHECK(msg.find("state 0x44") != std::string::npos);
    CHECK(chip.cancels == cancels_before + 1);
}

TEST_CASE("mcp2221: open cancels a transfer left running, an engine that stays stuck is an OpenError") {
    BusTarget target(BusTarget::Kind::i2c);
    {
        EmulatedMcp2221 chip(target);
        chip.set_engine_state(0x40);  // a write still waiting for the rest of its data
        auto port = bridge(chip);
        CHECK(chip.cancels == 1);
        CHECK(chip.divider == 117);
    }
    {
        EmulatedMcp2221 chip(target);
        chip.set_engine_state(0x62);  // STOP timeout: SCL held low
        chip.cancel_frees_engine = false;
        const std::string msg = testsupport::error_of([&] { bridge(chip); });
        CHECK(msg.find("stays busy (state 0x62)") != std::string::npos);
        CHECK(msg.find("pull-ups") != std::string::npos);
        CHECK_THROWS_AS(bridge(chip), OpenError);
    }
}

TEST_CASE("mcp2221: a stale report queued before open is dropped, not taken for an answer") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedMcp2221 chip(target);
    // A Get I2C Data answer an earlier session never collected, holding a plausible frame.
    Bytes stale(64, 0);
    stale[0] = 0x40;
    stale[3] = 7;
    const Bytes refused{0x01, 0x05, 0x00, 0x00, 0xFA, 0xFF, 0x17};  // ERROR_CMD
    std::copy(refused.begin(), refused.end(), stale.begin() + 4);
    chip.input.push_back(stale);
    Bytes stale_status(64, 0);
    stale_status[0] = 0x10;
    stale_status[8] = 0x25;
    chip.input.push_back(stale_status);
    PolledBusTransport t(bridge(chip), 64);
    CHECK(chip.input.empty());
    CHECK(chip.cancels == 0);  // the stale status did not make open think the engine was stuck
    const FirmwareJob job = testsupport::signed_job(1);
    const RunResult r = testsupport::program_through(t, job);
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
}

TEST_CASE("mcp2221: a bridge that stops answering ends in an IoError within the timeout") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedMcp2221 chip(target);
    auto port = bridge(chip);
    chip.silent = true;
    const auto t0 = Clock::now();
    const std::string msg = testsupport::error_of([&] { port->write(Bytes{1, 2, 3}); });
    CHECK(msg.find("no answer to command 0x90") != std::string::npos);
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
    // Silent from the start: open fails as an OpenError.
    EmulatedMcp2221 mute(target);
    mute.silent = true;
    CHECK_THROWS_AS(bridge(mute), OpenError);
}

TEST_CASE("mcp2221: speeds the bridge cannot run are refused at open") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedMcp2221 chip(target);
    const std::string msg = testsupport::error_of([&] { bridge(chip, i2c(1000000)); });
    CHECK(msg.find("between 47 kHz and 400 kHz, not 1 MHz") != std::string::npos);
    CHECK(chip.written.empty());  // refused before a report went out
}
