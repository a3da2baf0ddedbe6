#pragma once
// `inspect`: what a file holds and what sending it would cost, without a device.
#include "cli/options.hpp"
#include "cli/reporter.hpp"

namespace dfu::cli {

int run_inspect(const RawOptions& options, Reporter& out);

}  // namespace dfu::cli
