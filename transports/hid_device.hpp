#pragma once
// The narrow seam under every HID driver (MCP2221A, CP2112, MCP2210, HID DFU devices):
// reports in, reports out. The real one is hidapi over hidraw (hid_hidapi.hpp); tests
// put an emulated bridge here, so everything above it runs unchanged against it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "transports/transport.hpp"

namespace dfu::transports {

class HidDevice {
public:
    virtual ~HidDevice() = default;
    // Sends one output report. report[0] is the report ID: 0x00 for a device without
    // numbered reports (MCP2221A, MCP2210, HID DFU), followed by the report's bytes.
    // Throws IoError.
    virtual void write(std::span<const std::uint8_t> report) = 0;
    // Waits up to `timeout` for one input report and stores it in `buffer` as hidapi
    // delivers it: the report ID comes first only for a device with numbered reports
    // (CP2112). Returns its length, 0 when nothing came in time. Throws IoError.
    virtual std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) = 0;
    // Feature reports, report ID first in both directions. get_feature expects the
    // report ID in buffer[0] and returns the length received, report ID included.
    virtual void send_feature(std::span<const std::uint8_t> report) = 0;
    virtual std::size_t get_feature(std::span<std::uint8_t> buffer) = 0;
    // "/dev/hidraw3 (MCP2221 USB-I2C/UART Combo)": for messages.
    virtual std::string description() const = 0;
};

// Input reports a device sends are queued until read: answers to an earlier session
// (killed mid-transfer) would be taken for answers to ours. Reads them away without
// waiting; returns how many there were.
std::size_t discard_stale_reports(HidDevice& device);

// Reads input reports until one whose first byte is `first` arrives (a bridge's echo
// of the command, or a CP2112 report ID), skipping any other (late answers to an
// earlier command). Fills `report` (zeroed past what arrived) and returns true, or
// false when `deadline` passed first.
bool read_report_starting_with(HidDevice& device, std::uint8_t first, std::span<std::uint8_t> report,
                               Clock::time_point deadline);

}  // namespace dfu::transports
