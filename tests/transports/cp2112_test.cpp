// CP2112: report encodings from AN495, and the real Flasher programming an emulated
// CP2112 whose SMBus pins reach the responder core.
#include <doctest/doctest.h>

#include "bus_target.hpp"
#include "core/error.hpp"
#include "emulated_cp2112.hpp"
#include "flash_through.hpp"
#include "transports/cp2112.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::BusTarget;
using testsupport::Bytes;
using testsupport::EmulatedCp2112;

namespace {

I2cSettings i2c(unsigned speed = 100000) {
    I2cSettings s;
    s.device = "cp2112";
    s.speed_hz = speed;
    return s;
}

std::unique_ptr<Cp2112I2c> bridge(EmulatedCp2112& chip, I2cSettings s = i2c()) {
    return std::make_unique<Cp2112I2c>(testsupport::handle(chip), s, "cp2112 emulated", std::chrono::milliseconds(200));
}

template <typename A>
Bytes bytes(const A& a) {
    return Bytes(a.begin(), a.end());
}

}  // namespace

TEST_CASE("cp2112: report encodings follow AN495 byte for byte") {
    cp2112::SmbusConfig c;
    c.clock_hz = 400000;
    c.device_address = 0x02;
    c.auto_send_read = false;
    c.write_timeout_ms = 0x01F4;
    c.read_timeout_ms = 0x03E8;
    c.scl_low_timeout = true;
    c.retry_time = 1;
    CHECK(bytes(cp2112::encode_smbus_config(c)) ==
          Bytes{0x06, 0x00, 0x06, 0x1A, 0x80, 0x02, 0x00, 0x01, 0xF4, 0x03, 0xE8, 0x01, 0x00, 0x01});
    const auto back = cp2112::decode_smbus_config(cp2112::encode_smbus_config(c));
    CHECK(back.clock_hz == 400000);
    CHECK(back.read_timeout_ms == 1000);
    CHECK(back.retry_time == 1);

    const auto w = cp2112::data_write(0x0C, Bytes{0x11, 0x22, 0x33});
    CHECK(w.size() == 64);
    CHECK(Bytes(w.begin(), w.begin() + 7) == Bytes{0x14, 0x18, 0x03, 0x11, 0x22, 0x33, 0x00});
    CHECK(bytes(cp2112::data_read_request(0x0C, 300)) == Bytes{0x10, 0x18, 0x01, 0x2C});
    CHECK(bytes(cp2112::data_read_force_send(7)) == Bytes{0x12, 0x00, 0x07});
    CHECK(bytes(cp2112::transfer_status_request()) == Bytes{0x15, 0x01});
    CHECK(bytes(cp2112::cancel_transfer()) == Bytes{0x17, 0x01});
}

TEST_CASE("cp2112: open writes the SMBus configuration, keeping the bridge's own address") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedCp2112 chip(target);
    auto port = bridge(chip, i2c(400000));
    CHECK(chip.clock_hz() == 400000);
    CHECK_FALSE(chip.auto_send_read());
    CHECK(chip.retry_time() == 1);  // bounded: a NACK comes back as an error, not a retry loop
    CHECK(chip.read_timeout_ms() == 200);
    CHECK(chip.config()[5] == 0x02);
    CHECK(chip.cancels == 1);
    CHECK(chip.protocol_error == "");
    CHECK(port->max_transfer() == 61);
}

TEST_CASE("cp2112: programs a signed job with 61-byte packets, byte for byte") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 2;
    EmulatedCp2112 chip(target);
    chip.busy_polls = 2;
    chip.read_responses_split = 5;  // the read data comes back in several reports
    PolledBusTransport t(bridge(chip), 600);
    CHECK(t.capabilities().max_packet == 61);
    const FirmwareJob job = testsupport::signed_job();
    const RunResult r = testsupport::program_through(t, job, testsupport::fast_options(61));
    CHECK(r.app_valid == true);
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
    CHECK(chip.protocol_error == "");
    CHECK(*std::max_element(chip.write_lengths.begin(), chip.write_lengths.end()) == 61);
}

TEST_CASE("cp2112: a packet size above 61 is refused before anything is sent") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedCp2112 chip(target);
    PolledBusTransport t(bridge(chip), 600);
    const std::size_t written_at_open = chip.written.size();
    const FirmwareJob job = testsupport::signed_job(1);
    try {
        testsupport::program_through(t, job, testsupport::fast_options(64));
        FAIL("the engine took a 64-byte packet size");
    } catch (const dfu::Error& e) {
        CHECK(e.code() == ExitCode::usage);
        CHECK(std::string(e.what()).find("61 bytes") != std::string::npos);
    }
    CHECK(chip.written.size() == written_at_open);
    // The port itself refuses too, naming the limit.
    auto port = bridge(chip);
    const std::string msg = testsupport::error_of([&] { port->write(Bytes(62, 0x01)); });
    CHECK(msg.find("1 to 61 bytes per transfer, not 62") != std::string::npos);
    CHECK(msg.find("--packet-size 61") != std::string::npos);
}

TEST_CASE("cp2112: NACK on read is 'not ready', NACK on write and bus errors are IoErrors") {
    BusTarget target(BusTarget::Kind::i2c);
    target.nack_when_busy = true;
    target.busy_reads = 100;
    EmulatedCp2112 chip(target);
    auto port = bridge(chip);
    std::array<std::uint8_t, 7> buf{};
    target.write(Bytes{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17});  // the target is now busy answering
    CHECK_FALSE(port->read(buf));

    EmulatedCp2112 elsewhere(target, 0x0D);
    auto other = bridge(elsewhere);
    CHECK(testsupport::error_of([&] {
              other->write(Bytes{1, 2, 3});
          }).find("0x0C not acknowledged (NACK) on write") != std::string::npos);

    chip.fail_with = 0x02;
    const std::string lost = testsupport::error_of([&] { port->write(Bytes{1, 2, 3}); });
    CHECK(lost.find("write failed: arbitration lost") != std::string::npos);
    chip.fail_with = 0x01;
    CHECK(testsupport::error_of([&] { port->read(buf); }).find("bus not free") != std::string::npos);
}

TEST_CASE("cp2112: stale reports from an earlier session are dropped at open") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedCp2112 chip(target);
    chip.input.push_back({0x16, 0x02, 0x05, 0x00, 0x00, 0x00, 0x07});  // "complete, 7 bytes read"
    Bytes stale_data(64, 0);
    stale_data[0] = 0x13;
    stale_data[1] = 0x02;
    stale_data[2] = 7;
    const Bytes refused{0x01, 0x05, 0x00, 0x00, 0xFA, 0xFF, 0x17};  // ERROR_CMD, from an earlier session
    std::copy(refused.begin(), refused.end(), stale_data.begin() + 3);
    chip.input.push_back(stale_data);
    PolledBusTransport t(bridge(chip), 61);
    CHECK(chip.input.empty());
    const FirmwareJob job = testsupport::signed_job(1);
    const RunResult r = testsupport::program_through(t, job, testsupport::fast_options(61));
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(target.flash(), job);
}

TEST_CASE("cp2112: a bridge that stops answering ends in an IoError within the timeout") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedCp2112 chip(target);
    auto port = bridge(chip);
    chip.silent = true;
    const auto t0 = Clock::now();
    std::array<std::uint8_t, 7> buf{};
    CHECK(testsupport::error_of([&] { port->read(buf); }).find("no Transfer Status Response") != std::string::npos);
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
    // Busy for ever: the transfer's own deadline ends it.
    chip.silent = false;
    chip.busy_polls = 1000000;
    CHECK(testsupport::error_of([&] { port->write(Bytes{1}); }).find("write not finished within 200 ms") !=
          std::string::npos);
}
