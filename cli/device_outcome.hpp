#pragma once
// How one device's program / verify / erase ended, as the table, the `result` events and
// the reports tell it.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/result_json.hpp"
#include "core/error.hpp"
#include "core/firmware_job.hpp"
#include "core/flasher.hpp"

namespace dfu::cli {

// Where a device's run ended (the JUnit report's and the result's `phase`):
// "open" its port, "enter" DFU (the bootloader had not answered yet), "rows" (the device had
// answered, rows in progress), "finish" (every row done: application metadata, Verify
// Application, Exit), "done" (succeeded).
struct DeviceOutcome {
    std::string device;  // TransportChoice::label()
    ExitCode code = ExitCode::ok;
    std::string error;  // empty on success
    std::string phase;
    std::chrono::system_clock::time_point started;
    double seconds = 0;  // from starting to open the port to the result
    RunResult run;       // how far the engine got (empty when the port never opened)
    nlohmann::json result;  // the flash commands' `result` object (no event, schema, device, phase)

    bool ok() const noexcept { return code == ExitCode::ok; }
    // `result` with `device` and `phase`: a `device_result` event, an item of a report.
    nlohmann::json tagged_result() const;
};

// What a flash run cost, as every command's result tells it.
RunCost run_cost(const RunResult& r);
// The flash commands' `result` object for `r`.
nlohmann::json flash_result_json(const RunResult& r, const FirmwareJob& job, int exit_code, const std::string& error);

}  // namespace dfu::cli
