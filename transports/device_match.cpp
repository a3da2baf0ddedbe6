#include "transports/device_match.hpp"

#include <vector>

#include <fmt/format.h>

#include "transports/transport.hpp"

namespace dfu::transports {
namespace {
std::string list_candidates(std::span<const UsbCandidate> c) {
    std::string out;
    for (const auto& d : c)
        out += fmt::format("\n  {:04x}:{:04x}  serial {}  path {}  {}", d.vid, d.pid,
                           d.serial.empty() ? "(none)" : d.serial, d.path, d.description);
    return out;
}
}  // namespace

const UsbCandidate& choose_device(std::span<const UsbCandidate> found, std::string_view selector, std::string_view what,
                                  std::string_view keyword) {
    std::vector<const UsbCandidate*> match;
    for (const auto& d : found)
        if (selector.empty() || d.serial == selector || d.path == selector) match.push_back(&d);
    if (match.size() == 1) return *match.front();
    if (found.empty())
        throw OpenError(
            fmt::format("no {} found: check the cable, and run `dfuhost list` to see what is connected", what));
    if (match.empty())
        throw OpenError(
            fmt::format("no {} with serial number or path '{}'; found:{}", what, selector, list_candidates(found)));
    std::vector<UsbCandidate> ambiguous;
    for (const auto* m : match) ambiguous.push_back(*m);
    throw OpenError(fmt::format("{} {} devices match: name one as {}:SERIAL or {}:PATH:{}", match.size(), what, keyword,
                                keyword, list_candidates(ambiguous)));
}

std::pair<std::string, std::string> split_selector(std::string_view device) {
    const auto colon = device.find(':');
    if (colon == std::string_view::npos) return {std::string(device), {}};
    return {std::string(device.substr(0, colon)), std::string(device.substr(colon + 1))};
}

}  // namespace dfu::transports
