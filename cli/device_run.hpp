#pragma once
// One device's program / verify / erase, from opening its port to its result: the same for
// the only device of a run and for each of several driven at once (one thread each).
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "cli/device_outcome.hpp"
#include "cli/options.hpp"
#include "cli/reporter.hpp"
#include "cli/transport_choice.hpp"
#include "core/firmware_job.hpp"
#include "core/flasher.hpp"

namespace dfu::cli {

// What every device of the run does, shared read-only by their threads.
struct FlashRequest {
    Action action = Action::program;
    const FirmwareJob* job = nullptr;
    const RawOptions* raw = nullptr;
    EngineOptions engine;
    // --wait: how long a device may take to appear and to answer Enter DFU; zero: no waiting.
    std::chrono::seconds wait{0};
    const std::atomic<bool>* interrupted = nullptr;
};

// Opens the device (waiting for it to appear within request.wait), runs the engine, and keeps
// asking Enter DFU again until the bootloader answers or request.wait is over. Never throws:
// a failure is in the outcome. `opened` is called once the port is open, with the engine
// options fitted to it (the single-device run says there what it does).
DeviceOutcome flash_device(const FlashRequest& request, const TransportChoice& wire, DeviceChannel& out,
                           const std::function<void(const transports::Transport&, const EngineOptions&)>& opened = {});

}  // namespace dfu::cli
