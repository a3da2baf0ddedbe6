#include "cli/reporter.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <algorithm>
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

Reporter::Reporter(const OutputOptions& options)
    : options_(options), start_(std::chrono::steady_clock::now()), events_(std::make_unique<DeviceChannel>(*this, "", false)) {
    bar_ = !options_.json && !options_.quiet && !options_.debug && platform::is_terminal(stderr);
    if (!options_.log_file.empty())
        pending_log_ = log_header(DFUHOST_VERSION, options_.command_line, std::chrono::system_clock::now());
}

void Reporter::protect(std::filesystem::path path, std::string role) {
    protected_.push_back({std::move(path), std::move(role)});
}

void Reporter::open_log() {
    const std::lock_guard lock(mutex_);
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

std::string Reporter::prefix(const DeviceChannel* from) {
    return from && from->tagged() ? "[" + from->label() + "] " : std::string();
}

void Reporter::packet(Direction direction, std::span<const std::uint8_t> frame, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    const std::string line =
        fmt::format("{}{} {}", prefix(from), direction == Direction::to_device ? ">" : "<", hex_bytes(frame));
    if (options_.debug) std::fprintf(stderr, "[%10.6f] %s\n", seconds(), line.c_str());
    log_line(line);
}

void Reporter::device(const DeviceIdentity& id, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    log_line(fmt::format("{}device: silicon ID 0x{:08X} rev 0x{:02X}, DFU SDK {}.{}.{}", prefix(from), id.silicon_id,
                         id.silicon_rev, id.sdk_major, id.sdk_minor, id.sdk_build));
    event({{"event", "device"},
           {"silicon_id", fmt::format("0x{:08X}", id.silicon_id)},
           {"silicon_rev", fmt::format("0x{:02X}", id.silicon_rev)},
           {"sdk_version", fmt::format("{}.{}.{}", id.sdk_major, id.sdk_minor, id.sdk_build)}},
          from);
}

void Reporter::progress(const Progress& p, DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    log_line(fmt::format("{}row 0x{:08X} done ({}/{})", prefix(from), p.row_address, p.rows_done, p.rows_total));
    if (options_.json) {
        event({{"event", "progress"},
               {"rows_done", p.rows_done},
               {"rows_total", p.rows_total},
               {"bytes_done", p.bytes_done},
               {"bytes_total", p.bytes_total},
               {"address", fmt::format("0x{:08X}", p.row_address)}},
              from);
        return;
    }
    if (!bar_) return;
    const int columns = platform::terminal_columns(stderr);
    const std::size_t width = columns > 0 ? static_cast<std::size_t>(columns) : kDefaultColumns;
    if (from && from->tagged()) from->status_ = progress_line(p, seconds(), device_status_room(width, label_width_));
    const auto now = std::chrono::steady_clock::now();
    if (p.rows_done != p.rows_total && now - last_draw_ < std::chrono::milliseconds(80)) return;
    last_draw_ = now;
    if (several())
        draw_devices();
    else
        draw_status(progress_line(p, seconds(), width));
}

void Reporter::waiting(const Waiting& w, DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    if (!bar_ || w.elapsed < kShowWaitAfter) return;
    last_draw_ = std::chrono::steady_clock::now();
    const int columns = platform::terminal_columns(stderr);
    const std::size_t width = columns > 0 ? static_cast<std::size_t>(columns) : kDefaultColumns;
    if (several()) {
        if (from) from->status_ = waiting_line(w, device_status_room(width, label_width_));
        draw_devices();
        return;
    }
    draw_status(waiting_line(w, width));
}

void Reporter::draw_devices() {
    const int columns = platform::terminal_columns(stderr);
    std::vector<DeviceLine> lines;
    for (const auto& c : channels_) lines.push_back({c->label(), c->status_});
    const std::string text = device_lines(lines, device_lines_drawn_,
                                          columns > 0 ? static_cast<std::size_t>(columns) : kDefaultColumns);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
    device_lines_drawn_ = lines.size();
}

void Reporter::draw_status(const std::string& line) {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    bar_drawn_ = true;
}

void Reporter::end_progress() {
    const std::lock_guard lock(mutex_);
    if (bar_drawn_) {
        std::fputc('\n', stderr);
        bar_drawn_ = false;
    }
    if (device_lines_drawn_ > 0) {
        // The lines of several devices are taken away, so what is said next starts where they began.
        const std::string text = erase_device_lines(device_lines_drawn_);
        std::fwrite(text.data(), 1, text.size(), stderr);
        std::fflush(stderr);
        device_lines_drawn_ = 0;
    }
}

void Reporter::recovery(const Recovery& r, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    const std::string text =
        r.redone ? fmt::format("retrying {} (attempt {} of {} failed): {}", r.unit, r.attempt, r.max_attempts, r.reason)
                 : fmt::format("{}: {}", r.unit, r.reason);
    log_line(prefix(from) + text);
    if (options_.json) {
        event({{"event", "recovery"},
               {"unit", r.unit},
               {"reason", r.reason},
               {"attempt", r.attempt},
               {"max_attempts", r.max_attempts},
               {"redone", r.redone}},
              from);
    } else if (options_.debug) {
        std::fprintf(stderr, "[%10.6f] %s%s\n", seconds(), prefix(from).c_str(), text.c_str());
    }
}

void Reporter::debug(const std::string& line, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    log_line(prefix(from) + line);
    if (options_.debug) std::fprintf(stderr, "[%10.6f] %s%s\n", seconds(), prefix(from).c_str(), line.c_str());
}

void Reporter::note(const std::string& message, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    log_line(prefix(from) + message);
    if (options_.json)
        event({{"event", "note"}, {"message", message}}, from);
    else if (options_.debug)
        std::fprintf(stderr, "[%10.6f] %s%s\n", seconds(), prefix(from).c_str(), message.c_str());
}

void Reporter::payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data,
                       const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    const std::string bytes = hex_bytes(data);
    log_line(fmt::format("{}output {}: {}", prefix(from), where, bytes));
    if (options_.json) {
        event({{"event", "output"}, {"where", where}, {"command", fmt::format("0x{:02X}", command)}, {"data", bytes}},
              from);
    } else if (!options_.quiet) {
        end_progress();
        std::fprintf(stdout, "%s%s: %s\n", prefix(from).c_str(), where.c_str(), bytes.c_str());
        std::fflush(stdout);
    }
}

void Reporter::warning(const std::string& message) {
    warning(message, nullptr);
}

void Reporter::warning(const std::string& message, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    log_line(prefix(from) + "warning: " + message);
    if (options_.json)
        event({{"event", "warning"}, {"message", message}}, from);
    else if (!options_.quiet) {
        end_progress();
        std::fprintf(stderr, "dfuhost: warning: %s%s\n", prefix(from).c_str(), message.c_str());
    }
}

void Reporter::event(const nlohmann::json& object) {
    event(object, nullptr);
}

void Reporter::event(nlohmann::json object, const DeviceChannel* from) {
    const std::lock_guard lock(mutex_);
    // Whatever happens after the result is in the log (the callers log it): stdout ends
    // with the result, so a script can take the last line.
    if (!options_.json || result_sent_) return;
    if (from && from->tagged()) object["device"] = from->label();
    const std::string line = object.dump();
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::vector<DeviceChannel*> Reporter::open_devices(const std::vector<std::string>& labels) {
    const std::lock_guard lock(mutex_);
    channels_.clear();
    label_width_ = 0;
    std::vector<DeviceChannel*> channels;
    for (const std::string& label : labels) {
        channels_.push_back(std::make_unique<DeviceChannel>(*this, label, labels.size() > 1));
        channels_.back()->status_ = "waiting to start";
        label_width_ = std::max(label_width_, label.size());
        channels.push_back(channels_.back().get());
    }
    return channels;
}

void Reporter::device_finished(DeviceChannel& channel, const std::string& status) {
    const std::lock_guard lock(mutex_);
    channel.status_ = status;
    if (bar_ && several()) draw_devices();
}

void Reporter::refuse_overwrite_by(const std::string& option, const std::filesystem::path& output) const {
    const std::lock_guard lock(mutex_);
    std::vector<ReadPath> taken = protected_;
    if (!options_.log_file.empty()) taken.push_back({options_.log_file, "the --log file"});
    refuse_overwrite(option, output, taken);
}

bool DeviceChannel::wants_packets() const {
    return reporter_.wants_packets();
}
void DeviceChannel::on_packet(Direction direction, std::span<const std::uint8_t> frame) {
    reporter_.packet(direction, frame, this);
}
void DeviceChannel::on_device(const DeviceIdentity& id) {
    reporter_.device(id, this);
}
void DeviceChannel::on_progress(const Progress& p) {
    reporter_.progress(p, this);
}
void DeviceChannel::on_recovery(const Recovery& r) {
    reporter_.recovery(r, this);
}
void DeviceChannel::on_waiting(const Waiting& w) {
    reporter_.waiting(w, this);
}
void DeviceChannel::on_note(const std::string& message) {
    reporter_.note(message, this);
}
void DeviceChannel::on_payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data) {
    reporter_.payload(where, command, data, this);
}
void DeviceChannel::debug(const std::string& line) {
    reporter_.debug(line, this);
}
void DeviceChannel::warning(const std::string& message) {
    reporter_.warning(message, this);
}
void DeviceChannel::start(nlohmann::json object) {
    object["event"] = "start";
    object["schema"] = kJsonSchemaVersion;
    reporter_.event(std::move(object), this);
}
void DeviceChannel::result(nlohmann::json object) {
    object["event"] = "device_result";
    const std::lock_guard lock(reporter_.mutex_);
    reporter_.log_line(Reporter::prefix(this) + object.dump());
    reporter_.event(std::move(object), this);
}
void DeviceChannel::finished(const std::string& status) {
    reporter_.device_finished(*this, status);
}

void Reporter::start(nlohmann::json object) {
    const std::lock_guard lock(mutex_);
    object["event"] = "start";
    object["schema"] = kJsonSchemaVersion;
    event(object);
}

void Reporter::result(nlohmann::json object) {
    const std::lock_guard lock(mutex_);
    if (result_sent_) return;
    object["event"] = "result";
    object["schema"] = kJsonSchemaVersion;
    log_line(object.dump());
    event(object);
    result_sent_ = true;
}

void Reporter::say(const std::string& line) {
    const std::lock_guard lock(mutex_);
    log_line(line);
    if (options_.json || options_.quiet) return;
    end_progress();
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
}

void Reporter::error(const std::string& message) {
    const std::lock_guard lock(mutex_);
    log_line("error: " + message);
    end_progress();
    std::fprintf(stderr, "dfuhost: error: %s\n", message.c_str());
}

}  // namespace dfu::cli
