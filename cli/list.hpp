#pragma once
// `dfuhost list`: every wire a DFU device could be on, and what each one is.
#include "cli/options.hpp"
#include "cli/reporter.hpp"

namespace dfu::cli {

int run_list(const RawOptions& raw, Reporter& out);

}  // namespace dfu::cli
