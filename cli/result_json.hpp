#pragma once
// Every command's `result` object comes from here: the keys all share (ok, exit_code, action,
// file, error), the cost of a run that talked to devices in one shape whichever command ran it
// (elapsed_s, recoveries, wire), then the command's own findings.
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "transports/transport.hpp"

namespace dfu::cli {

// What talking to the device(s) cost.
struct RunCost {
    std::chrono::duration<double> elapsed{};
    unsigned recoveries = 0;    // one `recovery` event each
    std::uint64_t commands = 0;  // packets sent
    transports::Counters wire;

    // Several devices' costs together (elapsed is the caller's: the devices ran at once).
    RunCost& operator+=(const RunCost& other) noexcept;
};

struct CommandResult {
    CommandResult(std::string action_, nlohmann::json findings_)
        : action(std::move(action_)), findings(std::move(findings_)) {}

    std::string action;
    std::optional<std::string> file;  // the input, when the command has one
    ExitCode code = ExitCode::ok;
    std::string error;            // empty on success
    std::optional<RunCost> cost;  // commands that ran a device
    nlohmann::json findings;      // what this command found or did (an object)
};

// The `result` object (the Reporter adds `event` and `schema`).
nlohmann::json result_json(const CommandResult& r);

}  // namespace dfu::cli
