#pragma once
// Packet framing on a polled bus (I2C, SPI): each packet is one write transaction, and
// the response is fetched by reading until the device stops answering 0xFF and a
// start byte appears (docs/protocol.md, "Transports"). Nothing arrives unasked, so there is no
// idle gap to keep and nothing to resynchronise between transactions.
#include <memory>

#include "transports/bus_port.hpp"
#include "transports/transport.hpp"

namespace dfu::transports {

class PolledBusTransport final : public Transport {
public:
    // `max_packet` is the largest packet the device takes, already capped by the bus.
    PolledBusTransport(std::unique_ptr<BusPort> port, std::size_t max_packet);

    const Capabilities& capabilities() const noexcept override { return caps_; }
    std::string description() const override { return port_->description(); }
    void send(std::span<const std::uint8_t> packet, Reply reply) override;
    bool receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) override;
    void discard_input() override;
    const Counters& counters() const noexcept override { return counters_; }

    // First read of a poll: a whole status-only response, so the common answer takes
    // one transaction; a longer one is read on from where this stopped.
    static constexpr std::size_t kPollRead = 7;
    static constexpr std::size_t kMaxResponseData = 4096;

private:
    std::unique_ptr<BusPort> port_;
    Capabilities caps_;
    Counters counters_;
    std::vector<std::uint8_t> partial_;  // a frame begun when receive's deadline passed
};

}  // namespace dfu::transports
