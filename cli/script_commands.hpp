#pragma once
// `run` (execute a .mtbdfu) and `generate` (write one from an image).
#include <atomic>

#include "cli/options.hpp"
#include "cli/reporter.hpp"

namespace dfu::cli {

int run_mtbdfu(const RawOptions& options, Reporter& out, const std::atomic<bool>& interrupted);
int run_generate(const RawOptions& options, Reporter& out);

}  // namespace dfu::cli
