// End to end: what must never happen. A second run on a port in use is refused before it
// sends a byte, and no output file (--log, -o, the companion .hex, outFile) may be an
// input file or the device node, however it is spelled.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

// The port held the way another dfuhost holds it: an open file description with flock.
struct HeldPort {
    int fd = -1;
    explicit HeldPort(const std::string& path) {
        fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        REQUIRE(fd >= 0);
        REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    }
    ~HeldPort() { ::close(fd); }
};

std::string hex_file(const TempDir& dir, const std::string& name, std::size_t bytes, std::uint32_t seed) {
    const auto path = dir / name;
    write_text(path, to_intel_hex({{kBase, signed_app(bytes - 4, seed)}}));
    return path.string();
}

}  // namespace

TEST_CASE("a port held by another process exits 4 naming it, and the device sees no byte") {
    TempDir dir;
    Simulator sim(dir, {});
    HeldPort held(sim.pty());
    const auto r = dfuhost({"program", hex_file(dir, "app.hex", 1024, 1), "--uart", sim.pty(), "--product-id",
                            "01020304"});
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "busy: in use by another process"));
    CHECK(contains(r.err, "PID " + std::to_string(::getpid())));
    CHECK(sim.trace().empty());
}

TEST_CASE("a second run on the same port is refused while the first one lands byte-exact") {
    TempDir dir;
    // At 115200 baud a 24 KiB image takes a few seconds: long enough to start a second run.
    Simulator sim(dir, {"--baud", "115200"});
    const auto app = signed_app(24 * 1024 - 4, 7);
    write_text(dir / "big.hex", to_intel_hex({{kBase, app}}));
    ProcessResult second;
    bool launched = false;
    SignalWhen midway;
    midway.ready = [&](const std::string& out) {
        if (!launched && contains(out, "\"progress\"")) {
            launched = true;
            second = dfuhost({"erase", (dir / "big.hex").string(), "--uart", sim.pty(), "--product-id", "01020304"});
        }
        return false;  // never signal the first run
    };
    const auto first = run_process({DFUHOST_BIN, "program", (dir / "big.hex").string(), "--uart", sim.pty(),
                                    "--product-id", "01020304", "--json"},
                                   midway);
    INFO(first.err << second.err);
    REQUIRE(launched);
    CHECK(second.exit_code == 4);
    CHECK(contains(second.err, "busy: in use by another process"));
    CHECK(first.exit_code == 0);
    const auto flash = sim.flash();
    REQUIRE(flash.size() >= app.size());
    CHECK(std::equal(app.begin(), app.end(), flash.begin()));
}

TEST_CASE("--log naming the input file is refused with exit 2 and the file is untouched") {
    TempDir dir;
    Simulator sim(dir, {});
    const std::string input = hex_file(dir, "clob.hex", 1024, 2);
    const auto before = read_bytes(input);
    SUBCASE("by the same name") {
        const auto r = dfuhost({"program", input, "--uart", sim.pty(), "--product-id", "01020304", "--log", input});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "--log"));
        CHECK(contains(r.err, "input"));
    }
    SUBCASE("through a symbolic link") {
        std::filesystem::create_symlink(input, dir / "link.txt");
        const auto r = dfuhost({"program", input, "--uart", sim.pty(), "--product-id", "01020304", "--log",
                                (dir / "link.txt").string()});
        CHECK(r.exit_code == 2);
    }
    SUBCASE("through a hard link") {
        std::filesystem::create_hard_link(input, dir / "hard.txt");
        const auto r = dfuhost({"verify", input, "--uart", sim.pty(), "--product-id", "01020304", "--log",
                                (dir / "hard.txt").string()});
        CHECK(r.exit_code == 2);
    }
    CHECK(read_bytes(input) == before);
    CHECK(sim.trace().empty());
}

TEST_CASE("--log naming the device node is refused, even through another spelling") {
    TempDir dir;
    Simulator sim(dir, {});
    std::filesystem::create_symlink(sim.pty(), dir / "port");
    const auto r = dfuhost({"program", hex_file(dir, "app.hex", 1024, 3), "--uart", (dir / "port").string(),
                            "--product-id", "01020304", "--log", sim.pty()});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "device"));
    CHECK(sim.trace().empty());
}

TEST_CASE("a .mtbdfu run: --log may not name its data file or its outFile") {
    TempDir dir;
    Simulator sim(dir, {});
    const std::string data = hex_file(dir, "data.hex", 1024, 4);
    const auto before = read_bytes(data);
    write_text(dir / "s.mtbdfu", R"({"APPInfo": {"File Version": "0x1", "Packet Checksum Type": "0x0",
      "Product Id": "01020304"},
      "commands": [{"commandSet": [{"cmdId": "0x37", "dataLength": "0x10", "repeat": "0x20"},
                                   {"cmdId": "0x49", "dataLength": "0x08"}],
                    "dataFile": "data.hex", "flashRowLength": "0x200", "repeat": "EoF",
                    "outFile": "packets.txt"}]})");
    SUBCASE("the data file") {
        const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty(), "--log", data});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(read_bytes(data) == before);
    }
    SUBCASE("its outFile") {
        const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty(), "--log",
                                (dir / "packets.txt").string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
    }
    SUBCASE("the session file") {
        const auto session = read_bytes(dir / "s.mtbdfu");
        const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty(), "--log",
                                (dir / "s.mtbdfu").string()});
        CHECK(r.exit_code == 2);
        CHECK(read_bytes(dir / "s.mtbdfu") == session);
    }
    CHECK(sim.trace().empty());
}

TEST_CASE("generate: -o may not be the companion .hex it writes, nor the --log") {
    TempDir dir;
    write_bytes(dir / "app.bin", random_bytes(2048, 5));
    SUBCASE("-o names the companion") {
        const auto r = dfuhost({"generate", (dir / "app.bin").string(), "--base", "0x10000000", "-o",
                                (dir / "out.hex").string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK_FALSE(std::filesystem::exists(dir / "out.hex"));
    }
    SUBCASE("--log names -o") {
        write_text(dir / "old.mtbdfu", "{}");
        const auto r = dfuhost({"generate", (dir / "app.bin").string(), "--base", "0x10000000", "-o",
                                (dir / "old.mtbdfu").string(), "--log", (dir / "old.mtbdfu").string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(read_bytes(dir / "old.mtbdfu") == std::vector<std::uint8_t>{'{', '}'});
    }
}

TEST_CASE("ERROR_LENGTH on the first row says to check --row-size and --packet-size") {
    TempDir dir;
    // The device's rows are 256 bytes; the host is told nothing and cuts 512-byte rows.
    Simulator sim(dir, {"--row-size", "256"});
    const auto r =
        dfuhost({"program", hex_file(dir, "app.hex", 2048, 7), "--uart", sim.pty(), "--product-id", "01020304"});
    INFO(r.err);
    CHECK(r.exit_code == 6);
    CHECK(contains(r.err, "ERROR_LENGTH"));
    CHECK(contains(r.err, "--row-size"));
    CHECK(contains(r.err, "--packet-size 64"));
}

TEST_CASE("a .bin at a --base inside a row warns which bytes become the fill value") {
    TempDir dir;
    Simulator sim(dir, {});
    write_bytes(dir / "app.bin", random_bytes(1000, 8));
    const auto human = dfuhost({"program", (dir / "app.bin").string(), "--uart", sim.pty(), "--product-id",
                                "01020304", "--base", "0x10000010", "--fill", "0xAA"});
    INFO(human.err);
    CHECK(human.exit_code == 0);
    CHECK(contains(human.err, "warning"));
    CHECK(contains(human.err, "0x10000000..0x10000010"));
    CHECK(contains(human.err, "0xAA"));
    const auto flash = sim.flash();
    CHECK(std::all_of(flash.begin(), flash.begin() + 16, [](std::uint8_t b) { return b == 0xAA; }));

    const auto json = dfuhost({"program", (dir / "app.bin").string(), "--uart", sim.pty(), "--product-id",
                               "01020304", "--base", "0x10000010", "--json"});
    CHECK(json.exit_code == 0);
    CHECK(contains(json.out, "\"event\":\"warning\""));
    CHECK(contains(json.out, "0x10000000..0x10000010"));

    const auto aligned = dfuhost({"program", (dir / "app.bin").string(), "--uart", sim.pty(), "--product-id",
                                  "01020304", "--base", "0x10000200"});
    CHECK(aligned.exit_code == 0);
    CHECK_FALSE(contains(aligned.err, "warning"));
}

TEST_CASE("a device that disappears mid-run ends it at once with 'device disconnected', without spinning") {
    TempDir dir;
    auto sim = std::make_unique<Simulator>(dir, std::vector<std::string>{"--baud", "115200"});
    write_text(dir / "big.hex", to_intel_hex({{kBase, signed_app(24 * 1024 - 4, 9)}}));
    SignalWhen crash;
    bool killed = false;
    crash.ready = [&](const std::string& out) {
        if (!killed && contains(out, "\"progress\"")) {
            killed = true;
            sim->kill();
        }
        return false;
    };
    // bash's `times` reports the CPU the child used: a loop polling a hung-up port burns a
    // whole core until the timeout, a blocking wait almost none.
    const auto r = run_process({"/bin/bash", "-c", "\"$0\" \"$@\"; rc=$?; times >&2; exit $rc", DFUHOST_BIN, "program",
                                (dir / "big.hex").string(), "--uart", sim->pty(), "--product-id", "01020304",
                                "--json", "--timeout", "4000", "--retries", "2"},
                               crash);
    INFO(r.err);
    REQUIRE(killed);
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "device disconnected"));
    CHECK(r.seconds < 4.0);  // not the 3 x 4 s the retries would wait
    // The last line of `times`: the child's user and system CPU, "0m0.012s 0m0.004s".
    const auto last = r.err.rfind("0m");
    REQUIRE(last != std::string::npos);
    const auto line_start = r.err.rfind('\n', last);
    double user = 0, sys = 0;
    REQUIRE(std::sscanf(r.err.c_str() + line_start + 1, "0m%lfs 0m%lfs", &user, &sys) == 2);
    CHECK(user + sys < 1.0);
}
