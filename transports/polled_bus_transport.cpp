#include "transports/polled_bus_transport.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "transports/packet_frame.hpp"

namespace dfu::transports {
namespace {
constexpr std::uint8_t kIdle = 0xFF;  // what a target that is not ready yet clocks out

// A device busy programming a row answers nothing for milliseconds: polling it flat out
// would only crowd the bus (and a USB bridge's queue). Back off, but not so far that a
// ready response waits long: the first polls go out at once.
std::chrono::microseconds poll_backoff(unsigned empty_polls) {
    if (empty_polls < 4) return std::chrono::microseconds(0);
    const unsigned shift = std::min(empty_polls - 4, 5u);
    return std::chrono::microseconds(25u << shift);  // 25 us .. 800 us
}
}  // namespace

PolledBusTransport::PolledBusTransport(std::unique_ptr<BusPort> port, std::size_t max_packet) : port_(std::move(port)) {
    caps_.max_packet = std::min(max_packet, port_->max_transfer());
    caps_.gap_after_unanswered = std::chrono::microseconds(0);  // transactions delimit packets
}

void PolledBusTransport::send(std::span<const std::uint8_t> packet, Reply) {
    if (packet.size() > port_->max_transfer())
        throw IoError(fmt::format("{}: a {}-byte packet does not fit one {}-byte transaction", port_->description(),
                                  packet.size(), port_->max_transfer()));
    counters_.bytes_discarded += partial_.size();  // the rest of an answer to an earlier packet
    partial_.clear();
    port_->write(packet);
    counters_.bytes_sent += packet.size();
    ++counters_.packets_sent;
}

bool PolledBusTransport::receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) {
    frame.swap(partial_);  // a frame begun before the last deadline
    partial_.clear();
    std::vector<std::uint8_t> chunk;
    unsigned empty_polls = 0;
    for (;;) {
        // How much of the frame is still missing: the header first, then the rest.
        std::size_t want = kPollRead;
        if (!frame.empty()) {
            std::size_t total = 4;
            if (frame.size() >= 4) {
                const std::size_t n = packet_frame::data_length(frame);
                if (n > kMaxResponseData) {  // not a header: the start byte was noise
                    counters_.bytes_discarded += frame.size();
                    frame.clear();
                    continue;
                }
                total = n + packet_frame::kOverhead;
            }
            if (frame.size() >= total) {
                frame.resize(total);  // bytes past the response may be garbage
                ++counters_.frames_received;
                return true;
            }
            want = total - frame.size();
        }
        if (Clock::now() >= deadline) {
            // The caller may wait on (it wakes now and then to look for Ctrl-C): keep what
            // arrived of the frame until the next receive, send or discard_input.
            partial_.swap(frame);
            frame.clear();
            return false;
        }
        chunk.resize(std::min(want, port_->max_transfer()));
        const bool answered = port_->read(chunk);
        if (answered) counters_.bytes_received += chunk.size();
        if (!frame.empty()) {
            if (answered) frame.insert(frame.end(), chunk.begin(), chunk.end());
            continue;
        }
        auto start = answered ? std::find(chunk.begin(), chunk.end(), packet_frame::kStart) : chunk.end();
        if (answered)
            counters_.bytes_discarded += static_cast<std::size_t>(
                std::count_if(chunk.begin(), start, [](std::uint8_t b) { return b != kIdle; }));
        if (start != chunk.end()) {
            frame.assign(start, chunk.end());
            empty_polls = 0;
            continue;
        }
        const auto pause = poll_backoff(empty_polls++);
        if (pause.count() > 0) std::this_thread::sleep_until(std::min(deadline, Clock::now() + pause));
    }
}

void PolledBusTransport::discard_input() {
    counters_.bytes_discarded += partial_.size();
    partial_.clear();
    // Nothing is buffered on the host; a response the device still holds is replaced by
    // the answer to the next packet.
}

}  // namespace dfu::transports
