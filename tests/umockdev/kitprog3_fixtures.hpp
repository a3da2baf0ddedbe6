#pragma once
// KitProg3/MiniProg4 probes in a umockdev testbed: the sysfs record and usbfs node libusb
// enumerates, and a Probe bundling the node's ioctl model (kitprog3_usbfs_model.hpp), the
// emulated bridge (kitprog3_emulator.hpp) and the responder core as its I2C/SPI target.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bus_target.hpp"
#include "kitprog3_emulator.hpp"
#include "kitprog3_usbfs_model.hpp"
#include "testbed.hpp"

namespace umock_kp3 {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kBridgeOut = 0x07;
constexpr std::uint8_t kBridgeIn = 0x86;
constexpr std::uint16_t kDualUartPid = 0xF166;

// USB 2.0, 64-byte EP0, VID 04b4, strings 1 (manufacturer), 2 (product), 3 (serial), one configuration.
inline Bytes device_descriptor(std::uint16_t pid) {
    Bytes d{0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xB4, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x03, 0x01};
    d[10] = static_cast<std::uint8_t>(pid & 0xFF);
    d[11] = static_cast<std::uint8_t>(pid >> 8);
    return d;
}

// Device and configuration descriptors. In CMSIS-DAP bulk mode, cut down to the two
// interfaces that look alike: CMSIS-DAP v2 (0) and the bridge (1), both vendor class with
// one bulk OUT and one bulk IN endpoint; only their strings tell them apart. In dual-UART
// mode (PID f166): two CDC-ACM pairs (communication + data) and no vendor interface at all.
inline Bytes descriptors(std::uint16_t pid) {
    Bytes d = device_descriptor(pid);
    Bytes config;
    if (pid == kDualUartPid) {
        config = {
            0x09, 0x02, 0x57, 0x00, 0x04, 0x01, 0x00, 0x80, 0x32,  // 87 bytes, 4 interfaces
            0x09, 0x04, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x00,  // 0: CDC communication (ACM)
            0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x10,              // EP1 IN interrupt 8
            0x09, 0x04, 0x01, 0x00, 0x02, 0x0A, 0x00, 0x00, 0x00,  // 1: CDC data
            0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,              // EP2 OUT bulk 64
            0x07, 0x05, 0x83, 0x02, 0x40, 0x00, 0x00,              // EP3 IN bulk 64
            0x09, 0x04, 0x02, 0x00, 0x01, 0x02, 0x02, 0x01, 0x00,  // 2: CDC communication (ACM)
            0x07, 0x05, 0x84, 0x03, 0x08, 0x00, 0x10,              // EP4 IN interrupt 8
            0x09, 0x04, 0x03, 0x00, 0x02, 0x0A, 0x00, 0x00, 0x00,  // 3: CDC data
            0x07, 0x05, 0x05, 0x02, 0x40, 0x00, 0x00,              // EP5 OUT bulk 64
            0x07, 0x05, 0x86, 0x02, 0x40, 0x00, 0x00,              // EP6 IN bulk 64
        };
    } else {
        config = {
            0x09, 0x02, 0x37,       0x00, 0x02, 0x01, 0x00, 0x80, 0x32,  // 55 bytes, 2 interfaces
            0x09, 0x04, 0x00,       0x00, 0x02, 0xFF, 0x00, 0x00, 0x04,  // interface 0, string 4
            0x07, 0x05, 0x01,       0x02, 0x40, 0x00, 0x00,              // EP1 OUT bulk 64
            0x07, 0x05, 0x82,       0x02, 0x40, 0x00, 0x00,              // EP2 IN bulk 64
            0x09, 0x04, 0x01,       0x00, 0x02, 0xFF, 0x00, 0x00, 0x05,  // interface 1, string 5
            0x07, 0x05, kBridgeOut, 0x02, 0x40, 0x00, 0x00,              // EP7 OUT bulk 64
            0x07, 0x05, kBridgeIn,  0x02, 0x40, 0x00, 0x00,              // EP6 IN bulk 64
        };
    }
    d.insert(d.end(), config.begin(), config.end());
    return d;
}

// /dev/bus/usb/001/DDD of the probe with USB device number `devnum`.
inline std::string node_of(unsigned devnum) {
    char node[32];
    std::snprintf(node, sizeof node, "/dev/bus/usb/001/%03u", devnum);
    return node;
}

// The usb_device in sysfs (on port `port` of bus 1) with its usbfs node holding the descriptors.
inline std::string device_record(const std::string& port, unsigned devnum, std::uint16_t pid, const std::string& serial,
                                 const std::string& product = "KitProg3 CMSIS-DAP") {
    char pidtext[8];
    std::snprintf(pidtext, sizeof pidtext, "%04x", pid);
    const std::string node = node_of(devnum).substr(5);
    const std::string blob = umock::Testbed::record_hex(descriptors(pid));
    return "P: /devices/pci0000:00/0000:00:14.0/usb1/" + port + "\n" + "N: " + node + "=" + blob + "\n" +
           "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DEVNAME=/dev/" + node +
           "\nE: BUSNUM=001\nE: DEVNUM=" + node.substr(12) + "\n" + "A: busnum=1\nA: devnum=" + std::to_string(devnum) +
           "\nA: speed=12\nA: bConfigurationValue=1\nA: bNumConfigurations=1\nA: idVendor=04b4\nA: idProduct=" +
           pidtext + "\nA: serial=" + serial + "\nA: product=" + product + "\nH: descriptors=" + blob + "\n";
}

// One probe: its bus target, bridge emulation and usbfs model. add_to() puts it in the
// testbed. Declare the probe after the testbed, like the other models (README.md).
struct Probe {
    testsupport::BusTarget target;
    testsupport::EmulatedKitProg3 kit;
    UsbfsDeviceModel usbfs;
    std::string port;
    unsigned devnum;
    std::uint16_t pid;

    Probe(testsupport::BusTarget::Kind kind, const std::string& serial, std::string usb_port = "1-2",
          unsigned usb_devnum = 5, std::uint16_t usb_pid = 0xF155, const std::string& product = "KitProg3 CMSIS-DAP")
        : target(kind),
          kit(target),
          usbfs(kit, kBridgeOut, kBridgeIn, strings(serial, product)),
          port(std::move(usb_port)),
          devnum(usb_devnum),
          pid(usb_pid),
          serial_(serial),
          product_(product) {}

    std::string node() const { return node_of(devnum); }

    void add_to(umock::Testbed& tb) {
        tb.add_from_string(device_record(port, devnum, pid, serial_, product_));
        tb.attach(node(), usbfs.base());
    }

    static std::map<std::uint8_t, std::string> strings(const std::string& serial, const std::string& product) {
        return {
            {1, "Cypress Semiconductor"}, {2, product}, {3, serial}, {4, "KitProg3 CMSIS-DAP"}, {5, "KitProg3 bridge"}};
    }

private:
    std::string serial_;
    std::string product_;
};

}  // namespace umock_kp3
