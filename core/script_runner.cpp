#include "core/script_runner.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"

namespace dfu {

namespace {

// Forwards everything to the user's sink and copies the packets of commands that
// name an outFile into that file.
class LoggingSink final : public EventForwarder {
public:
    LoggingSink(EventSink& inner, const std::vector<std::filesystem::path>& paths)
        : EventForwarder(inner), inner_(inner) {
        for (const auto& p : paths) {
            errno = 0;
            auto& f = files_.emplace_back(p, std::ios::out | std::ios::trunc);
            if (!f)
                throw Error(ExitCode::input_invalid,
                            fmt::format("outFile: cannot write {}: {}", p.string(), std::strerror(errno)));
        }
    }
    void route_to(int log) { current_ = log; }
    bool wants_packets() const override { return !files_.empty() || inner_.wants_packets(); }
    void on_packet(Direction d, std::span<const std::uint8_t> frame) override {
        if (inner_.wants_packets()) inner_.on_packet(d, frame);
        if (current_ < 0) return;
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        files_[static_cast<std::size_t>(current_)]
            << fmt::format("{:.6f} {} {}\n", t, d == Direction::to_device ? ">" : "<", hex_bytes(frame));
    }

private:
    EventSink& inner_;
    std::vector<std::ofstream> files_;
    int current_ = -1;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

struct Failure {
    ExitCode code = ExitCode::internal;
    std::string message;
};

ExitCode code_for_status(std::uint8_t command, std::uint8_t status) {
    if (command == cmd::enter && (status == status::data || status == status::length))
        return ExitCode::identity_mismatch;
    if (status == status::verify) return ExitCode::verify_failed;
    return ExitCode::device_error;
}

}  // namespace

ScriptRunner::ScriptRunner(const ScriptPlan& plan, TransportFactory open, EngineOptions options, EventSink& events,
                           const std::atomic<bool>* cancel)
    : plan_(plan), open_(std::move(open)), options_(options), events_(events), cancel_(cancel) {}

namespace {
// The last packet of a data-file row: the Program/Verify/Erase Data after its Send Data.
bool ends_row(const ScriptSession& s, std::size_t i) {
    const std::uint32_t row = s.packets[i].row;
    return row != ScriptPacket::kNoRow && (i + 1 == s.packets.size() || s.packets[i + 1].row != row);
}
}  // namespace

void ScriptRunner::start_progress() {
    progress_ = Progress{};
    progress_.bytes_total = plan_.bytes_to_device();
    for (const ScriptSession& s : plan_.sessions)
        for (std::size_t i = 0; i < s.packets.size(); ++i) progress_.rows_total += ends_row(s, i);
    high_water_ = 0;
}

void ScriptRunner::packet_done(const ScriptSession& session, std::size_t first_index, std::size_t i) {
    // A packet redone after a retry or reconnect was counted the first time.
    const std::size_t ordinal = first_index + i + 1;
    if (ordinal <= high_water_) return;
    high_water_ = ordinal;
    const ScriptPacket& p = session.packets[i];
    progress_.bytes_done += p.data_size + kFrameOverhead;
    if (!ends_row(session, i)) return;
    ++progress_.rows_done;
    progress_.row_address = p.row;
    events_.on_progress(progress_);
}

void ScriptRunner::exchange(Client& client, const ScriptPacket& p, const ScriptPacket& enter) {
    const std::span<const std::uint8_t> data = plan_.data(p);
    if (!p.answered) {
        client.command_unanswered(p.command, data);
        ++result_.packets_sent;
        return;
    }
    const ScriptCommand& c = plan_.command_of(p);
    Response r;
    for (unsigned attempt = 0;; ++attempt) {
        try {
            ++result_.packets_sent;
            // A .mtbdfu command retries only as often as its document says (often never):
            // its last attempt waits the document's whole timeout.
            r = client.command(p.command, data, c.timeout,
                               attempt >= c.retries ? Client::Wait::ceiling : Client::Wait::learned);
            break;
        } catch (const LinkFailure& f) {
            if (attempt >= c.retries)
                throw Failure{ExitCode::no_response,
                              fmt::format("{}: {}{}", plan_.where(p), f.what(),
                                          c.retries ? fmt::format(" ({} attempts)", attempt + 1) : "")};
            ++result_.retries;
            events_.on_recovery(Recovery{f.what(), plan_.where(p), attempt + 1, c.retries + 1});
            client.settle_after_error();
        }
    }
    if (r.status != c.expect_status)
        throw Failure{
            code_for_status(p.command, r.status),
            fmt::format("{}: {} answered {} (0x{:02X}), expected {}: {}", plan_.where(p), command_name(p.command),
                        status_name(r.status), r.status, status_name(c.expect_status), status_meaning(r.status))};
    if (c.expect_data && r.data != *c.expect_data)
        throw Failure{ExitCode::verify_failed,
                      fmt::format("{}: {} answered [{}], expected [{}]", plan_.where(p), command_name(p.command),
                                  hex_bytes(r.data), hex_bytes(*c.expect_data))};
    if (p.command == cmd::verify_app && !c.expect_data && r.status == status::success &&
        (r.data.empty() || r.data[0] != 0x01))
        throw Failure{ExitCode::verify_failed,
                      fmt::format("{}: the device reports application {} invalid (Verify Application answered {})",
                                  plan_.where(p), data.empty() ? 0 : data[0], hex_bytes(r.data))};
    if (p.command == cmd::enter)
        if (const auto id = identity_from_enter(r.data)) events_.on_device(*id);
    if (c.print_output) events_.on_payload(plan_.where(p), p.command, r.data);
    if (r.status != status::success && p.command != cmd::enter) {
        // Expected or not, an error answer sends the device back to NONE after its
        // hold-off (docs/protocol.md, "Device states" and "Timing"): follow it back into DFU
        // before going on.
        events_.on_note(
            fmt::format("{}: device answered {}; entering DFU again", plan_.where(p), status_name(r.status)));
        client.settle_after_error();
        exchange(client, enter, enter);
    }
}

ScriptResult ScriptRunner::run() {
    const auto started = std::chrono::steady_clock::now();
    result_ = ScriptResult{};
    LoggingSink sink(events_, plan_.logs);
    std::unique_ptr<transports::Transport> transport = open_();
    auto client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
    transports::Counters earlier;  // of transports closed by a reconnect
    auto finish = [&] {
        result_.elapsed = std::chrono::steady_clock::now() - started;
        result_.wire = earlier;
        if (transport) {  // null when reopening for a reconnect failed
            const transports::Counters& c = transport->counters();
            result_.wire.bytes_sent += c.bytes_sent;
            result_.wire.bytes_received += c.bytes_received;
            result_.wire.packets_sent += c.packets_sent;
            result_.wire.frames_received += c.frames_received;
            result_.wire.bytes_discarded += c.bytes_discarded;
        }
    };
    start_progress();
    std::size_t first_index = 0;  // of the session's first packet in the whole plan
    try {
        transport->discard_input();
        for (const ScriptSession& session : plan_.sessions) {
            std::map<std::size_t, unsigned> reconnects;  // per repetition start
            const ScriptPacket& enter = session.packets.front();
            std::size_t i = 0;
            while (i < session.packets.size()) {
                const ScriptPacket& p = session.packets[i];
                if (p.delay_before.count() > 0) std::this_thread::sleep_for(p.delay_before);
                const ScriptCommand& command = plan_.command_of(p);
                sink.route_to(command.log);
                Failure failure;
                try {
                    exchange(*client, p, enter);
                    packet_done(session, first_index, i);
                    ++i;
                    continue;
                } catch (const Failure& f) {
                    failure = f;
                }
                // Reopen the port and enter DFU again, spending one reconnect per try.
                unsigned& used = reconnects[p.redo_from];
                for (;;) {
                    if (used >= command.reconnect) throw Error(failure.code, failure.message);
                    ++used;
                    ++result_.reconnects;
                    events_.on_recovery(
                        Recovery{failure.message,
                                 fmt::format("reconnect and redo from {}", plan_.where(session.packets[p.redo_from])),
                                 used, command.reconnect});
                    client.reset();
                    finish();
                    earlier = result_.wire;
                    transport.reset();
                    std::this_thread::sleep_for(options_.error_holdoff);
                    transport = open_();
                    client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
                    transport->discard_input();
                    sink.route_to(-1);
                    try {
                        exchange(*client, enter, enter);
                        break;
                    } catch (const Failure& f) {
                        failure = f;
                    }
                }
                i = p.redo_from == 0 ? 1 : p.redo_from;
            }
            ++result_.sessions_done;
            first_index += session.packets.size();
        }
    } catch (const Failure& f) {
        finish();
        throw Error(f.code, f.message);
    } catch (...) {
        finish();
        rethrow_as_run_error(
            fmt::format("interrupted after {} packets; the device was not told the session "
                        "completed",
                        result_.packets_sent));
    }
    finish();
    return result_;
}

}  // namespace dfu
