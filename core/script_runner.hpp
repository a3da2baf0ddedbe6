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
    unsigned retries = 0;
    unsigned reconnects = 0;
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

    const ScriptPlan& plan_;
    TransportFactory open_;
    EngineOptions options_;
    EventSink& events_;
    const std::atomic<bool>* cancel_;
    ScriptResult result_;
};

}  // namespace dfu
