// The real open_spidev() in this process against /dev/spidevB.C nodes in a umockdev
// testbed, with a spidev model answering the ioctls and the device responder core on
// the chip select.
#include <doctest/doctest.h>
#include <linux/spi/spi.h>

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "file_access_guard.hpp"
#include "firmware_jobs.hpp"
#include "native_fixtures.hpp"
#include "spidev_model.hpp"
#include "transports/bus_open.hpp"

using namespace dfu;
using namespace dfu::transports;
using namespace testsupport::jobs;
using testsupport::BusTarget;

namespace {

SpiSettings settings(std::uint8_t mode = 0, bool lsb_first = false, unsigned clock = 1000000,
                     std::string device = "/dev/spidev0.0") {
    SpiSettings s;
    s.device = std::move(device);
    s.mode = mode;
    s.lsb_first = lsb_first;
    s.clock_hz = clock;
    return s;
}

std::string open_error_text(const SpiSettings& s) {
    try {
        open_spidev(s);
    } catch (const OpenError& e) {
        return e.what();
    }
    FAIL("open_spidev(" << s.device << ") succeeded");
    return {};
}

bool all_ff(const std::vector<std::uint8_t>& v) {
    return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0xFF; });
}

}  // namespace

TEST_CASE("spidev: the Flasher programs a signed image, one SPI_IOC_MESSAGE per transaction") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    BusTarget target(BusTarget::Kind::spi);
    target.busy_reads = 2;
    target.spi_lead_idle = 3;
    umock::SpidevModel spi(target);
    spi.mode = SPI_CS_HIGH;  // set by the device tree: must survive the host's mode change
    tb.attach("/dev/spidev0.0", spi);

    auto port = open_spidev(settings());
    CHECK(port->description() == "spi /dev/spidev0.0 mode 0 (CPOL 0, CPHA 0), 1 MHz, MSB first");
    CHECK(port->max_transfer() == 4096);  // spidev's default bufsiz: no module parameter in this sysfs
    CHECK(spi.mode_now() == SPI_CS_HIGH);
    CHECK(spi.max_speed_hz == 1000000);

    FirmwareJob job = make_job(4);
    sign(job, 1800);
    CHECK(umock::program_over(std::move(port), job).app_valid == true);
    check_flash_has(target.flash(), job);

    std::size_t packets = 0;
    for (const auto& message : spi.messages()) {
        REQUIRE(message.size() == 1);
        const auto& t = message.front();
        CHECK(t.speed_hz == 1000000);
        CHECK(t.bits_per_word == 8);
        CHECK(t.cs_change == 0);
        REQUIRE(t.tx_given);
        if (t.rx_given) {
            CHECK(all_ff(t.mosi));  // polls clock out 0xFF
        } else {
            CHECK(t.mosi == target.writes().at(packets));  // a packet, MISO dropped
            CHECK(t.mosi.size() <= 64);
            ++packets;
        }
    }
    CHECK(packets == target.writes().size());
}

TEST_CASE("spidev: mode 3 and LSB first reach a device that wants them") {
    umock::Testbed tb;
    umock::add_spidev(tb, 1, 2);
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    spi.device_mode = 3;
    spi.device_lsb_first = true;
    tb.attach("/dev/spidev1.2", spi);

    auto port = open_spidev(settings(3, true, 250000, "/dev/spidev1.2"));
    CHECK(port->description() == "spi /dev/spidev1.2 mode 3 (CPOL 1, CPHA 1), 250 kHz, LSB first");
    CHECK(spi.mode_now() == (SPI_CPOL | SPI_CPHA | SPI_LSB_FIRST));
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    CHECK(umock::program_over(std::move(port), job).app_valid == true);
    check_flash_has(target.flash(), job);
}

TEST_CASE("spidev: a bit order the device does not use gets no answer") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    spi.device_lsb_first = true;
    tb.attach("/dev/spidev0.0", spi);

    FirmwareJob job = make_job(1);
    sign(job, 400);
    auto options = umock::fast_engine_options();
    options.timeout = std::chrono::milliseconds(30);
    options.retries = 0;
    CHECK_THROWS_AS(umock::program_over(open_spidev(settings()), job, options), dfu::Error);
    // The device saw bytes, bit-reversed: the packet start 0x01 arrived as 0x80.
    REQUIRE_FALSE(target.writes().empty());
    CHECK(target.writes().front().front() == 0x80);
}

TEST_CASE("spidev: a controller that cannot shift LSB first is refused at open") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    spi.can_lsb_first = false;
    tb.attach("/dev/spidev0.0", spi);

    const std::string text = open_error_text(settings(0, true));
    CHECK(text.find("/dev/spidev0.0: the SPI controller cannot shift LSB first") != std::string::npos);
    CHECK(text.find("--spi-lsb-first") != std::string::npos);
    CHECK_NOTHROW(open_spidev(settings(0, false)));
    CHECK(spi.messages().empty());
}

TEST_CASE("spidev: kernels without SPI_IOC_WR_MODE32 get the 8-bit mode request") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 1);
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    spi.has_mode32 = false;
    spi.device_mode = 1;
    tb.attach("/dev/spidev0.1", spi);
    FirmwareJob job = make_job(1);
    sign(job, 400);
    CHECK(umock::program_over(open_spidev(settings(1, false, 1000000, "/dev/spidev0.1")), job).app_valid == true);
    CHECK(spi.mode_now() == SPI_CPHA);
}

TEST_CASE("spidev: the module's bufsiz caps the transfer and so the packet size") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    tb.write_file("sys/module/spidev/parameters/bufsiz", "48\n");
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    spi.bufsiz = 48;
    tb.attach("/dev/spidev0.0", spi);

    auto port = open_spidev(settings());
    CHECK(port->max_transfer() == 48);
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    auto options = umock::fast_engine_options();
    options.packet_size = 48;  // what `--packet-size` must say for this bus
    CHECK(umock::program_over(std::move(port), job, options).app_valid == true);
    check_flash_has(target.flash(), job);
    for (const auto& message : spi.messages()) CHECK(message.front().mosi.size() <= 48);
}

TEST_CASE("spidev: permission and missing-node errors say what to do") {
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    BusTarget target(BusTarget::Kind::spi);
    umock::SpidevModel spi(target);
    tb.attach("/dev/spidev0.0", spi);
    std::filesystem::permissions(tb.host_path("/dev/spidev0.0"), std::filesystem::perms::none);
    std::string denied;
    {
        umock::FileAccessGuard as_a_user;
        denied = open_error_text(settings());
    }
    CHECK(denied.find("/dev/spidev0.0: permission denied") != std::string::npos);
    CHECK(denied.find("'spi' group") != std::string::npos);
    CHECK(denied.find("scripts/udev/60-dfuhost.rules") != std::string::npos);

    const std::string missing = open_error_text(settings(0, false, 1000000, "/dev/spidev9.7"));
    CHECK(missing.find("/dev/spidev9.7: no such SPI device node") != std::string::npos);
    CHECK(missing.find("modprobe spidev") != std::string::npos);

    CHECK(open_error_text(settings(4)).find("SPI mode 4 does not exist") != std::string::npos);
}

TEST_CASE("spidev: find_spi_nodes lists bus.cs nodes with what they were declared as") {
    umock::Testbed tb;
    umock::add_spidev(tb, 1, 0, "spi:rohm,dh2228fv");
    umock::add_spidev(tb, 0, 1);
    umock::add_spidev(tb, 0, 0);
    tb.add_node("/dev/spidev", "1:3");  // not bus.cs
    const auto nodes = find_spi_nodes();
    REQUIRE(nodes.size() == 3);
    CHECK(nodes[0].path == "/dev/spidev0.0");
    CHECK(nodes[0].name == "spidev");
    CHECK(nodes[1].path == "/dev/spidev0.1");
    CHECK(nodes[2].path == "/dev/spidev1.0");
    CHECK(nodes[2].name == "rohm,dh2228fv");
}
