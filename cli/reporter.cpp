#include "cli/reporter.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/log_header.hpp"
#include "cli/status_line.hpp"
#include "core/error.hpp"
#include "core/protocol.hpp"
#include "platform/console.hpp"

namespace dfu::cli {

namespace {
// A device silent for less than this is just working; longer, the bar says what it waits for.
constexpr std::chrono::milliseconds kShowWaitAfter{500};
}  // namespace

Reporter::Reporter(const OutputOptions& options) : options_(options), start_(std::chrono::steady_clock::now()) {
    bar_ = !options_.json && !options_.quiet && !options_.debug && platform::is_terminal(stderr);
    if (!options_.log_file.empty())
        pending_log_ = log_header(DFUHOST_VERSION, options_.command_line, std::chrono::system_clock::now());
}

void Reporter::protect(std::filesystem::path path, std::string role) {
    protected_.push_back({std::move(path), std::move(role)});
}

void Reporter::open_log() {
    if (options_.log_file.empty() || log_.is_open()) return;
    try {
        refuse_overwrite("--log", options_.log_file, protected_);
    } catch (...) {
        options_.log_file.clear();  // refused for good: nothing of this run goes to that file
        throw;
    }
    errno = 0;
    log_.open(options_.log_file, std::ios::out | std::ios::trunc);
    if (!log_)
        throw Error(ExitCode::usage,
                    fmt::format("--log: cannot write {}: {}", options_.log_file, std::strerror(errno)));
    log_ << pending_log_;
    pending_log_.clear();
    pending_log_.shrink_to_fit();
}

Reporter::~Reporter() {
    end_progress();
}

double Reporter::seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Reporter::log_line(const std::string& line) {
    if (options_.log_file.empty()) return;
    const std::string text = fmt::format("[{:10.6f}] {}\n", seconds(), line);
    if (log_.is_open())
        log_ << text;
    else
        pending_log_ += text;
}

void Reporter::on_packet(Direction direction, std::span<const std::uint8_t> frame) {
    const std::string line = fmt::format("{} {}", direction == Direction::to_device ? ">" : "<", hex_bytes(frame));
    if (options_.debug) std::fprintf(stderr, "[%10.6f] %s\n", seconds(), line.c_str());
    log_line(line);
}

void Reporter::on_device(const DeviceIdentity& id) {
    log_line(fmt::format("device: silicon ID 0x{:08X} rev 0x{:02X}, DFU SDK {}.{}.{}", id.silicon_id, id.silicon_rev,
                         id.sdk_major, id.sdk_minor, id.sdk_build));
    event({{"event", "device"},
           {"silicon_id", fmt::format("0x{:08X}", id.silicon_id)},
           {"silicon_rev", fmt::format("0x{:02X}", id.silicon_rev)},
           {"sdk_version", fmt::format("{}.{}.{}", id.sdk_major, id.sdk_minor, id.sdk_build)}});
}

void Reporter::on_progress(const Progress& p) {
    log_line(fmt::format("row 0x{:08X} done ({}/{})", p.row_address, p.rows_done, p.rows_total));
    if (options_.json) {
        event({{"event", "progress"},
               {"rows_done", p.rows_done},
               {"rows_total", p.rows_total},
               {"bytes_done", p.bytes_done},
               {"bytes_total", p.bytes_total},
               {"address", fmt::format("0x{:08X}", p.row_address)}});
        return;
    }
    if (!bar_) return;
    const auto now = std::chrono::steady_clock::now();
    if (p.rows_done != p.rows_total && now - last_draw_ < std::chrono::milliseconds(80)) return;
    last_draw_ = now;
    const int columns = platform::terminal_columns(stderr);
    draw_status(progress_line(p, seconds(), columns > 0 ? static_cast<std::size_t>(columns) : kDefaultColumns));
}

void Reporter::on_waiting(const Waiting& w) {
    if (!bar_ || w.elapsed < kShowWaitAfter) return;
    last_draw_ = std::chrono::steady_clock::now();
    const int columns = platform::terminal_columns(stderr);
    draw_status(waiting_line(w, columns > 0 ? static_cast<std::size_t>(columns) : kDefaultColumns));
}

void Reporter::draw_status(const std::string& line) {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    bar_drawn_ = true;
}

void Reporter::end_progress() {
    if (bar_drawn_) {
        std::fputc('\n', stderr);
        bar_drawn_ = false;
    }
}

void Reporter::on_recovery(const Recovery& r) {
    const std::string text =
        r.redone ? fmt::format("retrying {} (attempt {} of {} failed): {}", r.unit, r.attempt, r.max_attempts, r.reason)
                 : fmt::format("{}: {}", r.unit, r.reason);
    log_line(text);
    if (options_.json) {
        event({{"event", "recovery"},
               {"unit", r.unit},
               {"reason", r.reason},
               {"attempt", r.attempt},
               {"max_attempts", r.max_attempts},
               {"redone", r.redone}});
    } else if (options_.debug) {
        std::fprintf(stderr, "[%10.6f] %s\n", seconds(), text.c_str());
    }
}

void Reporter::debug(const std::string& line) {
    log_line(line);
    if (options_.debug) std::fprintf(stderr, "[%10.6f] %s\n", seconds(), line.c_str());
}

void Reporter::on_note(const std::string& message) {
    log_line(message);
    if (options_.json)
        event({{"event", "note"}, {"message", message}});
    else if (options_.debug)
        std::fprintf(stderr, "[%10.6f] %s\n", seconds(), message.c_str());
}

void Reporter::on_payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data) {
    const std::string bytes = hex_bytes(data);
    log_line(fmt::format("output {}: {}", where, bytes));
    if (options_.json) {
        event({{"event", "output"}, {"where", where}, {"command", fmt::format("0x{:02X}", command)}, {"data", bytes}});
    } else if (!options_.quiet) {
        end_progress();
        std::fprintf(stdout, "%s: %s\n", where.c_str(), bytes.c_str());
        std::fflush(stdout);
    }
}

void Reporter::warning(const std::string& message) {
    log_line("warning: " + message);
    if (options_.json)
        event({{"event", "warning"}, {"message", message}});
    else if (!options_.quiet) {
        end_progress();
        std::fprintf(stderr, "dfuhost: warning: %s\n", message.c_str());
    }
}

void Reporter::event(const nlohmann::json& object) {
    // Whatever happens after the result is in the log (the callers log it): stdout ends
    // with the result, so a script can take the last line.
    if (!options_.json || result_sent_) return;
    const std::string line = object.dump();
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void Reporter::start(nlohmann::json object) {
    object["event"] = "start";
    object["schema"] = kJsonSchemaVersion;
    event(object);
}

void Reporter::result(nlohmann::json object) {
    if (result_sent_) return;
    object["event"] = "result";
    object["schema"] = kJsonSchemaVersion;
    log_line(object.dump());
    event(object);
    result_sent_ = true;
}

void Reporter::say(const std::string& line) {
    log_line(line);
    if (options_.json || options_.quiet) return;
    end_progress();
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
}

void Reporter::error(const std::string& message) {
    log_line("error: " + message);
    end_progress();
    std::fprintf(stderr, "dfuhost: error: %s\n", message.c_str());
}

}  // namespace dfu::cli
