#include "transports/hid_kernel_driver.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace dfu::transports {
namespace {
namespace fs = std::filesystem;

// "0003:04D8:00DD.0005": bus, vendor, product, instance, in hex.
bool hid_id_matches(const std::string& name, std::uint16_t vid, std::uint16_t pid) {
    unsigned bus = 0, v = 0, p = 0, instance = 0;
    char tail = 0;
    if (std::sscanf(name.c_str(), "%x:%x:%x.%x%c", &bus, &v, &p, &instance, &tail) != 4) return false;
    return v == vid && p == pid;
}

std::string uevent_value(const fs::path& uevent, std::string_view key) {
    std::ifstream in(uevent);
    std::string line;
    while (std::getline(in, line))
        if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == '=')
            return line.substr(key.size() + 1);
    return {};
}

// The first child named prefix + number, as a /dev path: "hidraw3" -> "/dev/hidraw3".
std::string first_child_node(const fs::path& dir, std::string_view prefix) {
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
            std::all_of(n.begin() + static_cast<std::ptrdiff_t>(prefix.size()), n.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))
            names.push_back(n);
    }
    if (names.empty()) return {};
    std::sort(names.begin(), names.end());
    return "/dev/" + names.front();
}

}  // namespace

std::vector<KernelBoundHid> hid_devices_bound_to(std::string_view driver, std::uint16_t vid, std::uint16_t pid,
                                                 const std::string& sysfs_root) {
    std::vector<KernelBoundHid> out;
    const fs::path driver_dir = fs::path(sysfs_root) / "bus" / "hid" / "drivers" / std::string(driver);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(driver_dir, ec)) {
        const std::string name = e.path().filename().string();
        if (!hid_id_matches(name, vid, pid)) continue;
        const fs::path dev = fs::path(sysfs_root) / "bus" / "hid" / "devices" / name;
        KernelBoundHid b;
        b.hid_id = name;
        b.serial = uevent_value(dev / "uevent", "HID_UNIQ");
        b.hidraw = first_child_node(dev / "hidraw", "hidraw");
        b.i2c_adapter = first_child_node(dev, "i2c-");
        out.push_back(std::move(b));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.hid_id < b.hid_id; });
    return out;
}

}  // namespace dfu::transports
