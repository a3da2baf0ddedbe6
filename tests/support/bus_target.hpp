#pragma once
// The device-firmware responder core as the target on a polled bus (I2C or SPI), the
// way a DFU device sits behind i2c-dev, spidev or a USB bridge: a write transaction
// delivers one packet, reads clock out 0xFF (or, on I2C, NACK) until the response is
// ready, then the response, continuing across read transactions, then 0xFF again.
// Bridge emulations in tests put this at the far end of their wire.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "inprocess_device.hpp"
#include "transports/bus_port.hpp"

namespace testsupport {

class BusTarget {
public:
    enum class Kind { i2c, spi };

    explicit BusTarget(Kind kind, dfu_config cfg = InProcessDevice::default_config()) : kind_(kind), device_(cfg) {}

    // Read transactions answered "not ready" after each packet before the response shows.
    unsigned busy_reads = 2;
    // I2C: a busy target NACKs its address instead of clocking out 0xFF.
    bool nack_when_busy = false;
    // SPI: idle bytes clocked out in the first ready read before the start byte.
    std::size_t spi_lead_idle = 0;

    void write(std::span<const std::uint8_t> bytes) {
        writes_.emplace_back(bytes.begin(), bytes.end());
        // A new packet replaces any answer not collected yet, as a device's buffer would.
        response_.clear();
        offset_ = 0;
        device_.send(bytes, dfu::transports::Reply::expected);
        std::vector<std::uint8_t> frame;
        if (device_.receive(frame, {})) {
            response_ = std::move(frame);
            busy_left_ = busy_reads;
            lead_left_ = spi_lead_idle;
        }
    }

    // False: the address was not acknowledged (I2C only).
    bool read(std::span<std::uint8_t> out) {
        ++reads_;
        bytes_read_ += out.size();
        std::size_t i = 0;
        if (response_.empty() || busy_left_ > 0) {
            if (busy_left_ > 0) --busy_left_;
            if (kind_ == Kind::i2c && nack_when_busy) return false;
            std::fill(out.begin(), out.end(), 0xFF);
            return true;
        }
        for (; i < out.size() && lead_left_ > 0; ++i, --lead_left_) out[i] = 0xFF;
        for (; i < out.size(); ++i) out[i] = offset_ < response_.size() ? response_[offset_++] : 0xFF;
        if (offset_ >= response_.size()) response_.clear();
        return true;
    }

    InProcessDevice& device() { return device_; }
    std::vector<std::uint8_t>& flash() { return device_.flash(); }
    const std::vector<std::vector<std::uint8_t>>& writes() const { return writes_; }
    std::size_t reads() const { return reads_; }
    // Bytes clocked out over all read transactions: bus time the host spent reading.
    std::size_t bytes_read() const { return bytes_read_; }

private:
    Kind kind_;
    InProcessDevice device_;
    std::vector<std::vector<std::uint8_t>> writes_;
    std::vector<std::uint8_t> response_;
    std::size_t offset_ = 0;
    unsigned busy_left_ = 0;
    std::size_t lead_left_ = 0;
    std::size_t reads_ = 0;
    std::size_t bytes_read_ = 0;
};

// A BusTarget straight under the host's BusPort seam: the bus itself, with no bridge.
class DirectBus final : public dfu::transports::BusPort {
public:
    DirectBus(BusTarget& target, std::size_t max_transfer) : target_(target), max_(max_transfer) {}
    void write(std::span<const std::uint8_t> bytes) override { target_.write(bytes); }
    bool read(std::span<std::uint8_t> buffer) override { return target_.read(buffer); }
    std::size_t max_transfer() const noexcept override { return max_; }
    std::string description() const override { return "emulated bus"; }

private:
    BusTarget& target_;
    std::size_t max_;
};

}  // namespace testsupport
