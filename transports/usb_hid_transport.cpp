#include "transports/usb_hid_transport.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "transports/packet_frame.hpp"

namespace dfu::transports {
bool frame_in_report(std::span<const std::uint8_t> report, std::vector<std::uint8_t>& frame) {
    for (std::size_t at = 0; at + packet_frame::kOverhead <= report.size(); ++at) {
        if (report[at] != packet_frame::kStart) continue;
        const std::size_t n = packet_frame::data_length(report.subspan(at));
        if (at + n + packet_frame::kOverhead > report.size() || report[at + n + packet_frame::kOverhead - 1] != packet_frame::kEnd) continue;
        frame.assign(report.begin() + static_cast<std::ptrdiff_t>(at),
                     report.begin() + static_cast<std::ptrdiff_t>(at + n + packet_frame::kOverhead));
        return true;
    }
    return false;
}

UsbHidTransport::UsbHidTransport(std::unique_ptr<HidDevice> device, std::string description)
    : device_(std::move(device)), description_(std::move(description)) {
    caps_.max_packet = kReport;
    caps_.gap_after_unanswered = std::chrono::microseconds(0);  // reports delimit packets
    discard_stale_reports(*device_);
}

void UsbHidTransport::send(std::span<const std::uint8_t> packet, Reply) {
    if (packet.size() > kReport)
        throw IoError(
            fmt::format("{}: a {}-byte packet does not fit one {}-byte report", description_, packet.size(), kReport));
    std::array<std::uint8_t, kReport + 1> report{};  // report ID 0x00, then the packet, zero padded
    std::copy(packet.begin(), packet.end(), report.begin() + 1);
    device_->write(report);
    counters_.bytes_sent += kReport;
    ++counters_.packets_sent;
}

bool UsbHidTransport::receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) {
    std::array<std::uint8_t, kReport> report{};
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        const auto wait = std::max(left, std::chrono::milliseconds(0));
        report.fill(0);
        const std::size_t n = device_->read(report, wait);
        if (n > 0) {
            counters_.bytes_received += n;
            if (frame_in_report(std::span(report).first(n), frame)) {
                ++counters_.frames_received;
                return true;
            }
            counters_.bytes_discarded += n;  // a report with no whole packet in it
        }
        if (wait.count() == 0) return false;
    }
}

void UsbHidTransport::discard_input() {
    discard_stale_reports(*device_);
}

}  // namespace dfu::transports
