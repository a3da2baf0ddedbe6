#include "cli/usage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "cli/result_json.hpp"

namespace dfu::cli {

namespace {

std::string folded(std::string_view word) {
    while (!word.empty() && word.front() == '-') word.remove_prefix(1);
    std::string s(word);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// two neighbouring letters ("porgram") each cost one.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string w = folded(word);
    if (w.empty()) return std::nullopt;
    for (const auto& c : candidates)
        if (folded(c) == w) return c;
    std::vector<std::string> prefixed;
    for (const auto& c : candidates)
        if (folded(c).starts_with(w)) prefixed.push_back(c);
    if (prefixed.size() == 1) return prefixed.front();
    // A typo changes about one letter in three at most; beyond that the guess is noise.
    const std::size_t limit = std::max<std::size_t>(1, w.size() / 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        const std::size_t dist = edit_distance(w, folded(c));
        if (dist < best_distance) {
            best_distance = dist;
            best = c;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const auto c = closest(word, candidates);
    return c ? fmt::format("; did you mean '{}'?", *c) : std::string();
}

nlohmann::json failure_result(const UsageContext& context, ExitCode code, const std::string& message) {
    CommandResult failed(context.command, nlohmann::json::object());
    if (!context.file.empty()) failed.file = context.file;
    failed.code = code;
    failed.error = message;
    nlohmann::json result = result_json(failed);
    result["event"] = "result";
    result["schema"] = 1;
    return result;
}

int report_usage_error(const UsageContext& context, const std::string& message) {
    std::fprintf(stderr, "dfuhost: error: %s\nRun 'dfuhost %s%s--help' for usage.\n", message.c_str(),
                 context.command.c_str(), context.command.empty() ? "" : " ");
    if (context.json) {
        const std::string line = failure_result(context, ExitCode::usage, message).dump();
        std::fprintf(stdout, "%s\n", line.c_str());
        std::fflush(stdout);
    }
    return static_cast<int>(ExitCode::usage);
}

}  // namespace dfu::cli
