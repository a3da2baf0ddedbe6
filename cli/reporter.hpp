#pragma once
// Everything the user sees while a command runs: a progress bar on a terminal,
// JSON lines for scripts, the packet trace for --debug and --log.
#include <chrono>
#include <cstdio>
#include <fstream>
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

class Reporter final : public EventSink {
public:
    explicit Reporter(const OutputOptions& options);
    ~Reporter() override;

    bool wants_packets() const override { return options_.debug || !options_.log_file.empty(); }
    void on_packet(Direction direction, std::span<const std::uint8_t> frame) override;
    void on_device(const DeviceIdentity& id) override;
    void on_progress(const Progress& p) override;
    void on_recovery(const Recovery& r) override;
    void on_waiting(const Waiting& w) override;
    void on_note(const std::string& message) override;
    void on_payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data) override;

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
    bool result_sent() const noexcept { return result_sent_; }
    // A line of human output on stdout (not in --json or --quiet mode).
    void say(const std::string& line);
    // A line for --debug (stderr) and --log only.
    void debug(const std::string& line);
    // The final error, shown however the output is set.
    void error(const std::string& message);
    void end_progress();

    bool json() const noexcept { return options_.json; }

private:
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
};

}  // namespace dfu::cli
