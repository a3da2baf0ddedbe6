#include "cli/results_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace dfu::cli {

std::string results_table(const std::vector<DeviceOutcome>& outcomes) {
    using Row = std::array<std::string, 5>;
    std::vector<Row> rows{{"DEVICE", "RESULT", "ROWS", "TIME", "ERROR"}};
    for (const DeviceOutcome& o : outcomes)
        rows.push_back({o.device, o.ok() ? "ok" : fmt::format("failed exit {}", static_cast<int>(o.code)),
                        fmt::format("{}/{}", o.run.rows_done, o.run.rows_total), fmt::format("{:.1f} s", o.seconds),
                        o.ok() ? std::string() : fmt::format("{} (phase {})", o.error, o.phase)});
    std::array<std::size_t, 5> width{};
    for (const Row& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    std::string text;
    for (const Row& r : rows) {
        // Text columns to the left, numbers to the right; the last column is not padded.
        std::string line = fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}", r[0], width[0], r[1], width[1], r[2],
                                       width[2], r[3], width[3]);
        if (!r[4].empty()) line += "  " + r[4];
        text += line + "\n";
    }
    return text;
}

}  // namespace dfu::cli
