#pragma once
// The JUnit XML form of --report, written with pugixml: one <testsuite> for the run, one
// <testcase> per device (name: the device; classname: dfuhost.ACTION; time: its seconds),
// a <failure> (message: the error; type: the exit code's name) for a device that failed,
// and in <system-out> the phase, exit code, rows and bytes as "key: value" lines.
// Not in the Windows build, which has no pugixml (see README, "Windows").
#include <string>
#include <vector>

#include "cli/run_report.hpp"

namespace dfu::cli {

std::string junit_xml(const ReportRun& run, const std::vector<DeviceOutcome>& outcomes);

}  // namespace dfu::cli
