#pragma once
// Linux i2c-dev details beyond open_i2c_dev()/find_i2c_nodes() (declared in bus_open.hpp):
// what can be said about the bus speed, and which addresses a target may use.
#include <string>

namespace dfu::transports {

// The 7-bit addresses an I2C target may answer at; 0x00-0x07 and 0x78-0x7F are reserved
// by the I2C specification (general call, CBUS, HS-mode masters, 10-bit prefixes).
constexpr unsigned kI2cFirstTargetAddress = 0x08;
constexpr unsigned kI2cLastTargetAddress = 0x77;

// i2c-dev has no request to set the bus clock: the controller driver takes it from the
// device tree (clock-frequency) or firmware tables at boot, so --i2c-speed cannot be
// applied here. This says what the bus runs at where the kernel tells, and whether the
// user asked for something else.
struct I2cDevBusSpeed {
    unsigned bus_hz = 0;  // from the device tree; 0 when sysfs does not say
    std::string note;     // empty, or why `requested_hz` is not what the bus runs at
};
// `node` is "/dev/i2c-N"; `requested_hz` is --i2c-speed (100000 when not given).
I2cDevBusSpeed i2c_dev_bus_speed(const std::string& node, unsigned requested_hz);

// "100 kHz", "1 MHz", "123456 Hz": for descriptions and messages.
std::string format_hz(unsigned hz);

}  // namespace dfu::transports
