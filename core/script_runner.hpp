#pragma once
// Runs a ScriptPlan (.mtbdfu) against one device on the engine every run uses
// (core/plan_runner.hpp): the unit of each packet is redone after a lost, garbled or
// transiently refused answer, with the document's retriesCount, reconnect and timeouts as the
// recovery policy's parameters.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/client.hpp"
#include "core/events.hpp"
#include "core/plan_runner.hpp"
#include "core/script_plan.hpp"
#include "transports/transport.hpp"

namespace dfu {

struct ScriptResult {
    std::size_t sessions_done = 0;
    std::uint64_t packets_sent = 0;  // every packet sent, recoveries' included
    unsigned retries = 0;            // one Recovery event each: units redone, lost answers let pass
    unsigned reconnects = 0;         // one Recovery event each
    std::vector<std::string> mismatched;  // Verify Data rows that differ, where they are in the document
    std::chrono::duration<double> elapsed{};
    transports::Counters wire;  // of the transport in use at the end
};

// Opens the transport again for a "reconnect".
using TransportFactory = std::function<std::unique_ptr<transports::Transport>()>;

class OutFileSink;

// `run`: the front of the one engine (core/plan_runner.hpp) for a .mtbdfu plan: it owns the
// port and reopens it for a reconnect, copies outFile commands' packets into their logs,
// reports progress in data-file rows and frame bytes, and ends the run on an invalid
// application at once and on rows that differ before the Exit DFU.
class ScriptRunner : private PlanFront {
public:
    ScriptRunner(const ScriptPlan& plan, TransportFactory open, EngineOptions options, EventSink& events,
                 const std::atomic<bool>* cancel = nullptr);
    // Throws dfu::Error with the exit code of what failed; result() tells how far it got.
    ScriptResult run();
    const ScriptResult& result() const noexcept { return result_; }

private:
    std::string findings_text() const;
    // Progress counts data-file rows (their last packet answered) and the plan's frame bytes.
    void start_progress();

    // PlanFront
    void answered(const ScriptPacket& p, const Response& r) override;
    void went_through(const ScriptPacket& p, bool row_end) override;
    void differs(const ScriptPacket& p) override;
    void before_exit() override;
    void route(int log) override;
    Client& reconnect() override;

    const ScriptPlan& plan_;
    TransportFactory open_;
    EngineOptions options_;
    EventSink& events_;
    const std::atomic<bool>* cancel_;
    ScriptResult result_;
    Progress progress_;
    OutFileSink* sink_ = nullptr;
    std::function<Client&()> reopen_;  // set by run(), which owns the port
};

}  // namespace dfu
