#pragma once
// Everything the user sees while a command runs: a progress bar on a terminal,
// JSON lines for scripts, the packet trace for --debug and --log.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/output_paths.hpp"
#include "core/events.hpp"

namespace dfu::cli {

struct OutputOptions {
    bool json = false;
    bool quiet = false;
    bool debug = false;
    std::string log_file;
    std::vector<std::string> command_line;  // argv, for the --log header
};

// The version of the --json event contract (docs/dfuhost-events.schema.json), carried by
// the `start` and `result` events. Raised when an event loses or changes a key.
inline constexpr int kJsonSchemaVersion = 1;

class Reporter;

// What one of several devices reports: the engine's events, its own `start`, warnings and
// result, each tagged with the device (a `device` key in --json, "[device]" in the log, its
// own status line on a terminal). Each device's thread has its own channel; the Reporter
// serialises them.
class DeviceChannel final : public EventSink {
public:
    DeviceChannel(Reporter& reporter, std::string label, bool tagged)
        : reporter_(reporter), label_(std::move(label)), tagged_(tagged) {}

    bool wants_packets() const override;
    void on_packet(Direction direction, std::span<const std::uint8_t> frame) override;
    void on_device(const DeviceIdentity& id) override;
    void on_progress(const Progress& p) override;
    void on_recovery(const Recovery& r) override;
    void on_waiting(const Waiting& w) override;
    void on_note(const std::string& message) override;
    void on_payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data) override;

    void warning(const std::string& message);
    // A line for --debug and --log only, with this device's prefix when there are several.
    void debug(const std::string& line);
    // The device's `start` event (schema version and device added).
    void start(nlohmann::json object);
    // The device's `device_result` event: its result object, before the run's `result`.
    void result(nlohmann::json object);
    // The device's status line once it has finished ("done", "failed: ...").
    void finished(const std::string& status);

    const std::string& label() const noexcept { return label_; }
    // False for the only device of a run: its events are the run's, untagged, as ever.
    bool tagged() const noexcept { return tagged_; }

private:
    friend class Reporter;
    Reporter& reporter_;
    std::string label_;
    bool tagged_;
    std::string status_;  // its line on the terminal, without the label
};

class Reporter final {
public:
    explicit Reporter(const OutputOptions& options);
    ~Reporter();

    // Where the engine reports a run on one device: an untagged channel, so one device's run
    // and each of several devices' runs take the same path (open_devices).
    DeviceChannel& events() noexcept { return *events_; }
    bool wants_packets() const noexcept { return options_.debug || !options_.log_file.empty(); }

    // The --log file is opened only once every file the run reads is known, so it can be
    // refused (exit 2) before it truncates one of them or writes into the device node;
    // lines logged until then are kept and written first.
    void protect(std::filesystem::path path, std::string role);
    // Checks --log against what was protected and opens it; does nothing the second time.
    void open_log();

    void warning(const std::string& message);
    // A JSON event line (--json). None after the result: it is always the last line a
    // script reads (the log still gets what happened after it).
    void event(const nlohmann::json& object);
    // The `start` event, with the schema version added.
    void start(nlohmann::json object);
    // The final result event, with the schema version added; at most one per run.
    void result(nlohmann::json object);
    // A line of human output on stdout (not in --json or --quiet mode).
    void say(const std::string& line);
    // A line for --debug (stderr) and --log only; `from`: one of several devices, for its prefix.
    void debug(const std::string& line, const DeviceChannel* from = nullptr);
    // The final error, shown however the output is set.
    void error(const std::string& message);
    void end_progress();

    bool json() const noexcept { return options_.json; }
    const std::vector<std::string>& command_line() const noexcept { return options_.command_line; }

    // One channel per device, in the order given. With more than one, every event carries its
    // device, the terminal shows one status line per device redrawn in place, and the
    // channels may be used from several threads at once (every method here takes a lock).
    // With one, the channel reports exactly as the Reporter itself does.
    std::vector<DeviceChannel*> open_devices(const std::vector<std::string>& labels);

    // Refuses (exit 2) an output file that is one the run reads, the device, or the --log file.
    void refuse_overwrite_by(const std::string& option, const std::filesystem::path& output) const;

private:
    friend class DeviceChannel;
    // `from`: the device whose event it is, nullptr for the run's own.
    void packet(Direction direction, std::span<const std::uint8_t> frame, const DeviceChannel* from);
    void device(const DeviceIdentity& id, const DeviceChannel* from);
    void progress(const Progress& p, DeviceChannel* from);
    void recovery(const Recovery& r, const DeviceChannel* from);
    void waiting(const Waiting& w, DeviceChannel* from);
    void note(const std::string& message, const DeviceChannel* from);
    void payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data,
                 const DeviceChannel* from);
    void warning(const std::string& message, const DeviceChannel* from);
    void event(nlohmann::json object, const DeviceChannel* from);
    void device_finished(DeviceChannel& channel, const std::string& status);
    // The lines of all devices, redrawn over the ones drawn before (several devices on a terminal).
    void draw_devices();
    bool several() const noexcept { return channels_.size() > 1; }
    // "[device] " in front of a log or --debug line of one of several devices.
    static std::string prefix(const DeviceChannel* from);

    void log_line(const std::string& line);
    double seconds() const;
    // Replaces the status line on stderr (the bar, or what the engine waits for).
    void draw_status(const std::string& line);

    OutputOptions options_;
    std::ofstream log_;
    std::string pending_log_;  // lines logged before open_log()
    std::vector<ReadPath> protected_;
    bool bar_ = false;  // drawing a progress bar on stderr
    bool bar_drawn_ = false;
    bool result_sent_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::unique_ptr<DeviceChannel> events_;  // events()
    std::vector<std::unique_ptr<DeviceChannel>> channels_;
    std::size_t device_lines_drawn_ = 0;  // status lines of several devices now on the terminal
    std::size_t label_width_ = 0;         // the longest device label: where their status lines begin
    mutable std::recursive_mutex mutex_;
};

}  // namespace dfu::cli
