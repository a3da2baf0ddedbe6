#pragma once
// Speaks the DFU protocol with one device over one transport: one command, one
// checked response. It does not retry: the unit of recovery is decided above it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/events.hpp"
#include "core/response_timer.hpp"
#include "transports/transport.hpp"

namespace dfu {

struct EngineOptions {
    std::size_t packet_size = 64;                 // largest packet we send, frame included
    // Byte-stream wires: start with whole-row packets and fall back once to packet_size when the
    // device refuses them (--packet-size auto). packet_size is then the fallback.
    bool packet_size_auto = false;
    std::chrono::milliseconds timeout{1000};      // per command, for its response: the ceiling
    // Wait what the run has learned the answer takes (ResponseTimer), never more than `timeout`;
    // false (--fixed-timeout): always `timeout`.
    bool adaptive_timeout = true;
    unsigned retries = 3;                         // further attempts per unit of work
    std::chrono::milliseconds error_holdoff{30};  // device ignores input this long after an error
    // Send row chunks with Send Data Without Response (0x47): no answer to wait for, but the
    // transport's quiet gap after each. A lost chunk shows up as Program Data's error.
    bool send_without_response = false;
};

struct Response {
    std::uint8_t status = 0;
    std::vector<std::uint8_t> data;
    // The answer came before the request could have reached the device whole (on a wire with a
    // line rate): the device answered a packet it cut short, and the rest is still arriving.
    bool before_request_end = false;
    std::chrono::microseconds elapsed{};  // from writing the request to reading the answer
};

// The command got no usable answer: nothing at all, or a frame that failed its checks.
class LinkFailure : public std::runtime_error {
public:
    enum class Kind : std::uint8_t { timeout, corrupt };
    LinkFailure(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

// The user asked us to stop (SIGINT/SIGTERM); thrown before a packet is sent or while
// waiting for an answer, never in the middle of sending one.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

// Called inside a catch block of a run: an interruption becomes exit 130 with `interrupted`
// as its message, a port that failed in use becomes exit 5; anything else is rethrown as is.
[[noreturn]] void rethrow_as_run_error(const std::string& interrupted);

class Client {
public:
    Client(transports::Transport& transport, ChecksumType checksum, EngineOptions options, EventSink& events,
           const std::atomic<bool>* cancel = nullptr);

    // How often a wait for an answer wakes to check for Ctrl-C and report that it still waits.
    static constexpr std::chrono::milliseconds kWakeInterval{100};

    // Sends one command and returns the device's checked answer: a frame that passed its
    // checks and whose data fits the command (requests::answer_fits); others are skipped.
    Response command(std::uint8_t code, std::span<const std::uint8_t> data);
    // How long command() waits: what the run has learned (below the ceiling), or all of the
    // ceiling, for an attempt after which nothing is retried: a learned wait is worth its risk
    // only where a spurious timeout costs a retry, not the run.
    enum class Wait : std::uint8_t { learned, ceiling };
    // The same with a ceiling of its own (a .mtbdfu command's timeout) instead of the session's.
    // Every wait for an answer is computed here, by the response timer, below the ceiling.
    Response command(std::uint8_t code, std::span<const std::uint8_t> data, std::chrono::microseconds ceiling,
                     Wait wait = Wait::learned);

private:
    // One answer to the request sent at `sent`, or a timeout at `deadline` (whose message
    // names `skipped`, an answer command() did not take for this request's).
    Response await_answer(std::uint8_t code, std::span<const std::uint8_t> data, transports::Clock::time_point sent,
                          std::chrono::microseconds timeout, transports::Clock::time_point deadline,
                          std::size_t request_bytes, const std::string& skipped);

public:
    // Sends a command the device never answers (Sync, Exit, Send Data Without Response).
    void command_unanswered(std::uint8_t code, std::span<const std::uint8_t> data);
    // Waits until the last packet has left the wire, then the device's hold-off after an error,
    // and drops whatever it sent meanwhile.
    void settle_after_error();

    transports::Transport& transport() noexcept { return transport_; }
    const EngineOptions& options() const noexcept { return options_; }
    ChecksumType checksum() const noexcept { return checksum_; }
    std::uint64_t commands_sent() const noexcept { return commands_; }

private:
    void check_cancel() const;
    void send(std::uint8_t code, std::span<const std::uint8_t> data, transports::Reply reply);

    transports::Transport& transport_;
    ChecksumType checksum_;
    EngineOptions options_;
    EventSink& events_;
    const std::atomic<bool>* cancel_;
    std::vector<std::uint8_t> tx_;
    std::vector<std::uint8_t> rx_;
    std::uint64_t commands_ = 0;
    ResponseTimer timer_;
    transports::Clock::time_point line_clear_{};  // the last packet sent has left the wire
    std::optional<transports::Clock::time_point> answered_at_;  // the answer to the last packet sent

};

}  // namespace dfu
