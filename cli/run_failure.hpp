#pragma once
// How a failure ends a run: the exception that ended it as an exit code and a message, and,
// with several devices, which device's failure the process exit code reports.
#include <exception>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace dfu::cli {

struct Failure {
    ExitCode code = ExitCode::internal;
    std::string message;
};

// The exit code and message of any exception a run can end with: an input error is 3, a port
// that cannot be opened 4, a port that failed in use 5, a dfu::Error its own code, anything
// else an internal error (1).
Failure failure_of(std::exception_ptr e);

// The exit code of a run over several devices: the worst of theirs, in this order (README,
// "Exit codes"): 130 interrupted, 1 internal error, 4 transport cannot open, 5 no response,
// 8 identity mismatch, 6 device error, 7 verify failed, 3 input invalid, 2 usage, 0 success.
// An interruption stopped every device; a board that cannot be reached at all says most
// about the station; a board that answered wrong says more than one whose data differs.
ExitCode worst_exit(const std::vector<ExitCode>& codes);

}  // namespace dfu::cli
