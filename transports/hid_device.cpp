#include "transports/hid_device.hpp"

#include <algorithm>
#include <array>

namespace dfu::transports {
namespace {
// A device that streams reports without end must not keep open() busy forever.
constexpr std::size_t kMaxStaleReports = 1024;
constexpr std::size_t kLargestReport = 64 + 1;  // full-speed interrupt packet + report ID

std::chrono::milliseconds time_left(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}
}  // namespace

std::size_t discard_stale_reports(HidDevice& device) {
    std::array<std::uint8_t, kLargestReport> scratch{};
    std::size_t dropped = 0;
    while (dropped < kMaxStaleReports && device.read(scratch, std::chrono::milliseconds(0)) > 0) ++dropped;
    return dropped;
}

bool read_report_starting_with(HidDevice& device, std::uint8_t first, std::span<std::uint8_t> report,
                               Clock::time_point deadline) {
    for (;;) {
        const auto wait = time_left(deadline);
        std::fill(report.begin(), report.end(), 0);
        const std::size_t n = device.read(report, wait);
        if (n > 0 && report[0] == first) return true;
        if (wait.count() == 0) return false;
    }
}

}  // namespace dfu::transports
