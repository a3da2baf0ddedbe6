#include "core/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"

namespace dfu {

void rethrow_as_run_error(const std::string& interrupted) {
    try {
        throw;
    } catch (const Interrupted&) {
        throw Error(ExitCode::interrupted, interrupted);
    } catch (const transports::IoError& e) {
        throw Error(ExitCode::no_response, e.what());
    }
}

Client::Client(transports::Transport& transport, ChecksumType checksum, EngineOptions options, EventSink& events,
               const std::atomic<bool>* cancel)
    : transport_(transport),
      checksum_(checksum),
      options_(options),
      events_(events),
      cancel_(cancel),
      timer_(transport.capabilities().char_time, options.adaptive_timeout) {
    tx_.reserve(options_.packet_size);
    rx_.reserve(256);
}

void Client::check_cancel() const {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw Interrupted();
}

void Client::send(std::uint8_t code, std::span<const std::uint8_t> data, transports::Reply reply) {
    check_cancel();
    encode_packet(tx_, code, data, checksum_);
    if (events_.wants_packets()) events_.on_packet(Direction::to_device, tx_);
    transport_.send(tx_, reply);
    line_clear_ = transports::Clock::now() + timer_.line_time(tx_.size());
    answered_at_.reset();
    ++commands_;
}

Response Client::command(std::uint8_t code, std::span<const std::uint8_t> data) {
    return command(code, data, options_.timeout);
}

Response Client::command(std::uint8_t code, std::span<const std::uint8_t> data, std::chrono::microseconds ceiling,
                         Wait wait) {
    send(code, data, transports::Reply::expected);
    const std::size_t request_bytes = tx_.size();
    const auto sent = transports::Clock::now();
    const auto timeout = wait == Wait::ceiling ? ceiling : timer_.wait(code, request_bytes, ceiling);
    const auto deadline = sent + timeout;
    std::string skipped;  // an answer that was not to this request, for the message if ours never comes
    for (;;) {
        Response r = await_answer(code, data, sent, timeout, deadline, request_bytes, skipped);
        // The device answers in order, and a request whose wait ran out may still be answered
        // (a slow flash write, a busy line): its answer then arrives while a later request waits.
        // A success whose data cannot be an answer to this request is such a late answer (or a
        // garbled one): skip it and keep listening for our own, within our deadline.
        if (r.status == status::success && !requests::answer_fits(code, r.data.size())) {
            skipped = fmt::format("an answer that carries {} data bytes, expected {}", r.data.size(),
                                  requests::answer_fits(code, 0) ? "none" : "more");
            events_.on_note(fmt::format("skipped {} while waiting for {}: a late answer to an earlier request",
                                        skipped, command_name(code)));
            continue;
        }
        // Only answers that did the work teach the timer: an error answer skips the flash
        // write, and a skipped answer was to another request.
        if (r.status == status::success) timer_.answered(code, request_bytes, r.elapsed);
        return r;
    }
}

Response Client::await_answer(std::uint8_t code, std::span<const std::uint8_t> data, transports::Clock::time_point sent,
                              std::chrono::microseconds timeout, transports::Clock::time_point deadline,
                              std::size_t request_bytes, const std::string& skipped) {
    // The wait wakes every kWakeInterval: a Ctrl-C ends it then instead of after the whole
    // timeout, and the display hears what is being waited for. A frame partly received at a
    // wake is kept by the transport for the next receive.
    for (;;) {
        const auto wake = std::min(deadline, transports::Clock::now() + kWakeInterval);
        if (transport_.receive(rx_, wake)) break;
        check_cancel();
        const auto now = transports::Clock::now();
        // A transport returns false at its deadline; one that returns long before says that
        // no answer can come (an in-process device answers at once or never).
        if (now >= deadline || now + kWakeInterval / 2 < wake) {
            timer_.timed_out(code);
            throw LinkFailure(LinkFailure::Kind::timeout,
                              fmt::format("no response to {} within {} ms{}", command_name(code),
                                          std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(),
                                          skipped.empty() ? "" : " (skipped " + skipped + ")"));
        }
        events_.on_waiting(Waiting{code, requests::row_address_of(code, data), now - sent});
    }
    answered_at_ = transports::Clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(*answered_at_ - sent);
    if (events_.wants_packets()) events_.on_packet(Direction::from_device, rx_);
    const DecodedPacket p = decode_packet(rx_, checksum_);
    if (!p)
        throw LinkFailure(LinkFailure::Kind::corrupt,
                          fmt::format("garbled response to {}: {}", command_name(code), decode_error_text(p.error)));
    Response r{p.code, std::vector<std::uint8_t>(p.data.begin(), p.data.end())};
    // Three quarters of the request's line time: the device cannot answer a packet sooner
    // than it takes to arrive, whatever the buffering on the way.
    r.before_request_end = elapsed * 4 < timer_.line_time(request_bytes) * 3;
    r.elapsed = elapsed;
    return r;
}

void Client::command_unanswered(std::uint8_t code, std::span<const std::uint8_t> data) {
    send(code, data, transports::Reply::none);
}

void Client::settle_after_error() {
    // The device ignores input for its hold-off after an error, then listens again
    // in state NONE (docs/protocol.md, "Timing"). Nothing on the wire tells us when: wait it
    // out, from the error's answer (from now when none came).
    auto holdoff_from = answered_at_.value_or(transports::Clock::now());
    // A device that cut an oversize packet short answered before its end, and the rest is
    // still on the wire: the middleware answers the rest as a packet of its own (0x04) and holds
    // off again from there; dfu-sim skips it. Wait for that answer until the line is clear and
    // a short turnaround: the hold-off counts from it if it comes.
    if (line_clear_ > transports::Clock::now()) {
        constexpr std::chrono::milliseconds kTurnaround{10};
        if (transport_.receive(rx_, line_clear_ + kTurnaround + timer_.line_time(kFrameOverhead)))
            holdoff_from = transports::Clock::now();
    }
    std::this_thread::sleep_until(holdoff_from + options_.error_holdoff);
    transport_.discard_input();
}

}  // namespace dfu
