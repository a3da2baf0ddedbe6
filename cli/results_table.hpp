#pragma once
// The table a run over several devices ends with: one line per device with its result.
#include <string>
#include <vector>

#include "cli/device_outcome.hpp"

namespace dfu::cli {

// "DEVICE  RESULT  ROWS  TIME  ERROR" lines, columns aligned, in the order given:
//   uart /dev/ttyUSB0  ok             192/192  12.4 s
//   uart /dev/ttyUSB1  failed exit 5    0/192   3.0 s  no response to Enter DFU (phase enter)
std::string results_table(const std::vector<DeviceOutcome>& outcomes);

}  // namespace dfu::cli
