#include "cli/status_line.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/protocol.hpp"

namespace dfu::cli {

namespace {

std::string human_rate(double bytes_per_s) {
    if (bytes_per_s >= 1024.0 * 1024.0) return fmt::format("{:.1f} MiB/s", bytes_per_s / (1024.0 * 1024.0));
    if (bytes_per_s >= 1024.0) return fmt::format("{:.1f} KiB/s", bytes_per_s / 1024.0);
    return fmt::format("{:.0f} B/s", bytes_per_s);
}

// At most `limit` characters of `text` (all of it ASCII).
std::string cut(std::string text, std::size_t limit) {
    if (text.size() > limit) text.resize(limit);
    return text;
}

}  // namespace

std::string progress_line(const Progress& p, double seconds, std::size_t columns) {
    const std::size_t limit = std::max<std::size_t>(columns, 2) - 1;
    const double rate = seconds > 0 ? static_cast<double>(p.bytes_done) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(p.bytes_total - p.bytes_done) / rate : 0.0;
    const std::string rows = fmt::format("{}/{} rows", p.rows_done, p.rows_total);
    // Richest first; the first that leaves room for a bar of kMinBar cells wins.
    const std::string tails[] = {
        fmt::format(" {}  {}  ETA {:.1f} s", rows, human_rate(rate), eta),
        fmt::format(" {}  ETA {:.1f} s", rows, eta),
        " " + rows,
    };
    constexpr std::size_t kMinBar = 10;
    constexpr std::size_t kMaxBar = 30;
    for (const std::string& tail : tails) {
        if (tail.size() + 2 + kMinBar > limit) continue;
        const std::size_t width = std::min(kMaxBar, limit - tail.size() - 2);
        const std::size_t filled = p.rows_total ? width * p.rows_done / p.rows_total : width;
        return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]" + tail;
    }
    return cut(rows, limit);
}

std::string waiting_line(const Waiting& w, std::size_t columns) {
    const std::size_t limit = std::max<std::size_t>(columns, 2) - 1;
    std::string what = command_name(w.command);
    if (w.row_address) what += fmt::format(" row 0x{:08X}", *w.row_address);
    return cut(fmt::format("waiting for answer to {} ({:.1f} s)", what, w.elapsed.count()), limit);
}

std::size_t device_status_room(std::size_t columns, std::size_t label_width) {
    // Two spaces between label and status; a status never has less than 10 columns.
    return std::max<std::size_t>(columns, label_width + 12) - label_width - 2;
}

std::string device_lines(const std::vector<DeviceLine>& lines, std::size_t drawn_before, std::size_t columns) {
    const std::size_t limit = std::max<std::size_t>(columns, 2) - 1;
    std::size_t label_width = 0;
    for (const auto& l : lines) label_width = std::max(label_width, l.label.size());
    std::string text = drawn_before ? fmt::format("\x1b[{}A", drawn_before) : std::string();
    for (const auto& l : lines)
        text += "\r" + cut(fmt::format("{:<{}}  {}", l.label, label_width, l.status), limit) + "\x1b[K\n";
    return text;
}

std::string erase_device_lines(std::size_t drawn) {
    return drawn ? fmt::format("\x1b[{}A\r\x1b[J", drawn) : std::string();
}

}  // namespace dfu::cli
