#pragma once
// Serial ports present, for `dfuhost list` and for choosing a USB-serial adapter by
// serial number or path: what libserialport knows about each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dfu::transports {

struct FoundSerialPort {
    std::string name;         // "/dev/ttyUSB0", "COM3"
    std::string description;  // libserialport's: the USB product string, or the port name
    std::string serial;       // USB serial number; empty when none
    // Where the adapter sits: "1-1.4" (bus-port.port, as sysfs and libusb name it) on
    // Linux, "bus 1 address 5" elsewhere; empty for ports that are not USB.
    std::string usb_path;
    std::uint16_t vid = 0, pid = 0;
    bool usb = false;
};

// Every serial port libserialport finds, in its order; empty when it cannot enumerate.
std::vector<FoundSerialPort> find_serial_ports();

// `--uart usb` or `usb:SERIAL` / `usb:PATH`: a factory rig names the adapter by its USB
// serial number or hub port, which survive replugging where /dev/ttyUSBn does not.
bool is_usb_serial_selector(std::string_view port);
// The port name of the one USB serial adapter the selector matches; throws OpenError
// listing the candidates when none or several do.
std::string choose_usb_serial_port(std::string_view port);

}  // namespace dfu::transports
