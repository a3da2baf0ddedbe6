// The built dfu-sim binary, driven over a real pty as a host would (DFU_SIM_PATH).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "device_test_util.hpp"
#include "raw_port.hpp"

extern char** environ;

using namespace devtest;
using namespace std::chrono_literals;

namespace {

// A scratch directory, removed with its contents at the end of the test.
struct TempDir {
    std::string path;
    TempDir() {
        char buf[] = "/tmp/dfusim-test-XXXXXX";
        REQUIRE(mkdtemp(buf) != nullptr);
        path = buf;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

std::string hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto v : b) {
        s += d[v >> 4];
        s += d[v & 15];
    }
    return s;
}

bool exists(const std::string& p) {
    struct stat st;
    return lstat(p.c_str(), &st) == 0;
}

// Waits for the child; SIGKILL after the timeout. Returns the wait status.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            FAIL("dfu-sim did not exit in time");
        }
        std::this_thread::sleep_for(5ms);
    }
    return status;
}

// dfu-sim with its stdout on a pipe.
struct Sim {
    pid_t pid = -1;
    int out = -1;
    std::string first_line;

    explicit Sim(std::vector<std::string> args, bool want_line = true) {
        args.insert(args.begin(), DFU_SIM_PATH);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        REQUIRE(posix_spawn(&pid, DFU_SIM_PATH, &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        out = fds[0];
        if (want_line) {
            first_line = read_line(10s);
            REQUIRE_MESSAGE(!first_line.empty(), "dfu-sim printed no pty path");
        }
    }
    std::string read_line(std::chrono::milliseconds timeout) {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            char c;
            if (read(out, &c, 1) != 1) break;
            if (c == '\n') return line;
            line += c;
        }
        return line;
    }
    // Signal, then the exit status (-1 when it did not exit normally).
    int stop(int sig = SIGTERM) {
        kill(pid, sig);
        const int status = wait_for(pid, 10s);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    int wait_exit() {
        const int status = wait_for(pid, 10s);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ~Sim() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (out >= 0) close(out);
    }
};

// The host end of the pty.
struct Port : testsupport::RawPort {
    using RawPort::RawPort;
    void send(const Bytes& b) { REQUIRE(RawPort::send(b)); }
    Bytes read_packet(std::chrono::milliseconds timeout = 5s) {
        Bytes p = RawPort::read_packet(timeout);
        return p.size() < 4 ? Bytes{} : p;
    }
    Bytes transact(std::uint8_t code, const Bytes& data, int type = 0) {
        send(packet(code, data, type));
        return read_packet();
    }
};

const Bytes kEnter = packet(DFU_CMD_ENTER, le32(0x01020304));
const Bytes kEnterOk = packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01});

}  // namespace

TEST_CASE("dfu-sim: Enter DFU over the pty - trace lines - flash file - link - SIGTERM exits 0") {
    const TempDir dir;
    const std::string flash = dir / "flash.bin", trace = dir / "trace.txt", link = dir / "ttyDFU";
    Sim sim({"--pty", "--flash", flash, "--trace", trace, "--link", link});
    CHECK(sim.first_line.rfind("/dev/pts/", 0) == 0);
    char target[256] = {};
    REQUIRE(readlink(link.c_str(), target, sizeof target - 1) > 0);
    CHECK(std::string(target) == sim.first_line);
    CHECK(read_lines(trace).empty());  // no byte seen yet

    {
        Port port(link);
        port.send(kEnter);
        CHECK(port.read_packet() == kEnterOk);
    }
    const auto lines = read_lines(trace);
    REQUIRE(lines.size() == 2);
    const std::regex line_re(R"(^(\d+)\.(\d{6}) (rx|tx|rx-stray|rx-flushed) ([0-9a-f]*)$)");
    std::smatch m;
    REQUIRE(std::regex_match(lines[0], m, line_re));
    CHECK(m[3] == "rx");
    CHECK(m[4] == hex(kEnter));
    REQUIRE(std::regex_match(lines[1], m, line_re));
    CHECK(m[3] == "tx");
    CHECK(m[4] == hex(kEnterOk));
    CHECK(std::stod(lines[0]) <= std::stod(lines[1]));

    CHECK(read_file(flash) == Bytes(0x100000, 0x00));
    CHECK(sim.stop(SIGTERM) == 0);
    CHECK_FALSE(exists(link));  // removed on exit
    CHECK(read_file(flash).size() == 0x100000);
    CHECK(read_lines(trace).size() == 2);
}

TEST_CASE("dfu-sim: rows reach the flash file at once and persist - one sim serves many sessions") {
    const TempDir dir;
    const std::string flash = dir / "flash.bin";
    const std::vector<std::string> args{"--flash",      flash,        "--flash-size", "0x10000",    "--row-size",
                                        "256",          "--erased",   "ff",           "--checksum", "crc16",
                                        "--product-id", "0xCAFE0001", "--max-packet", "279"};
    const Bytes row = pattern(256, 42);
    const Bytes enter = le32(0xCAFE0001u);
    {
        Sim sim(args);
        CHECK(read_file(flash) == Bytes(0x10000, 0xFF));
        for (int session = 0; session < 2; ++session) {
            Port port(sim.first_line);  // the host opens and closes the port per run
            const Bytes r = port.transact(DFU_CMD_ENTER, enter, 1);
            REQUIRE(r.size() == 15);
            CHECK(r == packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01}, 1));
            if (session == 0) {
                CHECK(port.transact(DFU_CMD_SEND_DATA, Bytes(row.begin(), row.begin() + 200), 1) == packet(0, {}, 1));
                CHECK(port.transact(
                          DFU_CMD_PROGRAM_DATA,
                          cat(cat(le32(0x10000300u), le32(ref_crc32c(row))), Bytes(row.begin() + 200, row.end())),
                          1) == packet(0, {}, 1));
                const Bytes file = read_file(flash);  // while the simulator still runs
                CHECK(Bytes(file.begin() + 0x300, file.begin() + 0x400) == row);
            }
            port.send(packet(DFU_CMD_EXIT, {}, 1));
            CHECK(port.read_n(1, 100ms).empty());  // Exit is never answered
        }
        CHECK(sim.stop(SIGINT) == 0);
    }
    {
        Sim sim(args);  // a new run finds the row
        Port port(sim.first_line);
        CHECK(port.transact(DFU_CMD_ENTER, enter, 1).size() == 15);
        CHECK(port.transact(DFU_CMD_SEND_DATA, Bytes(row.begin(), row.begin() + 200), 1) == packet(0, {}, 1));
        CHECK(port.transact(DFU_CMD_VERIFY_DATA,
                            cat(cat(le32(0x10000300u), le32(ref_crc32c(row))), Bytes(row.begin() + 200, row.end())),
                            1) == packet(0, {}, 1));
        CHECK(port.transact(DFU_CMD_ERASE_DATA, le32(0x10000300u), 1) == packet(0, {}, 1));
        CHECK(read_file(flash) == Bytes(0x10000, 0xFF));
        CHECK(sim.stop() == 0);
    }
}

TEST_CASE("dfu-sim --preset middleware: a new flash file is the template's - EEPROM rows after the flash - kept") {
    const TempDir dir;
    const std::string flash = dir / "flash.bin";
    const std::uint32_t kMeta = 0xFFA00, kFlash = 0x100000, kEeprom = 0x8000;
    const Bytes row = pattern(512, 7);
    const Bytes app1 = cat(le32(0x10050000u), le32(0x1FFFCu));
    {
        Sim sim({"--preset", "middleware", "--flash", flash});
        Bytes file = read_file(flash);
        REQUIRE(file.size() == kFlash + kEeprom);
        const Bytes meta(file.begin() + kMeta, file.begin() + kMeta + 512);
        CHECK(Bytes(meta.begin(), meta.begin() + 16) == cat(cat(le32(0x10002000u), le32(0x1FFFCu)), app1));
        CHECK(get32(meta.data() + 508) == ref_crc32c(meta.data(), 508));
        std::fill(file.begin() + kMeta, file.begin() + kMeta + 512, 0);
        CHECK(file == Bytes(kFlash + kEeprom, 0));  // the rest erased
        Port port(sim.first_line);
        REQUIRE(port.transact(DFU_CMD_ENTER, le32(0x01020304)) == kEnterOk);
        CHECK(port.transact(DFU_CMD_PROGRAM_DATA, cat(cat(le32(0x14000200u), le32(ref_crc32c(row))), row)) ==
              packet(0, {}));
        CHECK(port.transact(DFU_CMD_SET_METADATA, cat(Bytes{1}, cat(le32(0x10050000u), le32(0x100u)))) ==
              packet(0, {}));
        file = read_file(flash);
        CHECK(Bytes(file.begin() + kFlash + 0x200, file.begin() + kFlash + 0x400) == row);
        CHECK(sim.stop() == 0);
    }
    Sim again({"--preset", "middleware", "--flash", flash});  // an existing file is not made fresh
    const Bytes file = read_file(flash);
    CHECK(Bytes(file.begin() + kFlash + 0x200, file.begin() + kFlash + 0x400) == row);
    CHECK(get32(file.data() + kMeta + 12) == 0x100u);
    CHECK(again.stop() == 0);
    // a file of the default preset's size does not fit this one
    Sim wrong({"--flash", dir / "plain.bin"});
    CHECK(wrong.stop() == 0);
    Sim refused({"--preset", "middleware", "--flash", dir / "plain.bin"}, false);
    CHECK(refused.wait_exit() == 1);
}

TEST_CASE("dfu-sim: stray bytes are traced and not answered - errors start the hold-off") {
    const TempDir dir;
    const std::string trace = dir / "trace.txt";
    Sim sim({"--trace", trace, "--error-holdoff", "300"});
    Port port(sim.first_line);
    port.send({0xAA, 0x55, 0x17});
    CHECK(port.read_n(1, 200ms).empty());
    port.send(kEnter);
    CHECK(port.read_packet() == kEnterOk);
    Bytes bad = packet(DFU_CMD_SEND_DATA, {1, 2, 3});
    bad[5] ^= 0xFF;
    port.send(bad);
    CHECK(port.read_packet() == packet(DFU_STATUS_ERROR_CHECKSUM, {}));
    port.send(kEnter);  // inside the hold-off: flushed
    CHECK(port.read_n(1, 100ms).empty());
    std::this_thread::sleep_for(300ms);
    port.send(packet(DFU_CMD_SEND_DATA, {1}));  // hold-off over: NONE
    CHECK(port.read_packet() == packet(DFU_STATUS_ERROR_CMD, {}));
    port.send(kEnter);
    CHECK(port.read_packet() == kEnterOk);

    CHECK(sim.stop() == 0);
    std::vector<std::string> kinds, data;
    for (const auto& l : read_lines(trace)) {
        std::istringstream in(l);
        std::string t, k, h;
        in >> t >> k >> h;
        kinds.push_back(k);
        data.push_back(h);
    }
    CHECK(kinds == std::vector<std::string>{"rx-stray", "rx", "tx", "rx", "tx", "rx-flushed", "rx", "tx", "rx", "tx"});
    CHECK(data[0] == "aa5517");
    CHECK(data[5] == hex(kEnter));
}

TEST_CASE("dfu-sim --framing gap: packets sent back to back merge into one - the first is answered") {
    Sim sim({"--framing", "gap"});
    Port port(sim.first_line);
    port.send(cat(kEnter, packet(DFU_CMD_SEND_DATA, {1})));
    CHECK(port.read_packet() == kEnterOk);
    CHECK(port.read_n(1, 100ms).empty());
    port.send(kEnter);
    CHECK(port.read_packet() == kEnterOk);
    port.send({0x42, 0x42});  // garbage is a packet too
    CHECK(port.read_packet() == packet(DFU_STATUS_ERROR_DATA, {}));
    CHECK(sim.stop() == 0);
}

TEST_CASE("dfu-sim --fault: silence=1 answers nothing - corrupt=1 breaks the request and the response") {
    {
        const TempDir dir;
        const std::string trace = dir / "t";
        Sim sim({"--fault", "silence=1", "--trace", trace});
        Port port(sim.first_line);
        port.send(kEnter);
        CHECK(port.read_n(1, 200ms).empty());
        CHECK(sim.stop() == 0);
        const auto lines = read_lines(trace);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find(" rx ") != std::string::npos);
    }
    {
        // Both directions: the device answers the damaged request with an error, and
        // that answer is damaged on its way back.
        const TempDir dir;
        const std::string trace = dir / "t";
        Sim sim({"--fault", "corrupt=1,seed=5", "--trace", trace});
        Port port(sim.first_line);
        port.send(kEnter);
        const Bytes r = port.read_n(15, 300ms);
        CHECK_FALSE(r.empty());
        CHECK(r != kEnterOk);
        CHECK(sim.stop() == 0);
    }
}

TEST_CASE("dfu-sim: bad options exit 2 - --help exits 0 - a wrong-size flash file exits 1") {
    {
        Sim sim({"--row-size", "100"}, false);
        CHECK(sim.wait_exit() == 2);
    }
    {
        Sim sim({"--no-such-option"}, false);
        CHECK(sim.wait_exit() == 2);
    }
    {
        Sim sim({"--help"}, false);
        CHECK(sim.read_line(5s).rfind("usage: dfu-sim", 0) == 0);
        CHECK(sim.wait_exit() == 0);
    }
    {
        const TempDir dir;
        const std::string flash = dir / "small.bin";
        std::ofstream(flash, std::ios::binary) << std::string(100, 'x');
        Sim sim({"--flash", flash}, false);
        CHECK(sim.wait_exit() == 1);
        CHECK(read_file(flash).size() == 100);  // left alone
    }
}

// Line-rate emulation: only lower bounds (the time the bytes need on the wire); how close
// to them the simulator gets is measured outside the tests.
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// At 115200 8N1: seconds for n bytes.
constexpr double wire_s(std::size_t n, double baud = 115200.0) {
    return double(n) * 10.0 / baud;
}

const Bytes kOk = packet(0x00, {});

}  // namespace

TEST_CASE("dfu-sim --baud 115200: 20 Send Data round trips take at least their time on the wire") {
    // 2048-byte rows: 20 x 57 data bytes fit the row buffer, every answer is 0x00.
    Sim sim({"--baud", "115200", "--row-size", "2048"});
    Port port(sim.first_line);
    port.send(kEnter);
    REQUIRE(port.read_packet() == kEnterOk);
    const Bytes req = packet(DFU_CMD_SEND_DATA, pattern(57, 1));
    REQUIRE(req.size() == 64);
    const auto t0 = Clock::now();
    for (int i = 0; i < 20; ++i) {
        port.send(req);
        REQUIRE(port.read_packet() == kOk);
    }
    const double took = seconds_since(t0);
    CAPTURE(took);
    CHECK(took >= 20 * wire_s(64 + 7));
    CHECK(sim.stop() == 0);
}

TEST_CASE("dfu-sim --baud 9600: the receive direction is paced - a long request delays a short answer") {
    Sim sim({"--baud", "9600"});
    Port port(sim.first_line);
    const auto t0 = Clock::now();
    port.send(packet(DFU_CMD_SEND_DATA, Bytes(57, 0x5A)));  // not in DFU: answered 0x05
    REQUIRE(port.read_packet() == packet(DFU_STATUS_ERROR_CMD, {}));
    const double took = seconds_since(t0);
    CAPTURE(took);
    CHECK(took >= wire_s(64 + 7, 9600.0));  // 74 ms; the answer alone is 7.3 ms
    CHECK(sim.stop() == 0);
}

TEST_CASE("dfu-sim --baud: unanswered Sync - Send Data Without Response and Exit occupy the line") {
    Sim sim({"--baud", "115200", "--row-size", "2048"});
    Port port(sim.first_line);
    port.send(kEnter);
    REQUIRE(port.read_packet() == kEnterOk);
    // One write: Sync (7), 4 x 0x47 (64 each), Send Data (64); only the last is answered.
    Bytes burst = packet(DFU_CMD_SYNC, {});
    for (int i = 0; i < 4; ++i) burst = cat(burst, packet(DFU_CMD_SEND_DATA_NR, pattern(57, std::uint32_t(i))));
    burst = cat(burst, packet(DFU_CMD_SEND_DATA, pattern(57, 9)));
    const auto t0 = Clock::now();
    port.send(burst);
    REQUIRE(port.read_packet() == kOk);
    double took = seconds_since(t0);
    CAPTURE(took);
    CHECK(took >= wire_s(burst.size() + 7));
    // Exit (7 bytes, never answered) then Enter DFU (11, answered with 15).
    const auto t1 = Clock::now();
    port.send(cat(packet(DFU_CMD_EXIT, {}), kEnter));
    REQUIRE(port.read_packet() == kEnterOk);
    took = seconds_since(t1);
    CHECK(took >= wire_s(7 + 11 + 15));
    CHECK(sim.stop() == 0);
}

TEST_CASE("dfu-sim --turnaround-us: every answer starts no earlier than the turnaround") {
    SUBCASE("without line pacing") {
        Sim sim({"--turnaround-us", "5000", "--row-size", "2048"});
        Port port(sim.first_line);
        const auto t0 = Clock::now();
        port.send(kEnter);
        REQUIRE(port.read_packet() == kEnterOk);
        for (int i = 0; i < 10; ++i) {
            port.send(packet(DFU_CMD_SEND_DATA, pattern(57, std::uint32_t(i))));
            REQUIRE(port.read_packet() == kOk);
        }
        const double took = seconds_since(t0);
        CAPTURE(took);
        CHECK(took >= 11 * 0.005);
        CHECK(sim.stop() == 0);
    }
    SUBCASE("on top of the line time at 115200") {
        Sim sim({"--turnaround-us", "2000", "--baud", "115200", "--row-size", "2048"});
        Port port(sim.first_line);
        port.send(kEnter);
        REQUIRE(port.read_packet() == kEnterOk);
        const auto t0 = Clock::now();
        for (int i = 0; i < 10; ++i) {
            port.send(packet(DFU_CMD_SEND_DATA, pattern(57, std::uint32_t(i))));
            REQUIRE(port.read_packet() == kOk);
        }
        const double took = seconds_since(t0);
        CAPTURE(took);
        CHECK(took >= 10 * (wire_s(64 + 7) + 0.002));
        CHECK(sim.stop() == 0);
    }
}

TEST_CASE("dfu-sim --flash-write-us: Program Data and Erase Data answer after the row time") {
    const TempDir dir;
    const std::string flash = dir / "flash.bin";
    Sim sim({"--flash-write-us", "20000", "--baud", "115200", "--row-size", "256", "--max-packet", "279", "--flash",
             flash, "--flash-size", "64k"});
    Port port(sim.first_line);
    port.send(kEnter);
    REQUIRE(port.read_packet() == kEnterOk);
    const Bytes row = pattern(256, 3);
    const Bytes program = packet(DFU_CMD_PROGRAM_DATA, cat(cat(le32(0x10000100u), le32(ref_crc32c(row))), row));
    const Bytes erase = packet(DFU_CMD_ERASE_DATA, le32(0x10000100u));
    for (int i = 0; i < 3; ++i) {
        auto t0 = Clock::now();
        port.send(program);
        REQUIRE(port.read_packet() == kOk);
        double took = seconds_since(t0);
        CAPTURE(took);
        CHECK(took >= 0.020 + wire_s(program.size() + 7));
        t0 = Clock::now();
        port.send(erase);
        REQUIRE(port.read_packet() == kOk);
        took = seconds_since(t0);
        CHECK(took >= 0.020 + wire_s(erase.size() + 7));
    }
    CHECK(read_file(flash) == Bytes(0x10000, 0x00));
    CHECK(sim.stop() == 0);
}
