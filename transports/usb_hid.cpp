#include "transports/usb_hid.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "transports/device_match.hpp"
#include "transports/hid_hidapi.hpp"
#include "transports/usb_hid_transport.hpp"

namespace dfu::transports {
namespace {

struct HidSpec {
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string selector;  // serial number or hidraw path; empty: any
};

// The default device: emUSB's HID DFU identity.
HidSpec default_spec() {
    return {0x058B, 0xF21D, {}};
}

[[noreturn]] void bad_spec(std::string_view spec) {
    throw OpenError(
        fmt::format("--usb-hid '{}': expected VID:PID[:SERIAL] with VID and PID in hex, like 058b:f21d", spec));
}

std::uint16_t hex16(std::string_view text, std::string_view spec) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
    if (text.empty() || text.size() > 4 || ec != std::errc() || ptr != end) bad_spec(spec);
    return static_cast<std::uint16_t>(value);
}

HidSpec parse_spec(std::string_view spec) {
    if (spec.empty()) return default_spec();
    const auto first = spec.find(':');
    if (first == std::string_view::npos) bad_spec(spec);
    const auto second = spec.find(':', first + 1);
    HidSpec s;
    s.vid = hex16(spec.substr(0, first), spec);
    s.pid = hex16(
        spec.substr(first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1), spec);
    if (second != std::string_view::npos) s.selector = std::string(spec.substr(second + 1));
    return s;
}

// A composite device can show several HID interfaces; the DFU one is on a
// vendor-defined usage page (0xFF00 and up; docs/protocol.md, "Transports"), so prefer those
// when any exist.
std::vector<UsbCandidate> dfu_interfaces(const HidSpec& s) {
    const auto all = hidapi_enumerate(s.vid, s.pid);
    const bool any_vendor =
        std::any_of(all.begin(), all.end(), [](const HidCandidate& c) { return c.usage_page >= 0xFF00; });
    std::vector<UsbCandidate> out;
    for (const auto& c : all)
        if (!any_vendor || c.usage_page >= 0xFF00) out.push_back(c.usb);
    return out;
}

}  // namespace

std::unique_ptr<Transport> open_usb_hid(std::string_view spec) {
    const HidSpec s = parse_spec(spec);
    const auto candidates = dfu_interfaces(s);
    const std::string what = fmt::format("USB-HID DFU device {:04x}:{:04x}", s.vid, s.pid);
    const std::string keyword = fmt::format("{:04x}:{:04x}", s.vid, s.pid);
    const UsbCandidate& chosen = choose_device(candidates, s.selector, what, keyword);
    std::string description = fmt::format("usb-hid {:04x}:{:04x} {}", s.vid, s.pid, chosen.path);
    if (!chosen.serial.empty()) description += fmt::format(" (serial {})", chosen.serial);
    return std::make_unique<UsbHidTransport>(hidapi_open(chosen, what), std::move(description));
}

std::vector<FoundBridge> find_usb_hid_devices(std::string_view spec) {
    std::vector<HidSpec> specs;
    if (spec.empty())
        specs = {default_spec(), HidSpec{0x04B4, 0xF21D, {}}};  // emUSB and PDL DFU identities
    else
        specs = {parse_spec(spec)};
    std::vector<FoundBridge> out;
    for (const auto& s : specs)
        for (auto& c : dfu_interfaces(s))
            if (s.selector.empty() || c.serial == s.selector || c.path == s.selector)
                out.push_back({"usb-hid", std::move(c), {"usb-hid"}, {}});
    return out;
}

}  // namespace dfu::transports
