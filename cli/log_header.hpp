#pragma once
// The first lines of a --log file: which program, which command line, when. A log read
// weeks later must say what produced it.
#include <chrono>
#include <string>
#include <vector>

namespace dfu::cli {

// `arg` as a POSIX shell reads it back: bare when it holds only characters no shell treats
// specially, otherwise in single quotes (a ' inside written as '\'').
std::string shell_quote(const std::string& arg);

// ISO 8601 local time with its UTC offset: 2026-12-04T11:02:03+01:00.
std::string iso8601_local(std::chrono::system_clock::time_point t);

// "# dfuhost 0.1.0\n# command: dfuhost program 'my app.hex' ...\n# started: ...\n"
std::string log_header(const std::string& version, const std::vector<std::string>& argv,
                       std::chrono::system_clock::time_point started);

}  // namespace dfu::cli
