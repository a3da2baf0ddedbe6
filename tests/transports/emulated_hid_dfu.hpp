#pragma once
// A USB-HID DFU device (docs/protocol.md, "Transports"): the device-firmware responder core
// behind 64-byte reports without report IDs. It finds the packet in the zero-padded
// output report by its header, as a device's HID port does, and answers in one
// zero-padded 64-byte input report.
#include <cstdint>
#include <string>

#include "emulated_hid.hpp"
#include "inprocess_device.hpp"

namespace testsupport {

class EmulatedHidDfu final : public EmulatedHid {
public:
    explicit EmulatedHidDfu(dfu_config cfg = InProcessDevice::default_config()) : device_(cfg) {}

    // Answers lost on the way back from this packet on (0-based), for this many packets.
    std::size_t lose_answers_from = SIZE_MAX;
    std::size_t lose_answers_count = 0;

    std::string protocol_error;
    std::vector<std::uint8_t>& flash() { return device_.flash(); }
    std::size_t packets() const { return packets_; }

protected:
    void on_output(const Bytes& report) override {
        if (report.size() != 65 || report[0] != 0x00) {
            protocol_error = "output report is not 0x00 + 64 bytes";
            return;
        }
        const std::uint8_t* p = report.data() + 1;
        const std::size_t n = std::size_t{p[2]} | std::size_t{p[3]} << 8;
        if (p[0] != 0x01 || n + 7 > 64) {
            protocol_error = "output report does not start with a packet that fits it";
            return;
        }
        if (std::any_of(p + n + 7, p + 64, [](std::uint8_t b) { return b != 0; }))
            protocol_error = "output report is not zero padded";
        const std::size_t index = packets_++;
        device_.send(std::span(p, n + 7), dfu::transports::Reply::expected);
        std::vector<std::uint8_t> frame;
        if (!device_.receive(frame, {})) return;
        if (index >= lose_answers_from && index < lose_answers_from + lose_answers_count) return;
        Bytes in(64, 0);
        std::copy(frame.begin(), frame.end(), in.begin());
        answer(std::move(in));
    }

private:
    InProcessDevice device_;
    std::size_t packets_ = 0;
};

}  // namespace testsupport
