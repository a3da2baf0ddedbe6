#pragma once
// Runs a ScriptPlan (.mtbdfu) against one device.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "core/client.hpp"
#include "core/events.hpp"
#include "core/script_plan.hpp"
#include "transports/transport.hpp"

namespace dfu {

struct ScriptResult {
    std::size_t sessions_done = 0;
    std::uint64_t packets_sent = 0;
    unsigned retries = 0;     // one Recovery event each
    unsigned reconnects = 0;  // one Recovery event each
    std::chrono::duration<double> elapsed{};
    transports::Counters wire;  // of the transport in use at the end
};

// Opens the transport again for a "reconnect".
using TransportFactory = std::function<std::unique_ptr<transports::Transport>()>;

class ScriptRunner {
public:
    ScriptRunner(const ScriptPlan& plan, TransportFactory open, EngineOptions options, EventSink& events,
                 const std::atomic<bool>* cancel = nullptr);
    // Throws dfu::Error with the exit code of what failed; result() tells how far it got.
    ScriptResult run();
    const ScriptResult& result() const noexcept { return result_; }

private:
    void exchange(Client& client, const ScriptPacket& p, const ScriptPacket& enter);
    // Progress counts data-file rows (their last packet answered) and the plan's frame bytes.
    void start_progress();
    void packet_done(const ScriptSession& session, std::size_t first_index, std::size_t i);

    const ScriptPlan& plan_;
    TransportFactory open_;
    EngineOptions options_;
    EventSink& events_;
    const std::atomic<bool>* cancel_;
    ScriptResult result_;
    Progress progress_;
    std::size_t high_water_ = 0;  // packets of the plan answered so far, counted once
};

}  // namespace dfu
