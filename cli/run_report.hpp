#pragma once
// --report FILE: what a run did to each device, for machines: JUnit XML (FILE.xml) for CI
// dashboards, or a JSON summary (FILE.json). Chosen by the extension; written once every
// device has finished.
#include <chrono>
#include <string>
#include <vector>

#include "cli/device_outcome.hpp"

namespace dfu::cli {

enum class ReportFormat { junit_xml, json };

// The run as a whole, around the devices' outcomes.
struct ReportRun {
    std::string version;                    // dfuhost's
    std::vector<std::string> command_line;  // argv
    std::chrono::system_clock::time_point started;
    std::string action;  // "program", "verify", "erase"
    std::string file;    // the image
    ExitCode exit_code = ExitCode::ok;
    double seconds = 0;
};

// The format `path` asks for. Throws Error(usage) naming --report for another extension, and
// for .xml in a build without an XML writer (the Windows build: see README, "Windows").
ReportFormat report_format(const std::string& path);

// Throws Error(usage) when `path` cannot be written (checked before any device is touched).
void check_report_writable(const std::string& path);

// The JSON summary: dfuhost_version, command_line, started, action, file, ok, exit_code,
// elapsed_s, and `results`, one `result` object per device (with `device` and `phase`).
nlohmann::json report_json(const ReportRun& run, const std::vector<DeviceOutcome>& outcomes);

// Writes the report in the format of its extension; throws Error(usage) if it cannot.
void write_report(const std::string& path, const ReportRun& run, const std::vector<DeviceOutcome>& outcomes);

}  // namespace dfu::cli
