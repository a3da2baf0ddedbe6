#pragma once
// A spidev node as the kernel presents it to user space (<linux/spi/spidev.h>): the
// mode, bit order, word size and speed requests, and SPI_IOC_MESSAGE(N) with a
// BusTarget (the device responder core) on the chip select. Written from the kernel's
// ABI, not from the host's spidev.cpp. Bit order is modelled on the wire: when host and
// device disagree about LSB-first, every byte arrives bit-reversed.
#include <linux/spi/spi.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "bus_target.hpp"
#include "testbed.hpp"

namespace umock {

class SpidevModel final : public IoctlHandler {
public:
    explicit SpidevModel(testsupport::BusTarget& target) : target_(target) {}

    // The controller.
    bool can_lsb_first = true;  // SPI_LSB_FIRST in its mode_bits
    bool has_mode32 = true;     // SPI_IOC_{RD,WR}_MODE32 exist (Linux >= 3.15)
    std::uint32_t mode = 0;     // the mode word as the device tree left it
    std::uint32_t max_speed_hz = 500000;
    std::uint8_t bits_per_word = 8;
    std::size_t bufsiz = 4096;  // spidev's module parameter: the most one message carries

    // The device on the chip select.
    std::uint8_t device_mode = 0;  // CPOL << 1 | CPHA it samples with
    bool device_lsb_first = false;

    // One transfer of an SPI_IOC_MESSAGE as it crossed the wire (host's view of the bytes).
    struct Transfer {
        std::vector<std::uint8_t> mosi, miso;
        bool tx_given = false, rx_given = false;
        std::uint32_t speed_hz = 0;  // after defaulting to max_speed_hz
        std::uint8_t bits_per_word = 0;
        std::uint8_t cs_change = 0;
        std::uint32_t mode = 0;  // controller mode word at the time
    };
    std::vector<std::vector<Transfer>> messages() const;
    std::uint32_t mode_now() const;

    long ioctl(IoctlCall& call) override;

private:
    long message(IoctlCall& call, std::size_t count);
    long set_mode(std::uint32_t value);

    testsupport::BusTarget& target_;
    mutable std::mutex mutex_;  // the handler runs on umockdev's worker thread
    std::vector<std::vector<Transfer>> messages_;
};

}  // namespace umock
