#include "cli/device_run.hpp"

#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "cli/run_failure.hpp"

namespace dfu::cli {

namespace {

using Clock = std::chrono::steady_clock;

// How often a device that is not there yet is looked for: the port's node appears when the
// board re-enumerates, and nothing tells a process that portably.
constexpr std::chrono::milliseconds kAppearPoll{50};

// Notes from the engine's events how far the run got, and passes them all on.
class PhaseTracker final : public EventForwarder {
public:
    using EventForwarder::EventForwarder;
    std::string phase = "open";

    void on_device(const DeviceIdentity& id) override {
        if (phase == "enter") phase = "rows";
        EventForwarder::on_device(id);
    }
    void on_progress(const Progress& p) override {
        if (p.rows_done == p.rows_total) phase = "finish";
        EventForwarder::on_progress(p);
    }
};

// Ports are opened one at a time: hidapi and libusb set up process-wide state on first use.
std::unique_ptr<transports::Transport> open_alone(const TransportChoice& wire, DeviceChannel& out) {
    static std::mutex opening;
    const std::lock_guard lock(opening);
    return wire.open([&out](const std::string& line) { out.debug(line); });
}

}  // namespace

DeviceOutcome flash_device(const FlashRequest& request, const TransportChoice& wire, DeviceChannel& out,
                           const std::function<void(const transports::Transport&, const EngineOptions&)>& opened) {
    const FirmwareJob& job = *request.job;
    DeviceOutcome outcome;
    outcome.device = wire.label();
    outcome.started = std::chrono::system_clock::now();
    outcome.run.action = request.action;
    outcome.run.rows_total = job.row_count();
    outcome.run.bytes_total = job.payload_bytes();
    const auto began = Clock::now();
    const auto deadline = began + request.wait;
    // Another try is worth it while --wait's time lasts and nobody pressed Ctrl-C.
    auto may_wait = [&] {
        return request.wait.count() > 0 && Clock::now() < deadline &&
               !(request.interrupted && request.interrupted->load());
    };
    PhaseTracker tracker(out);
    auto finish = [&](ExitCode code, std::string error) {
        if (code != ExitCode::ok && request.wait.count() > 0 && (tracker.phase == "open" || tracker.phase == "enter"))
            error += fmt::format(" (waited {} s for the device)", request.wait.count());
        outcome.code = code;
        outcome.error = std::move(error);
        outcome.phase = code == ExitCode::ok ? "done" : tracker.phase;
        outcome.seconds = std::chrono::duration<double>(Clock::now() - began).count();
        outcome.result = flash_result_json(outcome.run, job, static_cast<int>(code), outcome.error);
        return outcome;
    };
    try {
        for (;;) {
            tracker.phase = "open";
            std::unique_ptr<transports::Transport> transport;
            try {
                transport = open_alone(wire, out);
            } catch (const transports::OpenError&) {
                if (!may_wait()) throw;
                std::this_thread::sleep_for(kAppearPoll);
                continue;
            }
            EngineOptions engine = request.engine;
            fit_packet_size(engine, *request.raw, *transport);
            if (opened) opened(*transport, engine);
            tracker.phase = "enter";
            Flasher flasher(*transport, job, engine, tracker, request.interrupted);
            try {
                outcome.run = flasher.run(request.action);
                return finish(ExitCode::ok, "");
            } catch (const Error& e) {
                outcome.run = flasher.result();
                // A board still resetting does not answer yet: ask it again while --wait lasts.
                if (tracker.phase == "enter" && e.code() == ExitCode::no_response && may_wait()) continue;
                const RunResult& r = outcome.run;
                if (request.action == Action::program && r.rows_done < r.rows_total && r.rows_done > 0)
                    out.warning(
                        fmt::format("{} of {} rows were written before the failure", r.rows_done, r.rows_total));
                return finish(e.code(), e.what());
            }
        }
    } catch (...) {
        const Failure f = failure_of(std::current_exception());
        return finish(f.code, f.message);
    }
}

}  // namespace dfu::cli
