#include "cli/junit_report.hpp"

#include <fmt/format.h>

#include <sstream>

#include <pugixml.hpp>

#include "cli/log_header.hpp"

namespace dfu::cli {

namespace {

// The exit code's meaning as a word, for <failure type=...> (README, "Exit codes").
const char* exit_name(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "ok";
        case ExitCode::internal:
            return "internal_error";
        case ExitCode::usage:
            return "usage";
        case ExitCode::input_invalid:
            return "input_invalid";
        case ExitCode::transport_open:
            return "transport_open";
        case ExitCode::no_response:
            return "no_response";
        case ExitCode::device_error:
            return "device_error";
        case ExitCode::verify_failed:
            return "verify_failed";
        case ExitCode::identity_mismatch:
            return "identity_mismatch";
        case ExitCode::interrupted:
            return "interrupted";
    }
    return "unknown";
}

std::string seconds_text(double s) {
    return fmt::format("{:.3f}", s);
}

}  // namespace

std::string junit_xml(const ReportRun& run, const std::vector<DeviceOutcome>& outcomes) {
    pugi::xml_document doc;
    auto declaration = doc.append_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";

    std::size_t failures = 0;
    for (const auto& o : outcomes) failures += !o.ok();
    const std::string suite_name = fmt::format("dfuhost {} {}", run.action, run.file);
    auto suites = doc.append_child("testsuites");
    suites.append_attribute("name") = suite_name.c_str();
    suites.append_attribute("tests") = static_cast<unsigned long long>(outcomes.size());
    suites.append_attribute("failures") = static_cast<unsigned long long>(failures);
    suites.append_attribute("errors") = 0;
    suites.append_attribute("time") = seconds_text(run.seconds).c_str();

    auto suite = suites.append_child("testsuite");
    suite.append_attribute("name") = suite_name.c_str();
    suite.append_attribute("tests") = static_cast<unsigned long long>(outcomes.size());
    suite.append_attribute("failures") = static_cast<unsigned long long>(failures);
    suite.append_attribute("errors") = 0;
    suite.append_attribute("skipped") = 0;
    suite.append_attribute("time") = seconds_text(run.seconds).c_str();
    suite.append_attribute("timestamp") = iso8601_local(run.started).c_str();
    auto properties = suite.append_child("properties");
    auto property = [&](const char* name, const std::string& value) {
        auto p = properties.append_child("property");
        p.append_attribute("name") = name;
        p.append_attribute("value") = value.c_str();
    };
    std::string command;
    for (const auto& a : run.command_line) command += (command.empty() ? "" : " ") + shell_quote(a);
    property("dfuhost_version", run.version);
    property("command_line", command);
    property("exit_code", std::to_string(static_cast<int>(run.exit_code)));

    const std::string classname = "dfuhost." + run.action;
    for (const auto& o : outcomes) {
        auto test = suite.append_child("testcase");
        test.append_attribute("name") = o.device.c_str();
        test.append_attribute("classname") = classname.c_str();
        test.append_attribute("time") = seconds_text(o.seconds).c_str();
        if (!o.ok()) {
            auto failure = test.append_child("failure");
            failure.append_attribute("message") = o.error.c_str();
            failure.append_attribute("type") = exit_name(o.code);
            failure.text() = fmt::format("exit code {} in phase {}: {}", static_cast<int>(o.code), o.phase, o.error)
                                 .c_str();
        }
        const std::string out = fmt::format(
            "phase: {}\nexit_code: {}\nstarted: {}\nrows: {}/{}\nbytes: {}/{}\n", o.phase, static_cast<int>(o.code),
            iso8601_local(o.started), o.run.rows_done, o.run.rows_total, o.run.bytes_done, o.run.bytes_total);
        test.append_child("system-out").text() = out.c_str();
    }
    std::ostringstream text;
    doc.save(text, "  ", pugi::format_default, pugi::encoding_utf8);
    return text.str();
}

}  // namespace dfu::cli
