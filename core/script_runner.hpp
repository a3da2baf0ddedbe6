#pragma once
// Runs a ScriptPlan (.mtbdfu) against one device, recovering as core/recovery.hpp says: the
// unit of each packet is redone after a lost, garbled or transiently refused answer, with the
// document's retriesCount, reconnect and timeouts as the policy's parameters.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/client.hpp"
#include "core/events.hpp"
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

class ScriptRunner {
public:
    ScriptRunner(const ScriptPlan& plan, TransportFactory open, EngineOptions options, EventSink& events,
                 const std::atomic<bool>* cancel = nullptr);
    // Throws dfu::Error with the exit code of what failed; result() tells how far it got.
    ScriptResult run();
    const ScriptResult& result() const noexcept { return result_; }

private:
    // Sends one packet and checks its answer: throws LinkFailure, DeviceStatus (a status other
    // than the expected one), or Error for a failure no redo can mend (an expected payload
    // that differs, an invalid application).
    void exchange(Client& client, const ScriptPacket& p);
    void run_session(const ScriptSession& session, std::size_t first_index, std::unique_ptr<Client>& client,
                     const std::function<void()>& reopen);
    // The session's Enter DFU (its recoveries counted as retries); `first`: of the run.
    DeviceIdentity enter(Client& client, bool first);
    // After an error: hold-off, Enter DFU, Sync.
    void reenter(Client& client);
    std::string findings_text() const;
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
    OutFileSink* sink_ = nullptr;
    const ScriptPacket* enter_ = nullptr;  // the current session's Enter DFU
    bool entered_ = false;                 // the device has taken the product ID in this run
};

}  // namespace dfu
