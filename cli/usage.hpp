#pragma once
// Usage errors (exit 2): the nearest valid word for a mistyped one, and the way a usage
// error is reported before any command has started (stderr line, and under --json one
// `result` event as the last line of stdout).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace dfu::cli {

// The candidate the user most likely meant by `word`: the same word in another case, the
// only candidate `word` is a prefix of, else the nearest by edit distance (a swap of two
// neighbouring letters counts once) if it is near enough to be a typo. Leading dashes are
// ignored in the comparison and kept in the answer.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'X'?" for closest(), or "" when nothing is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// What is known about the command line when a usage error ends it.
struct UsageContext {
    bool json = false;
    std::string command;  // "program", ...; empty when not known
    std::string file;     // the FILE argument; empty when not given
};

// The result event of a run that failed before its command could send a richer one:
// "event":"result","schema":1,"ok":false, the exit code, the error, and action and file when known.
nlohmann::json failure_result(const UsageContext& context, ExitCode code, const std::string& message);

// Prints the error (and the hint to --help) on stderr and, under --json, the result event on
// stdout. Returns the usage exit code.
int report_usage_error(const UsageContext& context, const std::string& message);

}  // namespace dfu::cli
