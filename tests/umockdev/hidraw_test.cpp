// The hidraw node model under the real hidapi-hidraw backend, in this process: what
// hid_enumerate() finds in the testbed's sysfs, the kernel's ioctls on the node, one
// report per read and write, poll() waiting for a report, and feature reports on a
// device with numbered reports. The CLI tests (cli_hid_test.cpp) build on this.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>

#include "bus_target.hpp"
#include "emulated_cp2112.hpp"
#include "emulated_hid_dfu.hpp"
#include "emulated_mcp2221.hpp"
#include "hid_fixtures.hpp"
#include "transports/hid_hidapi.hpp"
#include "transports/usb_hid_transport.hpp"

using testsupport::BusTarget;
using testsupport::Bytes;

TEST_CASE("hidraw model: hid_enumerate finds VID:PID, serial, product, interface and usage page in sysfs") {
    umock::Testbed tb;
    const auto a = umock::mcp2221("0001234567", 2, 0);
    const auto b = umock::cp2112("00A1B2C3", 3, 1);
    umock::add_usb_hid(tb, a);
    umock::add_usb_hid(tb, b);

    const auto found = dfu::transports::hidapi_enumerate(0x04D8, 0x00DD);
    REQUIRE(found.size() == 1);
    CHECK(found[0].usb.vid == 0x04D8);
    CHECK(found[0].usb.pid == 0x00DD);
    CHECK(found[0].usb.serial == "0001234567");
    CHECK(found[0].usb.path == "/dev/hidraw0");
    CHECK(found[0].usb.description == "MCP2221 USB-I2C/UART Combo");
    CHECK(found[0].interface_number == 2);
    CHECK(found[0].usage_page == 0xFF00);
    CHECK(found[0].usage == 0x01);

    const auto all = dfu::transports::hidapi_enumerate(0, 0);
    REQUIRE(all.size() == 2);
    CHECK(all[1].usb.path == "/dev/hidraw1");
    CHECK(all[1].usb.serial == "00A1B2C3");
    CHECK(dfu::transports::hidapi_enumerate(0x10C4, 0xEA90).size() == 1);
    CHECK(dfu::transports::hidapi_enumerate(0x058B, 0xF21D).empty());
}

TEST_CASE("hidraw model: two interfaces of one device enumerate with their own usage page and interface") {
    umock::Testbed tb;
    auto keyboard = umock::hid_dfu_device("DFU0001", 1, 0);
    keyboard.layout = {0x0001, 0x06, {{umock::HidLayout::Type::input, 0, 8}}};
    auto vendor = umock::hid_dfu_device("DFU0001", 1, 1);
    vendor.interface_number = 1;
    umock::add_usb_hid(tb, keyboard);
    umock::add_usb_hid(tb, vendor);
    const auto found = dfu::transports::hidapi_enumerate(0x058B, 0xF21D);
    REQUIRE(found.size() == 2);
    CHECK(found[0].usb.path == "/dev/hidraw0");
    CHECK(found[0].interface_number == 0);
    CHECK(found[0].usage_page == 0x0001);
    CHECK(found[0].usage == 0x06);
    CHECK(found[1].usb.path == "/dev/hidraw1");
    CHECK(found[1].interface_number == 1);
    CHECK(found[1].usage_page == 0xFF00);
    CHECK(found[0].usb.serial == found[1].usb.serial);
}

TEST_CASE("hidraw model: the kernel's ioctls give the report descriptor, raw info and strings") {
    umock::Testbed tb;
    const auto spec = umock::cp2112("00A1B2C3", 1, 0);
    BusTarget target(BusTarget::Kind::i2c);
    umock::HidFixture<testsupport::EmulatedCp2112> hid(tb, spec, target);

    const int fd = ::open("/dev/hidraw0", O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    int size = 0;
    REQUIRE(::ioctl(fd, HIDIOCGRDESCSIZE, &size) == 0);
    const auto expected = spec.layout.descriptor();
    CHECK(size == static_cast<int>(expected.size()));
    hidraw_report_descriptor d{};
    d.size = static_cast<__u32>(size);
    REQUIRE(::ioctl(fd, HIDIOCGRDESC, &d) == 0);
    CHECK(Bytes(d.value, d.value + size) == expected);
    // Report ID items: the CP2112 numbers its reports; the Microchip layout does not.
    CHECK(spec.layout.numbered());
    CHECK_FALSE(umock::HidLayout::unnumbered64().numbered());

    hidraw_devinfo info{};
    REQUIRE(::ioctl(fd, HIDIOCGRAWINFO, &info) == 0);
    CHECK(info.bustype == BUS_USB);
    CHECK(static_cast<std::uint16_t>(info.vendor) == 0x10C4);
    CHECK(static_cast<std::uint16_t>(info.product) == 0xEA90);
    char name[128] = {};
    CHECK(::ioctl(fd, HIDIOCGRAWNAME(sizeof name), name) == static_cast<int>(spec.identity().name.size() + 1));
    CHECK(std::string(name) == "Silicon Laboratories CP2112 HID USB-to-SMBus Bridge");

    // Reports shorter than 2 bytes are refused by hidraw itself.
    const std::uint8_t one = 0x15;
    errno = 0;
    CHECK(::write(fd, &one, 1) == -1);
    CHECK(errno == EINVAL);
    ::close(fd);
}

TEST_CASE("hidraw model: one report per write and per read, poll() waits while nothing is queued") {
    umock::Testbed tb;
    const auto spec = umock::hid_dfu_device("DFU-1", 1, 0);
    umock::HidFixture<testsupport::EmulatedHidDfu> hid(tb, spec);
    auto& device = hid.device;
    auto& node = hid.node;
    // An answer left over from an earlier session: hidapi_open must read it away.
    node.queue_input(Bytes(64, 0xEE));

    const auto found = dfu::transports::hidapi_enumerate(0x058B, 0xF21D);
    REQUIRE(found.size() == 1);
    auto dev = dfu::transports::hidapi_open(found[0].usb, "HID DFU device");
    CHECK(node.reads() == 1);

    // Nothing queued: the read waits out its timeout, as poll() on hidraw does.
    std::array<std::uint8_t, 64> in{};
    auto t0 = std::chrono::steady_clock::now();
    CHECK(dev->read(in, std::chrono::milliseconds(60)) == 0);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(55));

    // Enter DFU, 0x00 + 64 bytes: the device answers with one 64-byte report.
    Bytes enter(65, 0);
    const Bytes packet{0x01, 0x38, 0x04, 0x00, 0x04, 0x03, 0x02, 0x01, 0xB6, 0xFF, 0x17};
    std::copy(packet.begin(), packet.end(), enter.begin() + 1);
    dev->write(enter);
    CHECK(node.writes() == 1);
    CHECK(device.written.back() == enter);
    t0 = std::chrono::steady_clock::now();
    REQUIRE(dev->read(in, std::chrono::milliseconds(1000)) == 64);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
    CHECK(in[0] == 0x01);  // the status packet's start byte, no report ID in front
    std::vector<std::uint8_t> frame;
    CHECK(dfu::transports::frame_in_report(in, frame));
    CHECK(dev->read(in, std::chrono::milliseconds(0)) == 0);
    CHECK(device.protocol_error.empty());
    CHECK(node.misuse().empty());
}

TEST_CASE("hidraw model: feature reports with a report ID, and output reports the descriptor does not declare") {
    umock::Testbed tb;
    const auto spec = umock::cp2112("00A1B2C3", 1, 0);
    BusTarget target(BusTarget::Kind::i2c);
    umock::HidFixture<testsupport::EmulatedCp2112> hid(tb, spec, target);
    auto& bridge = hid.device;
    auto& node = hid.node;

    auto dev = dfu::transports::hidapi_open({0x10C4, 0xEA90, "00A1B2C3", "/dev/hidraw0", "CP2112"}, "CP2112");
    std::array<std::uint8_t, 14> config{0x06};
    REQUIRE(dev->get_feature(config) == 14);
    CHECK(config[0] == 0x06);
    CHECK(Bytes(config.begin(), config.end()) == bridge.config());
    config[4] = 0x40;  // 0x000186A0 (100 kHz) becomes 0x00018640
    dev->send_feature(config);
    CHECK(bridge.config() == Bytes(config.begin(), config.end()));
    // A feature report the device does not have: the GET_REPORT stalls.
    std::array<std::uint8_t, 8> other{0x05};
    CHECK_THROWS_AS(dev->get_feature(other), dfu::transports::IoError);

    // Transfer Status Request: 2 bytes out, 7 back with the report ID first.
    dev->write(std::array<std::uint8_t, 2>{0x15, 0x01});
    std::array<std::uint8_t, 64> in{};
    REQUIRE(dev->read(in, std::chrono::milliseconds(1000)) == 7);
    CHECK(in[0] == 0x16);
    CHECK(node.misuse().size() == 1);  // the 0x05 feature report
    dev->write(std::array<std::uint8_t, 3>{0x42, 0x00, 0x00});
    const auto misuse = node.misuse();
    REQUIRE(misuse.size() == 2);
    CHECK(misuse[1].find("no output report 0x42") != std::string::npos);
}
