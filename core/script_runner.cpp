#include "core/script_runner.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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

ScriptRunner::ScriptRunner(const ScriptPlan& plan, TransportFactory open, EngineOptions options, EventSink& events,
                           const std::atomic<bool>* cancel)
    : plan_(plan), open_(std::move(open)), options_(options), events_(events), cancel_(cancel) {}

void ScriptRunner::start_progress() {
    progress_ = Progress{};
    progress_.bytes_total = plan_.bytes_to_device();
    for (const ScriptSession& s : plan_.sessions)
        for (std::size_t i = 0; i < s.packets.size(); ++i) progress_.rows_total += ends_row(s, i);
}

void ScriptRunner::went_through(const ScriptPacket& p, bool row_end) {
    progress_.bytes_done += p.data_size + kFrameOverhead;
    if (!row_end) return;
    ++progress_.rows_done;
    progress_.row_address = p.row;
    events_.on_progress(progress_);
}

void ScriptRunner::answered(const ScriptPacket& p, const Response& r) {
    const ScriptCommand& c = plan_.command_of(p);
    if (p.command == cmd::verify_app && !c.expect_data && r.status == status::success &&
        requests::decode_verify_app(r.data) != true) {
        const std::span<const std::uint8_t> data = plan_.data(p);
        throw Error(ExitCode::verify_failed,
                    fmt::format("{}: the device reports application {} invalid (Verify Application answered {})",
                                plan_.where(p), data.empty() ? 0 : data[0], hex_bytes(r.data)));
    }
}

void ScriptRunner::differs(const ScriptPacket& p) {
    result_.mismatched.push_back(plan_.where(p));
}

void ScriptRunner::before_exit() {
    // Rows differ: the device is not told the update is good.
    if (!result_.mismatched.empty()) throw Error(ExitCode::verify_failed, findings_text());
}

void ScriptRunner::route(int log) {
    sink_->route_to(log);
}

Client& ScriptRunner::reconnect() {
    return reopen_();
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
    OutFileSink sink(events_, plan_.logs);
    sink_ = &sink;
    std::unique_ptr<transports::Transport> transport = open_();
    auto client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
    PlanRunner runner(plan_, *client, *this, sink);
    transports::Counters earlier;  // of transports closed by a reconnect
    std::uint64_t earlier_commands = 0;
    auto finish = [&] {
        result_.elapsed = std::chrono::steady_clock::now() - started;
        result_.packets_sent = earlier_commands + (client ? client->commands_sent() : 0);
        result_.sessions_done = runner.sessions_done();
        result_.retries = runner.retries();
        result_.reconnects = runner.reconnects();
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
    // Reopens the port for a reconnect, the device's hold-off already waited out by the engine
    // (the Enter DFU that follows is the engine's too).
    reopen_ = [&]() -> Client& {
        earlier_commands += client->commands_sent();
        client.reset();
        finish();
        earlier = result_.wire;
        transport.reset();
        transport = open_();
        client = std::make_unique<Client>(*transport, plan_.checksum, options_, sink, cancel_);
        transport->discard_input();
        return *client;
    };
    start_progress();
    try {
        runner.run();
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
