// The real libusb code of the KitProg3 bridge under umockdev: a testbed /sys and /dev with a
// KitProg3 whose usbfs node is answered in this process (kitprog3_usbfs_model.hpp), the
// emulated KitProg3 bridge (kitprog3_emulator.hpp) behind its bulk endpoints, and the
// responder core behind that. Enumeration, string descriptors, interface choice, claim,
// bulk transfers, timeouts (URB discard) and release all run through libusb as in use.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <umockdev.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bus_target.hpp"
#include "core/flasher.hpp"
#include "firmware_jobs.hpp"
#include "kitprog3_emulator.hpp"
#include "kitprog3_usbfs_model.hpp"
#include "transports/kitprog3.hpp"
#include "transports/polled_bus_transport.hpp"
#include "transports/usb_libusb.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::BusTarget;
using testsupport::EmulatedKitProg3;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::uint8_t kBridgeOut = 0x07;
constexpr std::uint8_t kBridgeIn = 0x86;

// Device and configuration descriptors of a KitProg3 in CMSIS-DAP bulk mode, cut down to
// the two interfaces that look alike: CMSIS-DAP v2 (0) and the bridge (1), both vendor
// class with one bulk OUT and one bulk IN endpoint; only their strings tell them apart.
Bytes descriptors(std::uint16_t pid) {
    Bytes d{0x12,
            0x01,
            0x00,
            0x02,
            0x00,
            0x00,
            0x00,
            0x40,
            0xB4,
            0x04,
            static_cast<std::uint8_t>(pid & 0xFF),
            static_cast<std::uint8_t>(pid >> 8),
            0x00,
            0x01,
            0x01,
            0x02,
            0x03,
            0x01};
    const Bytes config{
        0x09, 0x02, 0x37,       0x00, 0x02, 0x01, 0x00, 0x80, 0x32,  // 55 bytes, 2 interfaces
        0x09, 0x04, 0x00,       0x00, 0x02, 0xFF, 0x00, 0x00, 0x04,  // interface 0, string 4
        0x07, 0x05, 0x01,       0x02, 0x40, 0x00, 0x00,              // EP1 OUT bulk 64
        0x07, 0x05, 0x82,       0x02, 0x40, 0x00, 0x00,              // EP2 IN bulk 64
        0x09, 0x04, 0x01,       0x00, 0x02, 0xFF, 0x00, 0x00, 0x05,  // interface 1, string 5
        0x07, 0x05, kBridgeOut, 0x02, 0x40, 0x00, 0x00,              // EP7 OUT bulk 64
        0x07, 0x05, kBridgeIn,  0x02, 0x40, 0x00, 0x00,              // EP6 IN bulk 64
    };
    d.insert(d.end(), config.begin(), config.end());
    return d;
}

std::string hex_string(const Bytes& b) {
    std::string s;
    char buf[3];
    for (auto x : b) {
        std::snprintf(buf, sizeof buf, "%02X", x);
        s += buf;
    }
    return s;
}

std::string device_record(const std::string& port, unsigned devnum, std::uint16_t pid, const std::string& serial) {
    char node[32], pidtext[8];
    std::snprintf(node, sizeof node, "bus/usb/001/%03u", devnum);
    std::snprintf(pidtext, sizeof pidtext, "%04x", pid);
    const std::string blob = hex_string(descriptors(pid));
    return "P: /devices/pci0000:00/0000:00:14.0/usb1/" + port + "\n" + "N: " + node + "=" + blob + "\n" +
           "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DEVNAME=/dev/" + node +
           "\nE: BUSNUM=001\nE: DEVNUM=" + std::string(node).substr(12) + "\n" +
           "A: busnum=1\nA: devnum=" + std::to_string(devnum) +
           "\nA: speed=12\nA: bConfigurationValue=1\nA: bNumConfigurations=1\nA: idVendor=04b4\nA: idProduct=" +
           pidtext + "\nA: serial=" + serial + "\nA: product=KitProg3 CMSIS-DAP\nH: descriptors=" + blob + "\n";
}

class Testbed {
public:
    Testbed() : tb_(umockdev_testbed_new()) {}
    ~Testbed() { g_object_unref(tb_); }
    Testbed(const Testbed&) = delete;
    Testbed& operator=(const Testbed&) = delete;

    void add(const std::string& record) {
        GError* err = nullptr;
        if (!umockdev_testbed_add_from_string(tb_, record.c_str(), &err)) fail("adding a device", err);
    }
    void attach(const std::string& node, UMockdevIoctlBase* handler) {
        GError* err = nullptr;
        if (!umockdev_testbed_attach_ioctl(tb_, node.c_str(), handler, &err)) fail("attaching to " + node, err);
    }

private:
    [[noreturn]] static void fail(const std::string& what, GError* err) {
        const std::string m = what + ": " + (err ? err->message : "failed");
        if (err) g_error_free(err);
        throw std::runtime_error(m);
    }
    UMockdevTestbed* tb_;
};

// One KitProg3 in the testbed: its usbfs model, bridge emulation and bus target. The
// model is attached after the testbed exists and must outlive it: declare in that order.
struct Probe {
    BusTarget target;
    EmulatedKitProg3 kit;
    umock_kp3::UsbfsDeviceModel usbfs;
    Probe(BusTarget::Kind kind, const std::string& serial)
        : target(kind), kit(target), usbfs(kit, kBridgeOut, kBridgeIn, strings(serial)) {}
    static std::map<std::uint8_t, std::string> strings(const std::string& serial) {
        return {{1, "Cypress Semiconductor"},
                {2, "KitProg3 CMSIS-DAP"},
                {3, serial},
                {4, "KitProg3 CMSIS-DAP"},
                {5, "KitProg3 bridge"}};
    }
};

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
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    Testbed tb;
    tb.add(device_record("1-2", 5, 0xF155, "0A1B2C3D"));
    tb.attach("/dev/bus/usb/001/005", probe.usbfs.base());

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
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.target.busy_reads = 2;
    probe.kit.wait_replies = 2;
    Testbed tb;
    tb.add(device_record("1-2", 5, 0xF155, "0A1B2C3D"));
    tb.attach("/dev/bus/usb/001/005", probe.usbfs.base());

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
    Probe probe(BusTarget::Kind::spi, "SPI0001");
    Testbed tb;
    tb.add(device_record("1-3", 7, 0xF152, "SPI0001"));
    tb.attach("/dev/bus/usb/001/007", probe.usbfs.base());
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
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.kit.silent = true;
    Testbed tb;
    tb.add(device_record("1-2", 5, 0xF155, "0A1B2C3D"));
    tb.attach("/dev/bus/usb/001/005", probe.usbfs.base());
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
    Probe probe(BusTarget::Kind::i2c, "DUAL0001");
    Testbed tb;
    tb.add(device_record("1-4", 9, 0xF166, "DUAL0001"));
    tb.attach("/dev/bus/usb/001/009", probe.usbfs.base());
    const auto found = find_kitprogs();
    REQUIRE(found.size() == 1);
    CHECK(found[0].usb.serial == "DUAL0001");
    CHECK(found[0].note == "dual-UART mode: no I2C/SPI bridge");
    I2cSettings s;
    s.device = "kitprog3:DUAL0001";
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(s), doctest::Contains("dual-UART mode (PID f166)"), OpenError);
    CHECK(probe.usbfs.seen().claimed.empty());
}

int main(int argc, char** argv) {
    // libumockdev-preload must be in the process from its start; a direct run re-executes
    // itself with it (once), ctest sets it in the environment.
    if (!umockdev_in_mock_environment() && !std::getenv("DFU_KP3_UMOCKDEV_REEXEC")) {
        std::string preload = DFU_UMOCKDEV_PRELOAD;
        if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
        ::setenv("LD_PRELOAD", preload.c_str(), 1);
        ::setenv("DFU_KP3_UMOCKDEV_REEXEC", "1", 1);
        ::execv("/proc/self/exe", argv);
        std::perror("re-executing with libumockdev-preload");
        return 1;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
