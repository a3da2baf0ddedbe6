#pragma once
// Runs the real binaries for end-to-end tests: dfuhost as a one-shot command, dfu-sim
// as a long-running responder on a pseudo-terminal.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace testsupport {

struct ProcessResult {
    int exit_code = -1;  // 128 + signal when killed
    std::string out;
    std::string err;
    double seconds = 0;
};

ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Sends `signal` to the child once its standard output so far satisfies `ready`, as a
// user pressing Ctrl-C at a chosen moment would.
struct SignalWhen {
    std::function<bool(const std::string& out_so_far)> ready;
    int signal = 2;  // SIGINT
};
ProcessResult run_process(const std::vector<std::string>& argv, const SignalWhen& interrupt,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The same with standard input read from the file `input` (a pipe's worth of bytes).
ProcessResult run_process_with_input(const std::vector<std::string>& argv, const std::filesystem::path& input,
                                     const SignalWhen& interrupt = {},
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs argv with its standard error on a pseudo-terminal `columns` wide (standard output
// to a file), as in a user's terminal pane; `err` holds every byte the terminal received.
// `interrupt` as for run_process.
ProcessResult run_on_terminal(const std::vector<std::string>& argv, unsigned short columns,
                              const SignalWhen& interrupt = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A fresh folder under $TMPDIR, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// dfu-sim on a pty with a file-backed flash and a trace, killed on destruction.
class Simulator {
public:
    Simulator(const TempDir& dir, std::vector<std::string> extra_args);
    // Any responder started by `command` that prints its pty path as its first line and keeps
    // its flash in `flash_file` (scripts/qemu-dfu.sh: the firmware under QEMU).
    Simulator(const std::vector<std::string>& command, std::filesystem::path flash_file);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    const std::string& pty() const { return pty_; }
    // Kills the simulator now, as a crash or an unplugged adapter would end it.
    void kill();
    // Stops it as a user would (SIGTERM) and waits until it has gone, flash file written.
    void stop();
    const std::filesystem::path& flash_file() const { return flash_; }
    std::vector<std::uint8_t> flash() const;
    std::string trace() const;

private:
    void start(const std::vector<std::string>& argv);
    int pid_ = -1;
    std::string pty_;
    std::filesystem::path flash_;
    std::filesystem::path trace_;
};

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p);
void write_text(const std::filesystem::path& p, const std::string& text);
void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes);

}  // namespace testsupport
