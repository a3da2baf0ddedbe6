#pragma once
// Packet framing over a byte stream: write each packet in one piece, find responses
// by their start byte and length field, and keep the device's idle gap after a
// packet it does not answer (it delimits packets by silence).
#include <memory>

#include "transports/byte_stream.hpp"
#include "transports/transport.hpp"

namespace dfu::transports {

class StreamTransport final : public Transport {
public:
    StreamTransport(std::unique_ptr<ByteStream> stream, Capabilities caps);
    ~StreamTransport() override;

    const Capabilities& capabilities() const noexcept override { return caps_; }
    std::string description() const override { return stream_->description(); }
    void send(std::span<const std::uint8_t> packet, Reply reply) override;
    bool receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) override;
    void discard_input() override;
    const Counters& counters() const noexcept override { return counters_; }
    std::string setup_note() const override { return stream_->setup_note(); }

    // Largest response data length believed; a header claiming more is noise.
    static constexpr std::size_t kMaxResponseData = 4096;

private:
    // Moves a complete frame from the front of rx_ into `frame`, skipping noise.
    bool take_frame(std::vector<std::uint8_t>& frame);
    void wait_for_quiet_line() const;

    std::unique_ptr<ByteStream> stream_;
    Capabilities caps_;
    Counters counters_;
    std::vector<std::uint8_t> rx_;
    std::size_t rx_begin_ = 0;         // bytes before this are consumed
    Clock::time_point quiet_until_{};  // no packet may start before this
};

}  // namespace dfu::transports
