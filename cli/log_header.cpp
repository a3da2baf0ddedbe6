#include "cli/log_header.hpp"

#include <fmt/format.h>

#include <ctime>

namespace dfu::cli {

std::string shell_quote(const std::string& arg) {
    constexpr std::string_view kSafe =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
    if (!arg.empty() && arg.find_first_not_of(kSafe) == std::string::npos) return arg;
    std::string quoted = "'";
    for (const char c : arg) {
        if (c == '\'')
            quoted += "'\\''";
        else
            quoted += c;
    }
    return quoted + "'";
}

std::string iso8601_local(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char text[40];
    // %z gives +0100; ISO 8601's extended form, which the date part uses, wants +01:00.
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &local);
    std::string s(text, n);
    if (s.size() >= 5) s.insert(s.size() - 2, ":");
    return s;
}

std::string log_header(const std::string& version, const std::vector<std::string>& argv,
                       std::chrono::system_clock::time_point started) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    return fmt::format("# dfuhost {}\n# command: {}\n# started: {}\n", version, command, iso8601_local(started));
}

}  // namespace dfu::cli
