#pragma once
// The USB port path ("1-1.4") of the device behind a serial port, which `list` shows and a
// `usb:PATH` selector matches. Linux reads it from sysfs (usb_port_path_linux.cpp); other
// systems have no such path (no_linux_wires.cpp) and show the bus and address instead.
#include <string>

namespace dfu::transports {

// "BUS-DEVPATH" for the tty `port_name` on USB bus `bus`; empty where the system does not say.
std::string usb_port_path_of_tty(const std::string& port_name, int bus);

}  // namespace dfu::transports
