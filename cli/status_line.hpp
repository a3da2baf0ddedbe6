#pragma once
// The one-line status a terminal shows while a command runs: the progress bar, or what the
// engine is waiting for. Pure text, so the fitting to the window is testable without one.
#include <cstddef>
#include <string>
#include <vector>

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

// Several devices at once: one line each, "LABEL  STATUS", the labels padded to one width.
struct DeviceLine {
    std::string label;
    std::string status;  // a progress_line(), a waiting_line(), "done", "failed (exit 5): ..."
};

// The room a device's status has on a line of `columns` after labels `label_width` wide.
std::size_t device_status_room(std::size_t columns, std::size_t label_width);

// What redraws the lines of several devices in place: the cursor goes up over the
// `drawn_before` lines drawn last time, then each line is written over its old self (cut to
// columns - 1, the rest of the old text erased) and ended with a newline, so the cursor
// rests below the block.
std::string device_lines(const std::vector<DeviceLine>& lines, std::size_t drawn_before, std::size_t columns);

// Takes `drawn` such lines away: the cursor goes up to where they began and clears below.
std::string erase_device_lines(std::size_t drawn);

}  // namespace dfu::cli
