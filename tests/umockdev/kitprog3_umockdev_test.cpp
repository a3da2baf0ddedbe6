// The real libusb code of the KitProg3 bridge under umockdev: a testbed /sys and /dev with a
// KitProg3 whose usbfs node is answered in this process (kitprog3_usbfs_model.hpp), the
// emulated KitProg3 bridge (kitprog3_emulator.hpp) behind its bulk endpoints, and the
// responder core behind that. Enumeration, string descriptors, interface choice, claim,
// bulk transfers, timeouts (URB discard) and release all run through libusb as in use.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/flasher.hpp"
#include "firmware_jobs.hpp"
#include "kitprog3_fixtures.hpp"
#include "testbed.hpp"
#include "transports/kitprog3.hpp"
#include "transports/polled_bus_transport.hpp"
#include "transports/usb_libusb.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::BusTarget;
using umock_kp3::kBridgeIn;
using umock_kp3::kBridgeOut;
using umock_kp3::Probe;
using Bytes = std::vector<std::uint8_t>;

namespace {

KitProg3Timing short_timing() {
    KitProg3Timing t;
    t.reply = std::chrono::milliseconds(100);
    t.transfer = std::chrono::milliseconds(300);
    t.send = std::chrono::milliseconds(100);
    t.drain = std::chrono::milliseconds(1);
    return t;
}

}  // namespace

TEST_CASE("kitprog3 umockdev: libusb lists the probe with serial, path, product and capabilities") {
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.add_to(tb);

    const auto found = find_kitprogs();
    REQUIRE(found.size() == 1);
    CHECK(found[0].kind == "kitprog3");
    CHECK(found[0].usb.vid == 0x04B4);
    CHECK(found[0].usb.pid == 0xF155);
    CHECK(found[0].usb.serial == "0A1B2C3D");
    CHECK(found[0].usb.path == "1-2");
    CHECK(found[0].usb.description == "KitProg3 CMSIS-DAP");
    CHECK(found[0].capabilities == std::vector<std::string>{"i2c", "spi"});
    CHECK(found[0].note.empty());
    const auto seen = probe.usbfs.seen();
    CHECK(seen.claimed == std::vector<unsigned>{1});  // the bridge, not CMSIS-DAP
    CHECK(seen.released == std::vector<unsigned>{1});
    CHECK(seen.string_requests > 0);
    CHECK(probe.kit.commands.at(0) == Bytes{0x90});
}

TEST_CASE("kitprog3 umockdev: the flasher programs through libusb, the bridge and I2C byte for byte") {
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.target.busy_reads = 2;
    probe.kit.wait_replies = 2;
    probe.add_to(tb);

    I2cSettings s;
    s.device = "kitprog3:0A1B2C3D";
    s.speed_hz = 400000;
    {
        auto port = open_kitprog3_i2c(s);
        CHECK(port->description() == "i2c KitProg3 CMSIS-DAP 0A1B2C3D at 1-2 @ 0x0C, 400 kHz");
        PolledBusTransport t(std::move(port), 64);
        FirmwareJob job = testsupport::jobs::make_job(2);
        testsupport::jobs::sign(job, 1000);
        EngineOptions o;
        o.error_holdoff = std::chrono::milliseconds(0);
        o.timeout = std::chrono::milliseconds(500);
        EventSink quiet;
        Flasher f(t, job, o, quiet);
        CHECK(f.run(Action::program).app_valid == true);
        testsupport::jobs::check_flash_has(probe.target.flash(), job);
    }
    CHECK(probe.kit.violations.empty());
    CHECK(probe.kit.i2c_speed_index == 2);
    const auto seen = probe.usbfs.seen();
    CHECK(seen.claimed == std::vector<unsigned>{1});
    CHECK(seen.released == std::vector<unsigned>{1});
    for (auto ep : seen.bulk_endpoints) CHECK((ep == kBridgeOut || ep == kBridgeIn));
    CHECK(seen.unhandled.empty());
}

TEST_CASE("kitprog3 umockdev: SPI through libusb") {
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::spi, "SPI0001", "1-3", 7, 0xF152);
    probe.add_to(tb);
    SpiSettings s;
    s.device = "kitprog3";
    auto port = open_kitprog3_spi(s);
    CHECK(port->description() == "spi KitProg3 CMSIS-DAP SPI0001 at 1-3, 1 MHz mode 0");
    PolledBusTransport t(std::move(port), 64);
    FirmwareJob job = testsupport::jobs::make_job(1);
    EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    EventSink quiet;
    Flasher f(t, job, o, quiet);
    f.run(Action::program);
    testsupport::jobs::check_flash_has(probe.target.flash(), job);
    CHECK(probe.kit.violations.empty());
}

TEST_CASE("kitprog3 umockdev: a silent bridge times out through libusb's URB discard") {
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.kit.silent = true;
    probe.add_to(tb);
    LibusbBackend usb;
    I2cSettings s;
    s.device = "kitprog3";
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(usb, s, short_timing()),
                         doctest::Contains("no answer to capabilities (0x90) within 100 ms"), OpenError);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    CHECK(probe.usbfs.seen().discarded >= 1);
    CHECK(probe.usbfs.seen().released == std::vector<unsigned>{1});  // the interface is given back
}

TEST_CASE("kitprog3 umockdev: the dual-UART PID is listed with its note and refused") {
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "DUAL0001", "1-4", 9, umock_kp3::kDualUartPid);
    probe.add_to(tb);
    const auto found = find_kitprogs();
    REQUIRE(found.size() == 1);
    CHECK(found[0].usb.serial == "DUAL0001");
    CHECK(found[0].note == "dual-UART mode: no I2C/SPI bridge");
    I2cSettings s;
    s.device = "kitprog3:DUAL0001";
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(s), doctest::Contains("dual-UART mode (PID f166)"), OpenError);
    CHECK(probe.usbfs.seen().claimed.empty());
}
