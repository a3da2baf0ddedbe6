#include "transports/serial_list.hpp"

#include <libserialport.h>

#include <fmt/format.h>

#include "transports/device_match.hpp"
#include "transports/usb_port_path.hpp"

namespace dfu::transports {
std::vector<FoundSerialPort> find_serial_ports() {
    std::vector<FoundSerialPort> found;
    sp_port** ports = nullptr;
    if (sp_list_ports(&ports) != SP_OK) return found;
    for (sp_port** p = ports; *p; ++p) {
        FoundSerialPort f;
        f.name = sp_get_port_name(*p);
        if (const char* d = sp_get_port_description(*p)) f.description = d;
        f.usb = sp_get_port_transport(*p) == SP_TRANSPORT_USB;
        if (f.usb) {
            int vid = 0, pid = 0, bus = 0, address = 0;
            if (sp_get_port_usb_vid_pid(*p, &vid, &pid) == SP_OK) {
                f.vid = static_cast<std::uint16_t>(vid);
                f.pid = static_cast<std::uint16_t>(pid);
            }
            if (const char* s = sp_get_port_usb_serial(*p)) f.serial = s;
            if (sp_get_port_usb_bus_address(*p, &bus, &address) == SP_OK) {
                f.usb_path = usb_port_path_of_tty(f.name, bus);
                if (f.usb_path.empty()) f.usb_path = fmt::format("bus {} address {}", bus, address);
            }
        }
        found.push_back(std::move(f));
    }
    sp_free_port_list(ports);
    return found;
}

bool is_usb_serial_selector(std::string_view port) {
    return port == "usb" || port.starts_with("usb:");
}

std::string choose_usb_serial_port(std::string_view port) {
    std::vector<UsbCandidate> candidates;
    std::vector<std::string> names;  // beside candidates, index for index
    for (const auto& p : find_serial_ports()) {
        if (!p.usb) continue;
        const bool plain = p.description.empty() || p.description == p.name;
        candidates.push_back(
            {p.vid, p.pid, p.serial, p.usb_path, plain ? p.name : fmt::format("{} ({})", p.name, p.description)});
        names.push_back(p.name);
    }
    const UsbCandidate& chosen = choose_device(candidates, split_selector(port).second, "USB serial port", "usb");
    return names[static_cast<std::size_t>(&chosen - candidates.data())];
}

}  // namespace dfu::transports
