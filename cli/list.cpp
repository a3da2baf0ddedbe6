#include "cli/list.hpp"

#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "cli/result_json.hpp"
#include "transports/bus_bridges.hpp"
#include "transports/serial_list.hpp"
#include "transports/usb_hid.hpp"

namespace dfu::cli {
namespace {

using nlohmann::json;

std::string vid_pid(std::uint16_t vid, std::uint16_t pid) {
    return fmt::format("{:04x}:{:04x}", vid, pid);
}

// One kind of device that cannot be listed (no USB access, a missing library service)
// must not hide the others: its failure becomes a note in the listing.
template <typename F>
auto gather(const char* what, F&& find, std::vector<std::string>& problems) -> decltype(find()) {
    try {
        return find();
    } catch (const std::exception& e) {
        problems.push_back(fmt::format("{}: {}", what, e.what()));
        return {};
    }
}

json usb_json(const transports::UsbCandidate& u) {
    return {{"vid_pid", vid_pid(u.vid, u.pid)}, {"serial", u.serial}, {"path", u.path}, {"description", u.description}};
}

}  // namespace

int run_list(const RawOptions& raw, Reporter& out) {
    std::vector<std::string> problems;
    const auto ports = gather("serial ports", transports::find_serial_ports, problems);
    std::vector<transports::FoundBridge> bridges;
    for (const transports::BusBridge& b : transports::bus_bridges()) {
        if (!b.find) continue;
        auto found = gather(std::string(b.list_name).c_str(), b.find, problems);
        bridges.insert(bridges.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    const auto hid_dfu = gather(
        "USB-HID DFU devices", [] { return transports::find_usb_hid_devices(); }, problems);
    const auto i2c = gather("I2C adapters", transports::find_i2c_nodes, problems);
    const auto spi = gather("SPI devices", transports::find_spi_nodes, problems);

    if (raw.output.json) {
        json j;
        j["serial_ports"] = json::array();
        for (const auto& p : ports) {
            json e{{"name", p.name}, {"description", p.description}, {"usb", p.usb}};
            if (p.usb) e.update({{"vid_pid", vid_pid(p.vid, p.pid)}, {"serial", p.serial}, {"usb_path", p.usb_path}});
            j["serial_ports"].push_back(e);
        }
        j["bridges"] = json::array();
        for (const auto& b : bridges) {
            json e = usb_json(b.usb);
            e.update({{"kind", b.kind}, {"capabilities", b.capabilities}, {"note", b.note}});
            j["bridges"].push_back(e);
        }
        j["usb_hid"] = json::array();
        for (const auto& d : hid_dfu) j["usb_hid"].push_back(usb_json(d.usb));
        j["i2c"] = json::array();
        for (const auto& n : i2c) j["i2c"].push_back({{"path", n.path}, {"name", n.name}});
        j["spi"] = json::array();
        for (const auto& n : spi) j["spi"].push_back({{"path", n.path}, {"name", n.name}});
        j["problems"] = problems;
        out.result(result_json(CommandResult("list", std::move(j))));
        return 0;
    }

    std::string text;
    auto section = [&](const char* title, std::size_t n) {
        text += fmt::format("{}{} ({})\n", text.empty() ? "" : "\n", title, n);
    };
    section("Serial ports (--uart)", ports.size());
    for (const auto& p : ports)
        text +=
            p.usb ? fmt::format("  {:<16} {}  serial {}  usb {}  {}\n", p.name, vid_pid(p.vid, p.pid),
                                p.serial.empty() ? "-" : p.serial, p.usb_path.empty() ? "-" : p.usb_path, p.description)
                  : fmt::format("  {:<16} {}\n", p.name, p.description);
    section("USB bridges (--i2c/--spi KIND[:SERIAL])", bridges.size());
    for (const auto& b : bridges) {
        std::string caps;
        for (const auto& c : b.capabilities) caps += (caps.empty() ? "" : ", ") + c;
        text += fmt::format("  {:<9} {}  serial {}  path {}  {}{}{}\n", b.kind, vid_pid(b.usb.vid, b.usb.pid),
                            b.usb.serial.empty() ? "-" : b.usb.serial, b.usb.path, caps.empty() ? "no bridge" : caps,
                            b.note.empty() ? "" : ": ", b.note);
    }
    section("USB-HID DFU devices (--usb-hid)", hid_dfu.size());
    for (const auto& d : hid_dfu)
        text += fmt::format("  {}  serial {}  path {}  {}\n", vid_pid(d.usb.vid, d.usb.pid),
                            d.usb.serial.empty() ? "-" : d.usb.serial, d.usb.path, d.usb.description);
    section("I2C adapters (--i2c)", i2c.size());
    for (const auto& n : i2c) text += fmt::format("  {:<16} {}\n", n.path, n.name);
    section("SPI devices (--spi)", spi.size());
    for (const auto& n : spi) text += fmt::format("  {:<16} {}\n", n.path, n.name);
    text.pop_back();
    out.say(text);
    for (const auto& p : problems) out.warning(p);
    return 0;
}

}  // namespace dfu::cli
