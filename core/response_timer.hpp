#pragma once
// How long to wait for the device's answer to one command: learned from the run itself, the
// way TCP learns its retransmission timeout (RFC 6298: a smoothed round-trip time and its mean
// deviation, doubled after each timeout). What a wait is made of:
//   - line time: the request and a 7-byte answer at the wire's character time (0 where the wire
//     has no line rate: the learned part then holds the whole transaction);
//   - the device's turnaround, and for Program Data the flash write: learned per command code
//     from the answers that came, as time beyond the line time.
// Before a command code has an answer of its own, a command whose work is bounded (Send Data,
// Program/Verify/Erase Data, Set Application Metadata) waits an initial estimate once the
// device has answered anything: its line time, the slowest turnaround learned so far, and for
// a flash write its time bound (kFlashWriteBound). Until the device has answered at all, for
// the other commands (Enter DFU, Verify Application, custom ones) and after --fixed-timeout,
// the wait is the ceiling (--timeout or a .mtbdfu command's own timeout). No wait exceeds it.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace dfu {

class ResponseTimer {
public:
    using Micros = std::chrono::microseconds;

    // `char_time`: one character on the wire (0: not paced); `adaptive` false: always the ceiling.
    ResponseTimer(std::chrono::nanoseconds char_time, bool adaptive) noexcept
        : char_time_(char_time), adaptive_(adaptive) {}

    // Every learned wait is at least this beyond twice the expected time: room for the
    // scheduling of a busy host (and of dfu-sim on it) without a spurious timeout: on this
    // project's loaded 2-core machine answers came over 50 ms late (a 50 ms margin timed out
    // healthy Enter DFU answers in the faulty-line bench).
    static constexpr Micros kMargin{100'000};
    // The longest a row write (erase and program) takes on the devices this protocol serves:
    // "Writing to flash can take up to 20 milliseconds" (Infineon PDL, cy_flash, PSoC 6/CAT1).
    static constexpr Micros kFlashWriteBound{20'000};

    Micros wait(std::uint8_t code, std::size_t request_bytes, Micros ceiling) const noexcept;
    // An answer to `code` came `elapsed` after its request was written.
    void answered(std::uint8_t code, std::size_t request_bytes, Micros elapsed) noexcept;
    // No answer within the wait: the next wait for `code` is twice as long (up to the ceiling)
    // until an answer that is a sample comes (one to a request after which nothing timed out),
    // so a device that became slower is not given up on.
    void timed_out(std::uint8_t code) noexcept;
    // Time `bytes` take on the wire.
    Micros line_time(std::size_t bytes) const noexcept {
        return std::chrono::duration_cast<Micros>(char_time_ * static_cast<std::int64_t>(bytes));
    }

private:
    // The time beyond the line time `code`'s first answer may take, from what the run knows
    // before that answer; negative when nothing bounds it (the wait is then the ceiling).
    double initial_excess_us(std::uint8_t code) const noexcept;

    struct Estimate {
        bool known = false;
        double srtt_us = 0;    // smoothed time beyond the line time
        double rttvar_us = 0;  // its mean deviation
        unsigned backoff = 0;    // timeouts since the last answer that was a sample
        bool ambiguous = false;  // the next answer may be to a request that timed out
    };
    std::chrono::nanoseconds char_time_;
    bool adaptive_;
    std::array<Estimate, 256> per_code_{};
};

}  // namespace dfu
