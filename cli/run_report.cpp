#include "cli/run_report.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/log_header.hpp"
#if DFUHOST_JUNIT_XML
#include "cli/junit_report.hpp"
#endif

namespace dfu::cli {

namespace {

Error usage(const std::string& message) {
    return Error(ExitCode::usage, message);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

ReportFormat report_format(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    if (ext == ".json") return ReportFormat::json;
    if (ext == ".xml") {
#if DFUHOST_JUNIT_XML
        return ReportFormat::junit_xml;
#else
        throw usage(fmt::format("--report {}: this build writes no XML (it was built without pugixml, as the "
                                "Windows build is); use --report FILE.json",
                                path));
#endif
    }
    throw usage(fmt::format("--report {}: name a .xml (JUnit XML) or a .json (JSON summary) file", path));
}

void check_report_writable(const std::string& path) {
    errno = 0;
    // Appending creates the file if needed and leaves an existing one as it is until the end.
    std::ofstream f(path, std::ios::out | std::ios::app);
    if (!f) throw usage(fmt::format("--report: cannot write {}: {}", path, std::strerror(errno)));
}

nlohmann::json report_json(const ReportRun& run, const std::vector<DeviceOutcome>& outcomes) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& o : outcomes) results.push_back(o.tagged_result());
    return {{"dfuhost_version", run.version},
            {"command_line", run.command_line},
            {"started", iso8601_local(run.started)},
            {"action", run.action},
            {"file", run.file},
            {"ok", run.exit_code == ExitCode::ok},
            {"exit_code", static_cast<int>(run.exit_code)},
            {"elapsed_s", run.seconds},
            {"results", results}};
}

void write_report(const std::string& path, const ReportRun& run, const std::vector<DeviceOutcome>& outcomes) {
    std::string text;
    if (report_format(path) == ReportFormat::json) {
        text = report_json(run, outcomes).dump(2) + "\n";
    } else {
#if DFUHOST_JUNIT_XML
        text = junit_xml(run, outcomes);
#endif
    }
    errno = 0;
    std::ofstream f(path, std::ios::out | std::ios::trunc | std::ios::binary);
    f << text;
    f.close();
    if (!f) throw usage(fmt::format("--report: cannot write {}: {}", path, std::strerror(errno)));
}

}  // namespace dfu::cli
