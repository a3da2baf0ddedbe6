#include "transports/hid_hidapi.hpp"
#include "platform/node_access.hpp"
#include "platform/port_lock.hpp"

#include <hidapi/hidapi.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

namespace dfu::transports {
namespace {

// wchar_t holds UTF-32 code points on Linux; hidapi's strings are USB string
// descriptors, so they are short and mostly ASCII.
std::string to_utf8(const wchar_t* w) {
    std::string out;
    if (w == nullptr) return out;
    for (; *w != 0; ++w) {
        const auto c = static_cast<std::uint32_t>(*w);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string hidapi_error(hid_device* dev) {
    const std::string e = to_utf8(hid_error(dev));
    return e.empty() ? "unknown error" : e;
}

void init_hidapi() {
    static std::once_flag once;
    static int result = 0;
    std::call_once(once, [] { result = hid_init(); });
    if (result != 0) throw OpenError("hidapi could not start (hid_init failed): is hidraw available on this system?");
}

class HidapiDevice final : public HidDevice {
public:
    HidapiDevice(hid_device* dev, platform::NodeLock lock, std::string description)
        : dev_(dev), lock_(std::move(lock)), description_(std::move(description)) {}
    ~HidapiDevice() override { hid_close(dev_); }
    HidapiDevice(const HidapiDevice&) = delete;
    HidapiDevice& operator=(const HidapiDevice&) = delete;

    void write(std::span<const std::uint8_t> report) override {
        const int n = hid_write(dev_, report.data(), report.size());
        if (n < 0 || static_cast<std::size_t>(n) != report.size())
            throw IoError(fmt::format("{}: writing a report failed: {}", description_, hidapi_error(dev_)));
    }

    std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override {
        const int ms = static_cast<int>(std::min<std::chrono::milliseconds::rep>(timeout.count(), INT_MAX));
        const int n = hid_read_timeout(dev_, buffer.data(), buffer.size(), ms);
        if (n < 0) throw IoError(fmt::format("{}: reading a report failed: {}", description_, hidapi_error(dev_)));
        return static_cast<std::size_t>(n);
    }

    void send_feature(std::span<const std::uint8_t> report) override {
        if (hid_send_feature_report(dev_, report.data(), report.size()) < 0)
            throw IoError(fmt::format("{}: sending feature report 0x{:02X} failed: {}", description_, report[0],
                                      hidapi_error(dev_)));
    }

    std::size_t get_feature(std::span<std::uint8_t> buffer) override {
        const int n = hid_get_feature_report(dev_, buffer.data(), buffer.size());
        if (n < 0)
            throw IoError(fmt::format("{}: reading feature report 0x{:02X} failed: {}", description_, buffer[0],
                                      hidapi_error(dev_)));
        return static_cast<std::size_t>(n);
    }

    std::string description() const override { return description_; }

private:
    hid_device* dev_;
    platform::NodeLock lock_;  // hidapi shares no descriptor: the node is held through one of ours
    std::string description_;
};

}  // namespace

std::string hid_permission_advice(std::string_view node) {
    return fmt::format(
        "this user may not read and write {}: install the udev rules shipped in scripts/udev/60-dfuhost.rules "
        "(see README.md#usb-permissions), then unplug and replug the device",
        node);
}

std::vector<HidCandidate> hidapi_enumerate(std::uint16_t vid, std::uint16_t pid) {
    init_hidapi();
    std::vector<HidCandidate> found;
    hid_device_info* list = hid_enumerate(vid, pid);
    for (const hid_device_info* d = list; d != nullptr; d = d->next) {
        if (d->path == nullptr) continue;
        // One node can carry several top-level collections, each listed on its own.
        if (std::any_of(found.begin(), found.end(), [&](const HidCandidate& c) { return c.usb.path == d->path; }))
            continue;
        HidCandidate c;
        c.usb.vid = d->vendor_id;
        c.usb.pid = d->product_id;
        c.usb.serial = to_utf8(d->serial_number);
        c.usb.path = d->path;
        c.usb.description = to_utf8(d->product_string);
        c.interface_number = d->interface_number;
        c.usage_page = d->usage_page;
        c.usage = d->usage;
        found.push_back(std::move(c));
    }
    hid_free_enumeration(list);
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.usb.path < b.usb.path; });
    return found;
}

std::unique_ptr<HidDevice> hidapi_open(const UsbCandidate& device, std::string_view what) {
    init_hidapi();
    platform::NodeLock lock = platform::NodeLock::take(device.path, fmt::format("{} {}", what, device.path));
    hid_device* dev = hid_open_path(device.path.c_str());
    if (dev == nullptr) {
        // hidapi does not keep errno; ask the node itself why.
        if (const int err = platform::node_access_errno(device.path); err != 0) {
            if (err == EACCES || err == EPERM)
                throw OpenError(fmt::format("cannot open {} {}: permission denied; {}", what, device.path,
                                            hid_permission_advice(device.path)));
            throw OpenError(fmt::format("cannot open {} {}: {}", what, device.path, std::strerror(err)));
        }
        throw OpenError(fmt::format("cannot open {} {}: {} (is another program using it?)", what, device.path,
                                    hidapi_error(nullptr)));
    }
    std::string description = device.path;
    if (!device.description.empty()) description += " (" + device.description + ")";
    auto opened = std::make_unique<HidapiDevice>(dev, std::move(lock), std::move(description));
    discard_stale_reports(*opened);
    return opened;
}

}  // namespace dfu::transports
