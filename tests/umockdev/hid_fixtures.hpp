#pragma once
// Sysfs and /dev as Linux shows a USB HID interface with its hidraw node: the USB device
// (idVendor, idProduct, serial, manufacturer, product), its interface, the HID device
// (uevent HID_ID/HID_NAME/HID_UNIQ/HID_PHYS, report_descriptor) and the hidraw class
// device, whose `device` link leads back to the HID device, which is how hidapi's
// hid_enumerate() finds its way up. Plus the node itself, as a FIFO for HidrawNode.
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "hidraw_model.hpp"
#include "testbed.hpp"

namespace umock {

struct UsbHidSpec {
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string serial;
    std::string manufacturer;
    std::string product;
    unsigned port = 1;              // the device is 1-<port> on USB bus 1
    unsigned interface_number = 0;  // bInterfaceNumber of the HID interface
    unsigned hidraw = 0;            // /dev/hidraw<N>
    HidLayout layout = HidLayout::unnumbered64();

    std::string devnode() const { return "/dev/hidraw" + std::to_string(hidraw); }
    HidIdentity identity() const {
        return {BUS_USB,
                vid,
                pid,
                manufacturer + " " + product,
                fmt::format("usb-0000:00:14.0-{}/input{}", port, interface_number),
                serial};
    }
};

// The major number hidraw gets on a typical machine (it is dynamic).
constexpr unsigned kHidrawMajor = 244;

// The HID device's name in /sys/bus/hid/devices: "0003:04D8:00DD.0001". The kernel numbers
// HID devices in the order they appear; the node number will do.
inline std::string hid_device_name(const UsbHidSpec& s) {
    return fmt::format("0003:{:04X}:{:04X}.{:04X}", s.vid, s.pid, s.hidraw + 1);
}

// Adds the device's sysfs entries and its /dev/hidrawN FIFO; returns the node's path. A
// second interface of the same device (same port) shares the USB device entry.
inline std::string add_usb_hid(Testbed& tb, const UsbHidSpec& s) {
    const std::string usb = fmt::format("/devices/pci0000:00/0000:00:14.0/usb1/1-{}", s.port);
    const std::string intf = fmt::format("{}/1-{}:1.{}", usb, s.port, s.interface_number);
    const std::string hid_name = hid_device_name(s);
    const std::string hid = intf + "/" + hid_name;
    const std::string raw = fmt::format("{}/hidraw/hidraw{}", hid, s.hidraw);
    std::string descriptor_hex;
    for (const auto b : s.layout.descriptor()) descriptor_hex += fmt::format("{:02x}", b);
    const HidIdentity id = s.identity();
    if (!std::filesystem::exists(tb.host_path("/sys" + usb)))
        tb.add_from_string(fmt::format(
            "P: {usb}\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: BUSNUM=001\nE: DEVNUM={devnum:03}\n"
            "A: idVendor={vid:04x}\nA: idProduct={pid:04x}\nA: bcdDevice=0100\nA: busnum=1\nA: devnum={devnum}\n"
            "A: manufacturer={manufacturer}\nA: product={product}\nA: serial={serial}\nA: speed=12\n\n",
            fmt::arg("usb", usb), fmt::arg("devnum", s.port + 1), fmt::arg("vid", s.vid), fmt::arg("pid", s.pid),
            fmt::arg("manufacturer", s.manufacturer), fmt::arg("product", s.product), fmt::arg("serial", s.serial)));
    tb.add_from_string(fmt::format(
        "P: {intf}\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: INTERFACE=3/0/0\n"
        "A: bInterfaceNumber={ifnum:02x}\nA: bInterfaceClass=03\n\n"
        "P: {hid}\nE: SUBSYSTEM=hid\nE: HID_ID=0003:{vid8:08X}:{pid8:08X}\nE: HID_NAME={name}\nE: HID_PHYS={phys}\n"
        "E: HID_UNIQ={serial}\nE: MODALIAS=hid:b0003g0001v{vid8:08X}p{pid8:08X}\nH: report_descriptor={rdesc}\n\n"
        "P: {raw}\nE: SUBSYSTEM=hidraw\nE: DEVNAME={devnode}\nA: dev={major}:{minor}\n"
        "L: device=../../../{hid_name}\n\n",
        fmt::arg("intf", intf), fmt::arg("ifnum", s.interface_number), fmt::arg("hid", hid),
        fmt::arg("vid8", std::uint32_t{s.vid}), fmt::arg("pid8", std::uint32_t{s.pid}), fmt::arg("name", id.name),
        fmt::arg("phys", id.phys), fmt::arg("serial", s.serial), fmt::arg("rdesc", descriptor_hex),
        fmt::arg("raw", raw), fmt::arg("devnode", s.devnode()), fmt::arg("major", kHidrawMajor),
        fmt::arg("minor", s.hidraw), fmt::arg("hid_name", hid_name)));
    tb.add_fifo_node(s.devnode(), fmt::format("{}:{}", kHidrawMajor, s.hidraw));
    return s.devnode();
}

// A kernel HID driver bound to the device (hid_mcp2221 takes an MCP2221A and makes it an
// I2C adapter): /sys/bus/hid/drivers/DRIVER/<hid device>, and the adapter under it.
inline void bind_hid_driver(Testbed& tb, const UsbHidSpec& s, const std::string& driver, unsigned i2c_adapter) {
    const std::string name = hid_device_name(s);
    const std::string hid = fmt::format("/devices/pci0000:00/0000:00:14.0/usb1/1-{}/1-{}:1.{}/{}", s.port, s.port,
                                        s.interface_number, name);
    tb.add_from_string(
        fmt::format("P: {}/i2c-{}\nE: SUBSYSTEM=i2c\nE: DEVTYPE=i2c_adapter\nA: name=MCP2221 usb-i2c bridge\n\n", hid,
                    i2c_adapter));
    const auto devices = tb.host_path("/sys/bus/hid/devices");
    const auto drivers = tb.host_path("/sys/bus/hid/drivers/" + driver);
    std::filesystem::create_directories(devices);
    std::filesystem::create_directories(drivers);
    if (!std::filesystem::exists(std::filesystem::symlink_status(devices / name)))
        std::filesystem::create_directory_symlink("../../.." + hid, devices / name);
    std::filesystem::create_directory_symlink("../../devices/" + name, drivers / name);
}

// A USB HID device in the testbed with its emulation behind the node.
template <typename Emulation>
struct HidFixture {
    template <typename... Args>
    HidFixture(Testbed& tb, const UsbHidSpec& s, Args&&... args)
        : spec(s),
          path(add_usb_hid(tb, s)),
          device(std::forward<Args>(args)...),
          node(tb, path, device, spec.layout, spec.identity()) {
        tb.attach(path, node);
    }
    UsbHidSpec spec;
    std::string path;
    Emulation device;
    HidrawNode node;
};

// The bridges and devices dfuhost drives, as they enumerate (VID:PID, strings, interface).
inline UsbHidSpec hid_dfu_device(const std::string& serial, unsigned port, unsigned hidraw) {
    return {0x058B, 0xF21D, serial, "Infineon Technologies",  "DFU HID Device",
            port,   0,      hidraw, HidLayout::unnumbered64()};
}
inline UsbHidSpec mcp2221(const std::string& serial, unsigned port, unsigned hidraw) {
    // A composite device: CDC (interfaces 0 and 1) and the HID interface 2.
    return {0x04D8, 0x00DD, serial, "Microchip Technology Inc.", "MCP2221 USB-I2C/UART Combo",
            port,   2,      hidraw, HidLayout::unnumbered64()};
}
inline UsbHidSpec cp2112(const std::string& serial, unsigned port, unsigned hidraw) {
    return {0x10C4, 0xEA90, serial, "Silicon Laboratories", "CP2112 HID USB-to-SMBus Bridge",
            port,   0,      hidraw, HidLayout::cp2112()};
}
inline UsbHidSpec mcp2210(const std::string& serial, unsigned port, unsigned hidraw) {
    return {0x04D8, 0x00DE, serial, "Microchip Technology Inc.", "MCP2210 USB to SPI Master",
            port,   0,      hidraw, HidLayout::unnumbered64()};
}

}  // namespace umock
