#include "core/script_runner.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/recovery.hpp"
#include "core/requests.hpp"

namespace dfu {

// Forwards everything to the user's sink and copies the packets of commands that
// name an outFile into that file.
class OutFileSink final : public EventForwarder {
public:
    OutFileSink(EventSink& inner, const std::vector<std::filesystem::path>& paths)
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

namespace {

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

void ScriptRunner::exchange(Client& client, const ScriptPacket& p) {
    const std::span<const std::uint8_t> data = plan_.data(p);
    if (!p.answered) {
        client.command_unanswered(p.command, data);
        return;
    }
    const ScriptCommand& c = plan_.command_of(p);
    // A command the document gives no retries waits its whole timeout: nothing follows a
    // spurious timeout but the end of the run.
    const Response r =
        ask(client, p.command, data, c.timeout, c.retries ? Client::Wait::learned : Client::Wait::ceiling,
            c.expect_status);
    if (c.expect_data && r.data != *c.expect_data)
        throw Error(ExitCode::verify_failed,
                    fmt::format("{}: {} answered [{}], expected [{}]", plan_.where(p), command_name(p.command),
                                hex_bytes(r.data), hex_bytes(*c.expect_data)));
    if (p.command == cmd::verify_app && !c.expect_data && r.status == status::success &&
        requests::decode_verify_app(r.data) != true)
        throw Error(ExitCode::verify_failed,
                    fmt::format("{}: the device reports application {} invalid (Verify Application answered {})",
                                plan_.where(p), data.empty() ? 0 : data[0], hex_bytes(r.data)));
    if (c.print_output) events_.on_payload(plan_.where(p), p.command, r.data);
    if (r.status != status::success) {
        // An expected error answer sends the device back to NONE after its hold-off
        // (docs/protocol.md, "Device states" and "Timing") all the same: follow it back into DFU
        // before going on.
        events_.on_note(
            fmt::format("{}: device answered {}; entering DFU again", plan_.where(p), status_name(r.status)));
        client.settle_after_error();
        enter(client, false);
    }
}

DeviceIdentity ScriptRunner::enter(Client& client, bool first) {
    const ScriptCommand& c = plan_.command_of(*enter_);
    sink_->route_to(c.log);
    const DeviceIdentity id = enter_device(
        client, plan_.product_id, c.timeout,
        [this](const Recovery& r) {
            ++result_.retries;
            events_.on_recovery(r);
        },
        first);
    entered_ = true;
    return id;
}

void ScriptRunner::reenter(Client& client) {
    client.settle_after_error();
    enter(client, false);
    // Whatever part of a row the device buffered before the failure is stale.
    client.command_unanswered(cmd::sync, {});
}

void ScriptRunner::run_session(const ScriptSession& session, std::size_t first_index, std::unique_ptr<Client>& client,
                               const std::function<void()>& reopen) {
    const std::vector<ScriptPacket>& packets = session.packets;
    std::optional<UnitAttempts> attempts;        // of the unit being sent, from its first failure
    std::size_t frontier = 1;                    // every packet before it has gone through once
    unsigned unsure = 0;                         // Send Data answers lost running
    std::map<std::size_t, unsigned> reconnects;  // per unit
    std::size_t i = 1;                           // the Enter DFU at 0 is enter()'s
    while (i < packets.size()) {
        const ScriptPacket& p = packets[i];
        const ScriptCommand& c = plan_.command_of(p);
        if (p.delay_before.count() > 0) std::this_thread::sleep_for(p.delay_before);
        if (!p.answered && p.command == cmd::exit && !result_.mismatched.empty())
            throw Error(ExitCode::verify_failed, findings_text());  // not told the update is good
        sink_->route_to(c.log);
        std::string reason;
        ExitCode code = ExitCode::no_response;
        try {
            exchange(*client, p);
            unsure = 0;
            packet_done(session, first_index, i);
            // A unit gone through for the first time: the next one starts with a fresh budget.
            if (++i > frontier) {
                frontier = i;
                if (i == packets.size() || packets[i].unit != p.unit) attempts.reset();
            }
            continue;
        } catch (const LinkFailure& f) {
            // The device may or may not have buffered this chunk. Going on costs nothing: the
            // row's Program/Verify Data carries its CRC-32C, so a wrong buffer is refused and the
            // row redone. Two lost answers running mean the link or the device is gone.
            if (p.answer_may_be_lost && ++unsure <= 1) {
                ++result_.retries;
                events_.on_recovery(Recovery{fmt::format("{}; going on, the row's CRC-32C decides", f.what()),
                                             plan_.where(packets[p.unit]), unsure, 1, false});
                ++i;
                continue;
            }
            reason = fmt::format("{}: {}", plan_.where(p), f.what());
        } catch (const DeviceStatus& s) {
            if (s.status == status::verify && p.mismatch_is_finding) {
                // A row that differs is a finding: note it, follow the device back into DFU, go on.
                result_.mismatched.push_back(plan_.where(p));
                sink_->route_to(-1);
                client->settle_after_error();
                enter(*client, false);
                packet_done(session, first_index, i);
                if (++i > frontier) frontier = i;
                attempts.reset();
                continue;
            }
            code = code_for_status(p.command, s.status);
            reason = fmt::format("{}: {} answered {} (0x{:02X}), expected {}: {}", plan_.where(p),
                                 command_name(p.command), status_name(s.status), s.status,
                                 status_name(c.expect_status), status_meaning(s.status));
            if (!status_is_transient(s.status)) throw Error(code, reason);
        }
        // Redo the unit: wait out the hold-off, enter DFU again, drop the stale row buffer, and
        // send the unit from its first packet. Once its attempts are spent, reopen the port
        // if the document allows (reconnect), else the run ends.
        if (!attempts) attempts.emplace(c.retries);
        const std::string unit = plan_.where(packets[p.unit]);
        sink_->route_to(-1);
        if (attempts->failed_at(i - p.unit)) {
            unsigned& used = reconnects[p.unit];
            if (used >= c.reconnect)
                throw Error(code, attempts->attempt() > 1
                                      ? fmt::format("{} (after {} attempts)", reason, attempts->attempt())
                                      : reason);
            ++used;
            ++result_.reconnects;
            events_.on_recovery(Recovery{reason, fmt::format("reconnect and redo from {}", unit), used, c.reconnect});
            reopen();
            attempts.emplace(c.retries);
        } else {
            ++result_.retries;
            events_.on_recovery(Recovery{reason, unit, attempts->attempt(), attempts->max_attempts()});
            attempts->next();
        }
        reenter(*client);
        unsure = 0;
        i = std::max<std::size_t>(p.unit, 1);
    }
}

std::string ScriptRunner::findings_text() const {
    std::string list;
    for (std::size_t i = 0; i < result_.mismatched.size() && i < 8; ++i)
        list += fmt::format("{}{}", i ? ", " : "", result_.mismatched[i]);
    if (result_.mismatched.size() > 8) list += ", ...";
    const bool one = result_.mismatched.size() == 1;
    return fmt::format("verify failed: {} row{} differ{}: {}", result_.mismatched.size(), one ? "" : "s",
                       one ? "s" : "", list);
}

ScriptResult ScriptRunner::run() {
    const auto started = std::chrono::steady_clock::now();
    result_ = ScriptResult{};
    entered_ = false;
    OutFileSink sink(events_, plan_.logs);
    sink_ = &sink;
    std::unique_ptr<transports::Transport> transport = open_();
    auto client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
    transports::Counters earlier;  // of transports closed by a reconnect
    std::uint64_t earlier_commands = 0;
    auto finish = [&] {
        result_.elapsed = std::chrono::steady_clock::now() - started;
        result_.packets_sent = earlier_commands + (client ? client->commands_sent() : 0);
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
    // Reopen the port for a reconnect (the Enter DFU that follows is the caller's).
    auto reopen = [&] {
        earlier_commands += client->commands_sent();
        client.reset();
        finish();
        earlier = result_.wire;
        transport.reset();
        std::this_thread::sleep_for(options_.error_holdoff);
        transport = open_();
        client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
        transport->discard_input();
    };
    start_progress();
    std::size_t first_index = 0;  // of the session's first packet in the whole plan
    try {
        transport->discard_input();
        for (const ScriptSession& session : plan_.sessions) {
            enter_ = &session.packets.front();
            events_.on_device(enter(*client, !entered_));
            packet_done(session, first_index, 0);
            run_session(session, first_index, client, reopen);
            ++result_.sessions_done;
            first_index += session.packets.size();
        }
    } catch (...) {
        finish();
        rethrow_as_run_error(
            fmt::format("interrupted after {} packets; the device was not told the session "
                        "completed",
                        result_.packets_sent));
    }
    finish();
    if (!result_.mismatched.empty()) throw Error(ExitCode::verify_failed, findings_text());
    return result_;
}

}  // namespace dfu
