#include "transports/stream_transport.hpp"

#include <algorithm>
#include <thread>

#include "transports/packet_frame.hpp"

namespace dfu::transports {
namespace {
constexpr std::size_t kReadChunk = 4096;
}  // namespace

StreamTransport::StreamTransport(std::unique_ptr<ByteStream> stream, Capabilities caps)
    : stream_(std::move(stream)), caps_(caps) {
    rx_.reserve(2 * kReadChunk);
}

StreamTransport::~StreamTransport() {
    // A packet the device does not answer (Exit DFU) may be the last one: keep the
    // line quiet long enough for the device to see its end before the port closes
    // and someone else's first packet follows.
    wait_for_quiet_line();
}

void StreamTransport::wait_for_quiet_line() const {
    // A loop, not one call: on Windows sleep_until measures with a coarser clock than
    // steady_clock and can return a fraction of a millisecond early, shortening the gap.
    while (Clock::now() < quiet_until_) std::this_thread::sleep_until(quiet_until_);
}

void StreamTransport::send(std::span<const std::uint8_t> packet, Reply reply) {
    wait_for_quiet_line();
    // Every answer belongs to the packet before it: whatever is left over now (bytes after
    // an end byte, the rest of a late or garbled answer) would only be misread as the
    // answer to this one.
    if (rx_.size() > rx_begin_) counters_.bytes_discarded += rx_.size() - rx_begin_;
    rx_.clear();
    rx_begin_ = 0;
    stream_->write_all(packet);
    counters_.bytes_sent += packet.size();
    ++counters_.packets_sent;
    if (reply == Reply::none && caps_.gap_after_unanswered.count() > 0)
        quiet_until_ = Clock::now() + stream_->wire_time(packet.size()) + caps_.gap_after_unanswered;
}

bool StreamTransport::take_frame(std::vector<std::uint8_t>& frame) {
    for (;;) {
        const std::size_t avail = rx_.size() - rx_begin_;
        const std::uint8_t* p = rx_.data() + rx_begin_;
        const std::uint8_t* start = std::find(p, p + avail, packet_frame::kStart);
        const std::size_t skipped = static_cast<std::size_t>(start - p);
        counters_.bytes_discarded += skipped;
        rx_begin_ += skipped;
        const std::size_t left = avail - skipped;
        if (left < 4) return false;
        const std::size_t n = packet_frame::data_length({start, 4});
        if (n > kMaxResponseData) {  // not a real header: look for the next start byte
            ++rx_begin_;
            ++counters_.bytes_discarded;
            continue;
        }
        if (left < n + packet_frame::kOverhead) return false;
        if (start[n + packet_frame::kOverhead - 1] != packet_frame::kEnd) {  // misaligned: this start byte was noise
            ++rx_begin_;
            ++counters_.bytes_discarded;
            continue;
        }
        frame.assign(start, start + n + packet_frame::kOverhead);
        rx_begin_ += n + packet_frame::kOverhead;
        ++counters_.frames_received;
        return true;
    }
}

bool StreamTransport::receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) {
    for (;;) {
        if (take_frame(frame)) return true;
        // Compact, then read whatever the OS has in one call.
        if (rx_begin_ > 0) {
            rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(rx_begin_));
            rx_begin_ = 0;
        }
        const std::size_t old = rx_.size();
        rx_.resize(old + kReadChunk);
        const std::size_t got = stream_->read_some(std::span(rx_).subspan(old), deadline);
        rx_.resize(old + got);
        counters_.bytes_received += got;
        if (got == 0) return false;
    }
}

void StreamTransport::discard_input() {
    counters_.bytes_discarded += rx_.size() - rx_begin_;
    rx_.clear();
    rx_begin_ = 0;
    stream_->flush_input();
}

}  // namespace dfu::transports
