#pragma once
// The one-line status a terminal shows while a command runs: the progress bar, or what the
// engine is waiting for. Pure text, so the fitting to the window is testable without one.
#include <cstddef>
#include <string>

#include "core/events.hpp"

namespace dfu::cli {

// Used when the terminal cannot tell its width.
inline constexpr std::size_t kDefaultColumns = 80;

// "[#####.....] 12/192 rows  45.1 KiB/s  ETA 3.1 s", dropping the rate, the ETA and then the
// bar until it fits: never more than columns - 1 characters, so the cursor never reaches the
// last column and the line never wraps. `seconds` is the time since the run started.
std::string progress_line(const Progress& p, double seconds, std::size_t columns);

// "waiting for answer to Program Data row 0x10002000 (1.2 s)", cut to columns - 1.
std::string waiting_line(const Waiting& w, std::size_t columns);

}  // namespace dfu::cli
