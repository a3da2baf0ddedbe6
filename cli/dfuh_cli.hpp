#pragma once
// dfuhost as a drop-in for Infineon's dfuh-cli: run under the name `dfuh-cli` (a link to
// dfuhost), a dfuh-cli command line is translated into the equivalent dfuhost command line,
// which then runs through the same parser and code as any other. Only words are produced
// here; nothing is opened or read.
#include <string>
#include <string_view>
#include <vector>

namespace dfu::cli::dfuh {

// True when argv[0] names dfuh-cli: its base name is "dfuh-cli" or "dfuh-cli.exe".
bool invoked_as_dfuh_cli(std::string_view argv0);

// The dfuhost arguments (program name excluded) for dfuh-cli's `args` (program name
// excluded): `--program-device app.cyacd2 --hwid /dev/ttyUSB0 --uart-baudrate 115200` gives
// `program app.cyacd2 --uart /dev/ttyUSB0 --baud 115200`. Throws dfu::Error(usage) naming the
// dfuh-cli option at fault: unknown, missing its value, given twice, a value of the wrong form,
// options of two wires, or no action.
std::vector<std::string> to_dfuhost_args(const std::vector<std::string>& args);

// What `dfuh-cli --help` prints: every option accepted and the dfuhost option it becomes.
std::string help_text();

}  // namespace dfu::cli::dfuh
