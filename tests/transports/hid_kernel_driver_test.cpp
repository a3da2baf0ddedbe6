// An MCP2221A held by the kernel driver hid_mcp2221, seen through a sysfs tree made
// by the test, and the udev rules covering every device of issue 4.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <unistd.h>

#include "transports/hid_kernel_driver.hpp"
#include "transports/mcp2221.hpp"

using namespace dfu::transports;
namespace fs = std::filesystem;

namespace {

// The parts of /sys that tell which driver holds a HID device.
struct FakeSysfs {
    fs::path root;
    FakeSysfs() : root(fs::temp_directory_path() / ("dfuhost-sysfs-" + std::to_string(::getpid()))) {
        fs::remove_all(root);
        fs::create_directories(root / "bus/hid/drivers/mcp2221");
        fs::create_directories(root / "bus/hid/devices");
    }
    ~FakeSysfs() { fs::remove_all(root); }

    void bind(const std::string& driver, const std::string& id, const std::string& serial, const std::string& hidraw,
              const std::string& i2c) {
        const fs::path dev = root / "bus/hid/devices" / id;
        fs::create_directories(dev);
        std::ofstream(dev / "uevent") << "DRIVER=" << driver << "\nHID_ID=0003:000004D8:000000DD\nHID_NAME=MCP2221\n"
                                      << "HID_UNIQ=" << serial << "\nMODALIAS=hid:b0003g0000v000004D8p000000DD\n";
        if (!hidraw.empty()) fs::create_directories(dev / "hidraw" / hidraw);
        if (!i2c.empty()) fs::create_directories(dev / i2c);
        fs::create_directories(root / "bus/hid/drivers" / driver);
        fs::create_directory_symlink(fs::path("../../devices") / id, root / "bus/hid/drivers" / driver / id);
    }
};

}  // namespace

TEST_CASE("hid kernel driver: bound MCP2221A devices are found with serial, hidraw and I2C adapter") {
    FakeSysfs sys;
    sys.bind("mcp2221", "0003:04D8:00DD.0005", "0001234567", "", "i2c-7");
    sys.bind("mcp2221", "0003:04D8:00DD.0009", "", "hidraw3", "i2c-8");
    sys.bind("cp2112", "0003:10C4:EA90.0002", "CP1", "hidraw1", "i2c-3");
    const auto held = hid_devices_bound_to("mcp2221", 0x04D8, 0x00DD, sys.root.string());
    REQUIRE(held.size() == 2);
    CHECK(held[0].hid_id == "0003:04D8:00DD.0005");
    CHECK(held[0].serial == "0001234567");
    CHECK(held[0].hidraw.empty());
    CHECK(held[0].i2c_adapter == "/dev/i2c-7");
    CHECK(held[1].hidraw == "/dev/hidraw3");
    CHECK(hid_devices_bound_to("mcp2221", 0x10C4, 0xEA90, sys.root.string()).empty());
    CHECK(hid_devices_bound_to("mcp2221", 0x04D8, 0x00DD, (sys.root / "nowhere").string()).empty());
}

TEST_CASE("hid kernel driver: list shows a held MCP2221A with no capability and a note") {
    FakeSysfs sys;
    sys.bind("mcp2221", "0003:04D8:00DD.0005", "0001234567", "", "i2c-7");
    const auto found = find_mcp2221_bridges(sys.root.string());
    REQUIRE(found.size() == 1);
    CHECK(found[0].kind == "mcp2221");
    CHECK(found[0].usb.serial == "0001234567");
    CHECK(found[0].usb.path == "0003:04D8:00DD.0005");
    CHECK(found[0].capabilities.empty());
    CHECK(found[0].note == "held by the kernel driver hid_mcp2221 (its I2C adapter: /dev/i2c-7)");
}

TEST_CASE("hid kernel driver: the advice names the adapter, the blacklist and the udev rules") {
    KernelBoundHid held{"0003:04D8:00DD.0005", "0001234567", "", "/dev/i2c-7"};
    const std::string advice = mcp2221_kernel_driver_advice(held);
    CHECK(advice.find("0003:04D8:00DD.0005") != std::string::npos);
    CHECK(advice.find("--i2c /dev/i2c-7") != std::string::npos);
    CHECK(advice.find("blacklist hid_mcp2221") != std::string::npos);
    CHECK(advice.find("modprobe -r hid_mcp2221") != std::string::npos);
    CHECK(advice.find("scripts/udev/60-dfuhost.rules") != std::string::npos);
}

TEST_CASE("udev rules: every VID:PID of the issue has a usb and a hidraw rule") {
    std::ifstream in(DFUHOST_UDEV_RULES);
    REQUIRE(in.good());
    std::set<std::string> usb, hidraw;
    const std::regex usb_rule(
        R"re(^SUBSYSTEM=="usb", ENV\{DEVTYPE\}=="usb_device", ATTR\{idVendor\}=="([0-9a-f]{4})", ATTR\{idProduct\}=="([0-9a-f]{4})", MODE="0660", GROUP="plugdev", TAG\+="uaccess"$)re");
    const std::regex hidraw_rule(
        R"re(^SUBSYSTEM=="hidraw", KERNEL=="hidraw\*", ATTRS\{idVendor\}=="([0-9a-f]{4})", ATTRS\{idProduct\}=="([0-9a-f]{4})", MODE="0660", GROUP="plugdev", TAG\+="uaccess"$)re");
    // The native bus nodes go to the groups open_dev_node()'s advice names.
    const std::string i2c_rule = R"(SUBSYSTEM=="i2c-dev", KERNEL=="i2c-[0-9]*", MODE="0660", GROUP="i2c")";
    const std::string spi_rule = R"(SUBSYSTEM=="spidev", KERNEL=="spidev*", MODE="0660", GROUP="spi")";
    int native = 0;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (std::regex_match(line, m, usb_rule))
            usb.insert(m[1].str() + ":" + m[2].str());
        else if (std::regex_match(line, m, hidraw_rule))
            hidraw.insert(m[1].str() + ":" + m[2].str());
        else if (line == i2c_rule || line == spi_rule)
            ++native;
        else
            FAIL_CHECK("unexpected rule line: " << line);
    }
    CHECK(native == 2);
    for (const char* id : {"04b4:f154", "04b4:f155", "04b4:f166", "04b4:f168", "04b4:f169", "04b4:f16a", "04b4:f151",
                           "04b4:f152", "04d8:00dd", "10c4:ea90", "04d8:00de", "058b:f21d", "04b4:f21d"}) {
        CAPTURE(id);
        CHECK(usb.count(id) == 1);
        CHECK(hidraw.count(id) == 1);
    }
}
