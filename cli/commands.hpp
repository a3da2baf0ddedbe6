#pragma once
#include <atomic>

#include "cli/options.hpp"
#include "cli/reporter.hpp"
#include "core/flasher.hpp"

namespace dfu::cli {

// Each returns the process exit code; failures come as exceptions mapped in main().
int run_flash(Action action, const RawOptions& options, Reporter& out, const std::atomic<bool>& interrupted);
int run_info(const RawOptions& options, Reporter& out, const std::atomic<bool>& interrupted);

}  // namespace dfu::cli
