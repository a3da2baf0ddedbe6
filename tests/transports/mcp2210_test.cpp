// MCP2210: report encodings from the datasheet, and the real Flasher programming an
// emulated MCP2210 whose SPI pins reach the responder core.
#include <doctest/doctest.h>

#include "bus_target.hpp"
#include "emulated_mcp2210.hpp"
#include "flash_through.hpp"
#include "transports/mcp2210.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::BusTarget;
using testsupport::Bytes;
using testsupport::EmulatedMcp2210;

namespace {

SpiSettings spi(unsigned clock = 1000000, std::uint8_t mode = 0) {
    SpiSettings s;
    s.device = "mcp2210";
    s.clock_hz = clock;
    s.mode = mode;
    return s;
}

std::unique_ptr<Mcp2210Spi> bridge(EmulatedMcp2210& chip, SpiSettings s = spi()) {
    return std::make_unique<Mcp2210Spi>(testsupport::handle(chip), s, "mcp2210 emulated",
                                        std::chrono::milliseconds(200));
}

}  // namespace

TEST_CASE("mcp2210: report encodings follow the datasheet byte for byte") {
    mcp2210::SpiTransferSettings s;
    s.bit_rate = 12000000;  // the datasheet's example: 00B7 1B00, low byte first
    s.idle_cs = 0x01FF;
    s.active_cs = 0x01FB;
    s.cs_to_data_delay = 0x0005;
    s.data_to_cs_delay = 0x0102;
    s.between_bytes_delay = 0x0005;
    s.bytes_per_transaction = 0x04E2;  // the datasheet's 1250-byte example
    s.mode = 3;
    const auto r = mcp2210::set_spi_settings(s);
    CHECK(r.size() == 65);
    CHECK(Bytes(r.begin(), r.begin() + 22) == Bytes{0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x1B, 0xB7, 0x00, 0xFF, 0x01,
                                                    0xFB, 0x01, 0x05, 0x00, 0x02, 0x01, 0x05, 0x00, 0xE2, 0x04, 0x03});
    const auto back = mcp2210::decode_spi_settings(std::span(r).subspan(1));
    CHECK(back.bit_rate == 12000000);
    CHECK(back.bytes_per_transaction == 1250);
    CHECK(back.data_to_cs_delay == 0x0102);

    const auto t = mcp2210::transfer_spi_data(Bytes{0xDE, 0xAD});
    CHECK(Bytes(t.begin(), t.begin() + 8) == Bytes{0x00, 0x42, 0x02, 0x00, 0x00, 0xDE, 0xAD, 0x00});
    CHECK(mcp2210::transfer_spi_data(Bytes(70, 0x55))[2] == 60);  // at most 60 bytes a report
    const auto get = mcp2210::command(0x41);
    CHECK(Bytes(get.begin(), get.begin() + 3) == Bytes{0x00, 0x41, 0x00});
}

TEST_CASE("mcp2210: programs a signed job byte for byte, one chip-select transaction per packet") {
    BusTarget target(BusTarget::Kind::spi);
    target.busy_reads = 2;
    target.spi_lead_idle = 3;
    EmulatedMcp2210 chip(target);
    chip.in_progress_answers = 1;
    chip.started_answers = 2;
    PolledBusTransport t(bridge(chip, spi(4000000, 0)), 64);
    CHECK(chip.bit_rate() == 4000000);
    CHECK(chip.mode() == 0);
    const FirmwareJob job = testsupport::signed_job();
    const RunResult r = testsupport::program_through(t, job);
    CHECK(r.app_valid == true);
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
    CHECK(chip.protocol_error == "");
    CHECK(chip.selected_cs == 0);
    // Every packet the target got was one whole transaction (the frame length set as
    // "bytes per SPI transaction" each time it changed).
    for (const auto& w : target.writes()) {
        CHECK(w.front() == 0x01);
        CHECK(w.back() == 0x17);
    }
    CHECK(std::find(chip.transactions.begin(), chip.transactions.end(), 64) != chip.transactions.end());
}

TEST_CASE("mcp2210: chip select and mode come from the bridge's pins and the options") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedMcp2210 chip(target);
    chip.designation_.fill(0x00);
    chip.designation_[4] = 0x01;  // GP4 is the only chip select
    auto port = bridge(chip, spi(1000000, 3));
    CHECK(port->chip_select() == 4);
    CHECK(chip.mode() == 3);
    CHECK(port->description() == "spi mcp2210 emulated CS4, mode 3, 1 MHz");
    port->write(Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});
    CHECK(chip.selected_cs == 4);
    CHECK(chip.bytes_per_transaction() == 7);

    EmulatedMcp2210 no_cs(target);
    no_cs.designation_.fill(0x00);
    CHECK(testsupport::error_of([&] { bridge(no_cs); }).find("no GP pin is designated as a chip select") !=
          std::string::npos);
}

TEST_CASE("mcp2210: LSB-first, impossible modes and clocks are refused at open") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedMcp2210 chip(target);
    SpiSettings lsb = spi();
    lsb.lsb_first = true;
    const std::string msg = testsupport::error_of([&] { bridge(chip, lsb); });
    CHECK(msg.find("MSB first only") != std::string::npos);
    CHECK(msg.find("--spi-lsb-first") != std::string::npos);
    CHECK_THROWS_AS(bridge(chip, lsb), OpenError);
    CHECK_THROWS_AS(bridge(chip, spi(1000000, 4)), OpenError);
    CHECK(testsupport::error_of([&] { bridge(chip, spi(24000000)); }).find("between 1.5 kHz and 12 MHz") !=
          std::string::npos);
    CHECK(chip.written.empty());
}

TEST_CASE("mcp2210: a transfer left running is cancelled at open, a stale report dropped") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedMcp2210 chip(target);
    chip.leave_transfer_running();
    Bytes stale(64, 0);
    stale[0] = 0x42;
    stale[2] = 7;
    stale[3] = 0x10;
    chip.input.push_back(stale);
    PolledBusTransport t(bridge(chip), 64);
    CHECK(chip.input.empty());
    CHECK(chip.cancels == 1);
    const FirmwareJob job = testsupport::signed_job(1);
    CHECK(testsupport::program_through(t, job).recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
}

TEST_CASE("mcp2210: an external master holding the bus is waited for, then an IoError") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedMcp2210 chip(target);
    auto port = bridge(chip);
    chip.external_master_answers = 3;
    port->write(Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});
    CHECK(target.writes().size() == 1);
    chip.external_master_answers = 1000000;
    const auto t0 = Clock::now();
    const std::string msg = testsupport::error_of([&] { port->write(Bytes{1, 2, 3}); });
    CHECK(msg.find("external SPI master") != std::string::npos);
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
}

TEST_CASE("mcp2210: a bridge that stops answering ends in an IoError") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedMcp2210 chip(target);
    auto port = bridge(chip);
    chip.silent = true;
    std::array<std::uint8_t, 7> buf{};
    CHECK(testsupport::error_of([&] { port->read(buf); }).find("no answer to command 0x42") != std::string::npos);
}
