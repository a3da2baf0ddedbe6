#pragma once
// A raw byte pipe (serial port, pty, TCP serial server) under the byte-stream framing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <fmt/format.h>

#include "transports/transport.hpp"

namespace dfu::transports {

class ByteStream {
public:
    virtual ~ByteStream() = default;
    // Writes all bytes; one system call in the normal case.
    virtual void write_all(std::span<const std::uint8_t> bytes) = 0;
    // Reads whatever is available, waiting until the deadline for at least one byte.
    // Returns the count read; 0 when the deadline passed.
    virtual std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) = 0;
    // Drops unread input held by the OS.
    virtual void flush_input() = 0;
    // How long `bytes` take to leave the wire once written (0 where there is no line rate).
    virtual std::chrono::microseconds wire_time(std::size_t bytes) const noexcept = 0;
    virtual std::string description() const = 0;
    // What opening could not set up (low-latency mode), for --debug; empty when all went well.
    virtual std::string setup_note() const { return {}; }
    // Sets (true) or clears DTR (`dtr`) or else RTS. Throws IoError where the stream has no
    // modem lines (a TCP serial server, a pseudo-terminal).
    virtual void set_modem_line(bool dtr, bool on) {
        (void)on;
        throw IoError(fmt::format("{}: has no {} line", description(), dtr ? "DTR" : "RTS"));
    }
};

}  // namespace dfu::transports
