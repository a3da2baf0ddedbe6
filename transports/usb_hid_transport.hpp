#pragma once
// USB-HID DFU devices (docs/protocol.md, "Transports"): one packet per 64-byte output report,
// zero padded, behind a 0x00 report ID (the device numbers no reports); the response
// comes back alone in one 64-byte input report, zero padded, and is cut out of it by
// its start byte and length field.
#include <memory>
#include <string>

#include "transports/hid_device.hpp"
#include "transports/transport.hpp"

namespace dfu::transports {

class UsbHidTransport final : public Transport {
public:
    static constexpr std::size_t kReport = 64;

    // `description` is what messages call it ("usb-hid 058b:f21d /dev/hidraw4").
    UsbHidTransport(std::unique_ptr<HidDevice> device, std::string description);

    const Capabilities& capabilities() const noexcept override { return caps_; }
    std::string description() const override { return description_; }
    // Throws IoError for a packet longer than one report.
    void send(std::span<const std::uint8_t> packet, Reply reply) override;
    bool receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) override;
    void discard_input() override;
    // Bytes are counted as they cross USB: whole 64-byte reports, padding included.
    const Counters& counters() const noexcept override { return counters_; }

private:
    std::unique_ptr<HidDevice> device_;
    std::string description_;
    Capabilities caps_;
    Counters counters_;
};

// The frame inside one input report: from the first start byte whose length field and
// end byte agree and that fits the report. False when the report holds none.
bool frame_in_report(std::span<const std::uint8_t> report, std::vector<std::uint8_t>& frame);

}  // namespace dfu::transports
