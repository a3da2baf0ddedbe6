#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testsupport {

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> v;
    for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
    v.push_back(nullptr);
    return v;
}

// With DFUHOST_JSON_CAPTURE set, every dfuhost --json run appends its exit code and its
// stdout to that file, for the schema check that runs after the end-to-end tests
// (tests/json_schema). One write() on an O_APPEND descriptor: tests running in parallel
// do not interleave their records.
void capture_json_run(const std::vector<std::string>& argv, const ProcessResult& r) {
    const char* capture = std::getenv("DFUHOST_JSON_CAPTURE");
    if (!capture || !*capture || argv.empty() || std::filesystem::path(argv[0]).filename() != "dfuhost") return;
    bool json = false;
    std::string command;
    for (const auto& a : argv) {
        json = json || a == "--json";
        command += " " + a;
    }
    if (!json) return;
    std::string record = "# run exit_code=" + std::to_string(r.exit_code) + ":" + command + "\n" + r.out;
    if (!r.out.empty() && r.out.back() != '\n') record += '\n';
    const int fd = ::open(capture, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) throw std::runtime_error(std::string("DFUHOST_JSON_CAPTURE: cannot open ") + capture);
    const ssize_t n = ::write(fd, record.data(), record.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(record.size())) throw std::runtime_error("DFUHOST_JSON_CAPTURE: short write");
}

// Starts argv with stdin from `input` (/dev/null unless given), stdout into `out`, stderr onto `err`.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out, int err,
            const std::filesystem::path& input = "/dev/null") {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open(input.c_str(), O_RDONLY);
        ::dup2(o, 1);
        ::dup2(err, 2);
        ::dup2(in, 0);
        auto args = c_argv(argv);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// One look at a running child: true once it has exited, or was killed at `timeout`, with
// its wait status in `status`. Sends interrupt.signal once `ready` accepts its stdout.
bool child_done(pid_t pid, int& status, const SignalWhen& interrupt, bool& signalled,
                const std::filesystem::path& out, std::chrono::steady_clock::time_point started,
                std::chrono::milliseconds timeout) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return true;
    if (interrupt.ready && !signalled && interrupt.ready(slurp(out))) {
        ::kill(pid, interrupt.signal);
        signalled = true;
    }
    if (std::chrono::steady_clock::now() - started <= timeout) return false;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return true;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/dfuhost-test-XXXXXX";
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    return run_process(argv, SignalWhen{}, timeout);
}

ProcessResult run_process(const std::vector<std::string>& argv, const SignalWhen& interrupt,
                          std::chrono::milliseconds timeout) {
    return run_process_with_input(argv, "/dev/null", interrupt, timeout);
}

ProcessResult run_process_with_input(const std::vector<std::string>& argv, const std::filesystem::path& input,
                                     const SignalWhen& interrupt, std::chrono::milliseconds timeout) {
    bool signalled = false;
    TempDir dir;
    const auto out_path = dir / "stdout";
    const auto err_path = dir / "stderr";
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = spawn(argv, out_path, err, input);
    ::close(err);
    int status = 0;
    while (!child_done(pid, status, interrupt, signalled, out_path, started, timeout))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ProcessResult res;
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    res.exit_code = decode_status(status);
    res.out = slurp(out_path);
    res.err = slurp(err_path);
    capture_json_run(argv, res);
    return res;
}

ProcessResult run_on_terminal(const std::vector<std::string>& argv, unsigned short columns,
                              const SignalWhen& interrupt, std::chrono::milliseconds timeout) {
    int master = -1;
    int slave = -1;
    winsize size{};
    size.ws_col = columns;
    size.ws_row = 24;
    if (::openpty(&master, &slave, nullptr, nullptr, &size) != 0) throw std::runtime_error("openpty failed");
    ::ioctl(slave, TIOCSWINSZ, &size);  // as a terminal emulator sets it when the pane is sized
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    TempDir dir;
    const auto out_path = dir / "stdout";
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = spawn(argv, out_path, slave);
    ::close(slave);
    ProcessResult res;
    bool signalled = false;
    bool exited = false;
    int status = 0;
    // Read the terminal while the child runs (a full pty would block it) and after it
    // exits, until the master reports that no writer is left.
    for (;;) {
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, 2) > 0) {
            char buf[4096];
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n > 0) {
                res.err.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (exited) break;  // EIO: the slave side is closed
        } else if (exited) {
            break;
        }
        if (!exited && child_done(pid, status, interrupt, signalled, out_path, started, timeout)) {
            exited = true;
            res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        }
    }
    ::close(master);
    res.exit_code = decode_status(status);
    res.out = slurp(out_path);
    capture_json_run(argv, res);
    return res;
}

Simulator::Simulator(const TempDir& dir, std::vector<std::string> extra_args)
    : flash_(dir / "flash.bin"), trace_(dir / "trace.txt") {
    std::vector<std::string> argv{DFU_SIM_BIN, "--pty", "--flash", flash_.string(), "--trace", trace_.string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    start(argv);
}

Simulator::Simulator(const std::vector<std::string>& command, std::filesystem::path flash_file)
    : flash_(std::move(flash_file)) {
    start(command);
}

void Simulator::start(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(pipe_fds[1], 1);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        auto args = c_argv(argv);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    // The first line of its output is the pty path.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    char c = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{pipe_fds[0], POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        if (::read(pipe_fds[0], &c, 1) != 1) break;
        if (c == '\n') break;
        line.push_back(c);
    }
    ::close(pipe_fds[0]);
    if (line.empty()) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        throw std::runtime_error(argv[0] + " did not print its pty path");
    }
    pty_ = line;
}

Simulator::~Simulator() {
    stop();
}

void Simulator::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
}

void Simulator::kill() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
}

std::vector<std::uint8_t> Simulator::flash() const {
    return read_bytes(flash_);
}
std::string Simulator::trace() const {
    return slurp(trace_);
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
    const std::string s = slurp(p);
    return {s.begin(), s.end()};
}

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
}

void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace testsupport
