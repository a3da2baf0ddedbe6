#pragma once
#include <atomic>

#include "cli/options.hpp"
#include "cli/reporter.hpp"

namespace dfu::cli {

// `send COMMAND [--data HEX]`: one command in a DFU session of its own, its status and data
// printed (and in the `result`). 0 on SUCCESS (or an unanswered command sent), exit 6 on any
// other status.
int run_send(const RawOptions& options, Reporter& out, const std::atomic<bool>& interrupted);

}  // namespace dfu::cli
