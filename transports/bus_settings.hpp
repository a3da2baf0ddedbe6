#pragma once
// What the user chose for an I2C or SPI link, whichever way it is reached.
#include <cstdint>
#include <string>

namespace dfu::transports {

struct I2cSettings {
    // "/dev/i2c-1", "kitprog3", "kitprog3:SERIAL", "mcp2221[:SERIAL]", "cp2112[:SERIAL]"
    std::string device;
    std::uint8_t address = 0x0C;  // 7-bit
    unsigned speed_hz = 100000;
};

struct SpiSettings {
    // "/dev/spidev0.0", "kitprog3[:SERIAL]", "mcp2210[:SERIAL]"
    std::string device;
    unsigned clock_hz = 1000000;
    std::uint8_t mode = 0;  // CPOL << 1 | CPHA
    bool lsb_first = false;
};

}  // namespace dfu::transports
