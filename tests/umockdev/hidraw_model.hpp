#pragma once
// A hidraw node as the kernel presents it to user space (<linux/hidraw.h>,
// drivers/hid/hidraw.c): write() sends one output report, read() hands over one input
// report, poll() says whether one is waiting, and the HIDIOC* ioctls give the report
// descriptor, the raw info and name, and feature reports. Behind it sits one of the
// in-process bridge emulations (tests/transports/emulated_*.hpp), so the real hidapi
// (hidraw backend) and the dfuhost code above it run unchanged against it.
//
// How the data path reaches the model: umockdev 0.17 sends read() and write() on a node
// with a handler to the handler (IoctlHandler::read/write), one call at a time, so
// report boundaries are kept. poll() is not wrapped by umockdev: it runs on the node's
// file itself. The node is therefore a FIFO (Testbed::add_fifo_node), and this model
// keeps exactly one byte in it while an input report is queued and none otherwise, so
// hidapi's poll(fd, POLLIN, timeout) waits and wakes as it would on the real node.
#include <linux/input.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulated_hid.hpp"
#include "testbed.hpp"

namespace umock {

// The reports of a HID interface, from which its report descriptor is written: one
// vendor-defined application collection holding each report as `size` bytes (report ID
// not counted). Numbered reports (a report ID on every report) when any ID is not 0;
// the report descriptor then carries Report ID items, which is how the kernel and
// hidapi know that the first byte of each report is its ID.
struct HidLayout {
    enum class Type { input, output, feature };
    struct Report {
        Type type;
        std::uint8_t id;
        std::size_t size;
    };
    std::uint16_t usage_page = 0xFF00;
    std::uint8_t usage = 0x01;
    std::vector<Report> reports;

    bool numbered() const;
    std::optional<std::size_t> size_of(Type type, std::uint8_t id) const;
    std::vector<std::uint8_t> descriptor() const;

    // 64-byte input and output reports without IDs: HID DFU devices, MCP2221A, MCP2210.
    static HidLayout unnumbered64();
    // The CP2112's reports as AN495 lists them (those dfuhost and the emulation use).
    static HidLayout cp2112();
};

// What the kernel knows about the device behind the node (HIDIOCGRAWINFO and the strings).
struct HidIdentity {
    std::uint32_t bus = BUS_USB;
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string name;  // HID_NAME: "Manufacturer Product"
    std::string phys;  // HID_PHYS: "usb-0000:00:14.0-2/input2"
    std::string uniq;  // HID_UNIQ: the USB serial number
};

class HidrawNode final : public IoctlHandler {
public:
    // `devnode` must be a FIFO node of `tb` (add_usb_hid does that). Attach the node to
    // `tb` afterwards: tb.attach(devnode, node).
    HidrawNode(Testbed& tb, const std::string& devnode, testsupport::EmulatedHid& device, HidLayout layout,
               HidIdentity identity);
    ~HidrawNode() override;

    long ioctl(IoctlCall& call) override;
    long read(IoctlCall& call) override;
    long write(IoctlCall& call) override;

    // Uses of the node that the kernel takes but a device would not (a report ID the
    // descriptor does not declare, a report longer than declared). Empty when all was well.
    std::vector<std::string> misuse() const;
    // Output reports written (write()), feature reports set and got, reads served.
    std::size_t writes() const;
    std::size_t feature_calls() const;
    std::size_t reads() const;
    // Input reports put in front of the host's next read (reports of an earlier session).
    void queue_input(std::vector<std::uint8_t> report);

private:
    long set_feature(IoctlCall& call, std::size_t len);
    long get_feature(IoctlCall& call, std::size_t len);
    long copy_string(IoctlCall& call, std::size_t len, const std::string& text);
    void check_report(HidLayout::Type type, const std::vector<std::uint8_t>& report);
    void sync_doorbell();

    testsupport::EmulatedHid& device_;
    HidLayout layout_;
    std::vector<std::uint8_t> descriptor_;
    HidIdentity identity_;
    int fifo_ = -1;
    bool doorbell_ = false;
    mutable std::mutex mutex_;  // the handlers run on umockdev's worker thread
    std::vector<std::string> misuse_;
    std::size_t writes_ = 0;
    std::size_t feature_calls_ = 0;
    std::size_t reads_ = 0;
};

}  // namespace umock
