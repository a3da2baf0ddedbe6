#pragma once
// The one seam between the engine and a wire. The engine deals in whole packets;
// each transport owns how a packet crosses its wire and states what the wire can do,
// so the engine plans from facts rather than from a transport's name.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/errors.hpp"

namespace dfu::transports {

using Clock = std::chrono::steady_clock;

struct Capabilities {
    // Largest whole packet (frame included) the wire carries in one piece.
    std::size_t max_packet = 0xFFFF + 7;
    // Silence the device needs after a packet it does not answer, before the next
    // one, because it finds the end of a packet by an idle gap (UART).
    std::chrono::microseconds gap_after_unanswered{0};
    // One character's time on a wire with a line rate (UART); 0 where none is known. The
    // engine's response timer counts it into every wait.
    std::chrono::nanoseconds char_time{0};
};

// Whether the device will answer the packet being sent.
enum class Reply : std::uint8_t { expected, none };

struct Counters {
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t packets_sent = 0;
    std::uint64_t frames_received = 0;
    std::uint64_t bytes_discarded = 0;  // stray bytes skipped while looking for a frame
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual const Capabilities& capabilities() const noexcept = 0;
    // "uart /dev/ttyUSB0 @ 115200 8N1": for messages and logs.
    virtual std::string description() const = 0;
    // Sends one whole packet, in one piece.
    virtual void send(std::span<const std::uint8_t> packet, Reply reply) = 0;
    // Waits for one whole frame (start byte to end byte, as long as its header says)
    // and stores it in `frame`. False when the deadline passed first; a frame partly
    // received by then is kept for the next receive (the engine waits in short slices).
    virtual bool receive(std::vector<std::uint8_t>& frame, Clock::time_point deadline) = 0;
    // Drops anything received and not yet read: stale answers after a recovery.
    virtual void discard_input() = 0;
    virtual const Counters& counters() const noexcept = 0;
    // What opening the wire could not set up (a serial driver without low-latency mode), for
    // --debug; empty when all went well.
    virtual std::string setup_note() const { return {}; }
};

// The port could not be opened or configured (exit code 4 territory); the port failed while
// in use (unplugged adapter, I/O error). Defined beside the platform code that throws them.
using platform::IoError;
using platform::OpenError;

}  // namespace dfu::transports
