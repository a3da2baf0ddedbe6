#pragma once
// The narrow seam under the polled-bus transport: one I2C target or one SPI chip
// select, reached natively (i2c-dev, spidev) or through a USB bridge (KitProg3,
// MCP2221A, CP2112, MCP2210). A bridge driver implements this and nothing else, so a
// test can put an emulated bus target under the real transport.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace dfu::transports {

class BusPort {
public:
    virtual ~BusPort() = default;
    // One write transaction holding all of `bytes` (I2C: START, address+W, data, STOP;
    // SPI: one chip-select assertion, what MISO carries meanwhile is dropped).
    // Throws IoError when the bus or bridge fails, including an I2C NACK.
    virtual void write(std::span<const std::uint8_t> bytes) = 0;
    // One read transaction filling all of `buffer` (I2C: START, address+R, data, STOP;
    // SPI: 0xFF clocked out under one chip-select assertion). False when the target did
    // not take part (I2C address NACK): it is busy, poll again. Throws IoError on failure.
    virtual bool read(std::span<std::uint8_t> buffer) = 0;
    // Largest write or read one transaction carries through this bus or bridge.
    virtual std::size_t max_transfer() const noexcept = 0;
    // "i2c /dev/i2c-1 @ 0x0C, 400 kHz": for messages and logs.
    virtual std::string description() const = 0;
};

}  // namespace dfu::transports
