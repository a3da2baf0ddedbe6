#pragma once
// The narrow seam under USB bridges that speak over a pair of bulk endpoints (KitProg3 /
// MiniProg4): one OUT transfer, one IN transfer, each with its own timeout. libusb sits
// behind it in use; tests put an emulated bridge, or libusb under umockdev, behind it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "transports/device_match.hpp"

namespace dfu::transports {

class UsbBulkDevice {
public:
    virtual ~UsbBulkDevice() = default;
    // One bulk OUT transfer holding all of `data`. Throws IoError when it fails or does
    // not complete within `timeout`.
    virtual void write(std::span<const std::uint8_t> data, std::chrono::milliseconds timeout) = 0;
    // One bulk IN transfer into `buffer`: the number of bytes received, 0 when nothing
    // arrived within `timeout`. Throws IoError when the transfer fails.
    virtual std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) = 0;
    // wMaxPacketSize of the endpoints, from the descriptors: the largest command or
    // reply that travels as one USB packet.
    virtual std::size_t packet_size() const noexcept = 0;
    // "KitProg3 1A2B3C4D at 1-2.4": for messages and logs.
    virtual std::string description() const = 0;
};

// One USB device of interest as enumeration sees it, before it is opened.
struct UsbDeviceEntry {
    UsbCandidate usb;
    std::uint8_t bus = 0;
    std::uint8_t address = 0;
    std::string node;     // "/dev/bus/usb/001/005": what a permission problem is about
    std::string problem;  // why its strings could not be read (then serial is empty)
};

// Which interface of the device is wanted: a vendor-specific one with exactly one bulk IN
// and one bulk OUT endpoint; when several qualify, the one whose interface string holds
// `name_hint`, else the only one whose string does not hold `name_avoid`.
struct BulkInterfaceChoice {
    std::uint8_t interface_class = 0xFF;
    std::string name_hint;   // "bridge"
    std::string name_avoid;  // "CMSIS-DAP"
    std::string what;        // "I2C/SPI bridge interface": for messages
};

// The USB stack as the bridge drivers need it: list devices by VID and PIDs, open one.
// libusb in use (usb_libusb.hpp); a table of emulated bridges in tests.
class UsbBulkBackend {
public:
    virtual ~UsbBulkBackend() = default;
    virtual std::vector<UsbDeviceEntry> list(std::uint16_t vid, std::span<const std::uint16_t> pids) = 0;
    // Throws OpenError naming the device (and its node) and saying what to do.
    virtual std::unique_ptr<UsbBulkDevice> open(const UsbDeviceEntry& entry, const BulkInterfaceChoice& choice) = 0;
};

}  // namespace dfu::transports
