#pragma once
// The USB bulk seam over libusb-1.0: one libusb context for the backend and every device
// it opens, enumeration by VID/PID with serial number, port path and product string, and
// an opened device that owns its claimed interface until it is destroyed.
#include <memory>

#include "transports/usb_bulk_device.hpp"

namespace dfu::transports {

class LibusbBackend final : public UsbBulkBackend {
public:
    // Throws OpenError when libusb cannot start (no USB support in this system).
    LibusbBackend();
    ~LibusbBackend() override;

    std::vector<UsbDeviceEntry> list(std::uint16_t vid, std::span<const std::uint16_t> pids) override;
    std::unique_ptr<UsbBulkDevice> open(const UsbDeviceEntry& entry, const BulkInterfaceChoice& choice) override;

    struct Context;  // the libusb context, shared with the devices opened from it

private:
    std::shared_ptr<Context> context_;
};

}  // namespace dfu::transports
