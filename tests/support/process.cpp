#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
    bool signalled = false;
    TempDir dir;
    const auto out_path = dir / "stdout";
    const auto err_path = dir / "stderr";
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::dup2(in, 0);
        auto args = c_argv(argv);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (interrupt.ready && !signalled && interrupt.ready(slurp(out_path))) {
            ::kill(pid, interrupt.signal);
            signalled = true;
        }
        if (std::chrono::steady_clock::now() - started > timeout) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ProcessResult res;
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    res.exit_code = decode_status(status);
    res.out = slurp(out_path);
    res.err = slurp(err_path);
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
