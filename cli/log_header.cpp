#include "cli/log_header.hpp"

#include <fmt/format.h>

#include "platform/local_time.hpp"

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
    const platform::LocalTime local = platform::local_time(std::chrono::system_clock::to_time_t(t));
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local.calendar);
    // ISO 8601's extended form, which the date part uses, writes the offset as +01:00.
    const long offset_minutes = local.utc_offset_seconds / 60;
    const long magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    return fmt::format("{}{}{:02}:{:02}", std::string_view(text, n), offset_minutes < 0 ? '-' : '+',
                       magnitude / 60, magnitude % 60);
}

std::string log_header(const std::string& version, const std::vector<std::string>& argv,
                       std::chrono::system_clock::time_point started) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    return fmt::format("# dfuhost {}\n# command: {}\n# started: {}\n", version, command, iso8601_local(started));
}

}  // namespace dfu::cli
