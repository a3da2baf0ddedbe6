// End to end: every failure gives its documented exit code and a message a person
// can act on, and bad input never reaches the device.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

// A pty nobody answers on.
struct SilentPty {
    int master = -1;
    std::string path;
    SilentPty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        REQUIRE(master >= 0);
        REQUIRE(::grantpt(master) == 0);
        REQUIRE(::unlockpt(master) == 0);
        path = ::ptsname(master);
    }
    ~SilentPty() { ::close(master); }
};

}  // namespace

TEST_CASE("a wrong product ID exits 8 and says so") {
    TempDir dir;
    Simulator sim(dir, {"--product-id", "0x01020304"});
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty(), "--product-id", "0A0B0C0D"}), 8,
               "product ID 0x0A0B0C0D");
    // A refusal is asked once more (a damaged end byte earns the same ERROR_DATA), not --retries times.
    const std::string trace = sim.trace();
    std::size_t enters = 0;
    for (auto at = trace.find(" rx 0138"); at != std::string::npos; at = trace.find(" rx 0138", at + 1)) ++enters;
    CHECK(enters == 2);
    // Nothing but Enter DFU attempts reached the device: its flash is still erased.
    const auto flash = sim.flash();
    CHECK(std::all_of(flash.begin(), flash.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("a silicon ID other than the file's exits 8") {
    TempDir dir;
    Simulator sim(dir, {"--silicon-id", "0xE2072100"});
    Segments rows{{0x10000000, random_bytes(512, 1)}};
    Cyacd2Spec spec;
    spec.silicon_id = 0xE2062100;
    spec.app_info = false;
    write_text(dir / "other.cyacd2", to_cyacd2(spec, rows));
    CHECK_EXIT(dfuhost({"program", (dir / "other.cyacd2").string(), "--uart", sim.pty()}), 8,
               "silicon ID is 0xE2072100", "0xE2062100");
}

TEST_CASE("nothing answering exits 5 within the timeout") {
    SilentPty pty;
    const auto r = dfuhost({"program", sample("blinky.hex"), "--uart", pty.path, "--product-id", "01020304",
                            "--timeout", "200", "--retries", "1"});
    CHECK_EXIT(r, 5, "no response", pty.path);
    CHECK(r.seconds < 2.0);  // 2 attempts x 200 ms plus settling, with room for a loaded machine
}

TEST_CASE("without --retries a silent device gets the documented default: README, --help and the attempts agree") {
    // The README's option table and --help both state the default; the run must use it.
    std::ifstream in(std::string(SOURCE_DIR) + "/README.md");
    const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    REQUIRE(std::regex_search(readme, m, std::regex("\\| `--retries N` \\| ([0-9]+) \\|")));
    const unsigned documented = unsigned(std::stoul(m[1].str()));
    const auto help = dfuhost({"program", "--help"});
    CHECK(contains(help.out, "--retries N=" + std::to_string(documented)));

    SilentPty pty;
    const auto r = dfuhost({"program", sample("blinky.hex"), "--uart", pty.path, "--product-id", "01020304",
                            "--timeout", "30"});
    INFO(r.err);
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "(" + std::to_string(documented + 1) + " attempts"));
}

TEST_CASE("a port that does not exist exits 4 naming it") {
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", "/dev/does-not-exist-42", "--product-id", "1"}), 4,
               "/dev/does-not-exist-42");
}

TEST_CASE("malformed input exits 3 with file and line, and the device sees no byte") {
    TempDir dir;
    Simulator sim(dir, {});
    struct Case {
        const char* name;
        std::string content;
        const char* expect;
    };
    const Case cases[] = {
        {"bad-checksum.hex", ":020000041000EA\n:0400000001020304F0\n:00000001FF\n", "bad-checksum.hex:2"},
        {"odd.hex", ":020000041000EA\n:0400000001020304F\n:00000001FF\n", "odd.hex:2"},
        {"no-eof.hex", ":020000041000EA\n:0400000001020304F2\n", "no-eof.hex"},
        {"bad-header.cyacd2", "0200000000000000040302\n", "bad-header.cyacd2:1"},
        {"short-row.cyacd2",
         "010000000000000004030201\n:00000010" + std::string(1024, '0') + "\n:00020010" + std::string(512, '0') + "\n",
         "short-row.cyacd2:3"},
        {"empty.hex", "", "empty.hex"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        write_text(dir / c.name, c.content);
        CHECK_EXIT(dfuhost({"program", (dir / c.name).string(), "--uart", sim.pty(), "--product-id", "01020304"}), 3,
                   c.expect);
    }
    CHECK_EXIT(dfuhost({"program", (dir / "missing.hex").string(), "--uart", sim.pty()}), 3, "missing.hex");
    CHECK_EXIT(dfuhost({"program", sample("make_samples.py"), "--uart", sim.pty()}), 3);
    CHECK_EXIT(dfuhost({"program", sample("blinky.bin"), "--uart", sim.pty()}), 3, "--base");
    CHECK(sim.trace().empty());
}

TEST_CASE("usage errors exit 2") {
    CHECK_EXIT(dfuhost({}), 2);
    CHECK_EXIT(dfuhost({"program"}), 2);
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex")}), 2);  // no transport
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", "/dev/null", "--packet-size", "0x1G"}), 2,
               "--packet-size");
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", "/dev/null", "--checksum", "md5"}), 2);
}

TEST_CASE("--help and --version") {
    const auto v = dfuhost({"--version"});
    CHECK(v.exit_code == 0);
    CHECK(contains(v.out, "dfuhost 0."));
    const auto h = dfuhost({"program", "--help"});
    CHECK(h.exit_code == 0);
    CHECK(contains(h.out, "--uart"));
    CHECK(contains(h.out, "--packet-size"));
}

TEST_CASE("an application whose signature does not match exits 7") {
    TempDir dir;
    Simulator sim(dir, {});
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty(), "--product-id", "01020304", "--app-start",
                        "0x10000000", "--app-length", "4000"}),
               7, "application 0 invalid");
}

TEST_CASE("info reports the device's identity") {
    TempDir dir;
    Simulator sim(dir, {"--silicon-id", "0xE2072100", "--silicon-rev", "0x21"});
    const auto r = dfuhost({"info", "--uart", sim.pty(), "--product-id", "01020304", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // The result is the last line (it holds nested objects: the applications).
    const auto j = nlohmann::json::parse(r.out.substr(r.out.rfind("\n{") + 1));
    CHECK(j["silicon_id"] == "0xE2072100");
    CHECK(j["silicon_rev"] == "0x21");
}

TEST_CASE("--log and --debug record every packet") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto log = dir / "run.log";
    const auto r = dfuhost({"program", sample("blinky.cyacd2"), "--uart", sim.pty(), "--log", log.string(), "--debug"});
    REQUIRE(r.exit_code == 0);
    const auto text = read_bytes(log);
    const std::string s(text.begin(), text.end());
    CHECK(contains(s, "> 01 38 06 00 04 03 02 01 00 00"));  // Enter DFU with the product ID
    CHECK(contains(s, "< 01 00 08 00"));                    // its answer
    CHECK(contains(r.err, "> 01 49"));                      // Program Data on stderr
}

TEST_CASE("output files that cannot be written exit 2 naming them") {
    TempDir dir;
    const auto missing = dir / "no-such-folder";
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex"), "--uart", "/dev/null", "--log", (missing / "x.log").string()}),
               2, "no-such-folder/x.log");
    CHECK_EXIT(dfuhost({"generate", sample("blinky.hex"), "-o", (missing / "x.mtbdfu").string()}), 2,
               "no-such-folder/x.mtbdfu");
    CHECK_EXIT(
        dfuhost({"generate", sample("blinky.bin"), "--base", "0x10000000", "-o", (missing / "y.mtbdfu").string()}), 2,
        "no-such-folder/y.hex");
}

TEST_CASE("Ctrl-C during a transfer: exit 130 naming the rows written - no Exit DFU - app not valid") {
    for (const int sig : {SIGINT, SIGTERM}) {
        CAPTURE(sig);
        TempDir dir;
        // Paced at 115200 baud the 64 KiB take seconds: time to interrupt mid-transfer.
        Simulator sim(dir, {"--baud", "115200", "--flash-size", "131072"});
        const auto image = signed_app(64 * 1024 - 4, 5);
        write_text(dir / "app.hex", to_intel_hex({{0x10000000, image}}));
        const std::vector<std::string> argv{DFUHOST_BIN, "program", (dir / "app.hex").string(),
                                            "--uart",    sim.pty(), "--product-id",
                                            "01020304",  "--json"};
        const auto r = run_process(
            argv, SignalWhen{[](const std::string& out) { return contains(out, "\"rows_done\":3,"); }, sig});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 130);
        CHECK(contains(r.err, "interrupted after"));
        CHECK(contains(r.err, "rows written: 0x10000000.."));
        CHECK(contains(r.err, "run the same command again"));
        CHECK(contains(r.out, "\"exit_code\":130"));
        // The packet in flight finished; nothing told the device the update is complete.
        const std::string trace = sim.trace();
        CHECK_FALSE(contains(trace, " rx 013B"));
        CHECK_FALSE(contains(trace, " rx 0131"));  // no Verify Application either
        // Only part of the image is in flash.
        const auto flash = sim.flash();
        CHECK_FALSE(std::equal(image.begin(), image.end(), flash.begin()));
    }
}

TEST_CASE("the wire: exactly one of --uart --i2c --spi --usb-hid and known device kinds") {
    CHECK_EXIT(dfuhost({"program", sample("blinky.hex")}), 2, "--uart PORT, --i2c DEV, --spi DEV or --usb-hid");
    CHECK_EXIT(dfuhost({"info", "--uart", "/dev/null", "--i2c", "/dev/i2c-1"}), 2, "not several");
    CHECK_EXIT(dfuhost({"info", "--i2c", "ftdi:123"}), 2, "kitprog3[:SERIAL]");
    CHECK_EXIT(dfuhost({"info", "--spi", "cp2112"}), 2);  // an I2C-only bridge
    CHECK_EXIT(dfuhost({"info", "--i2c", "/dev/i2c-1", "--i2c-address", "0x80"}), 2, "--i2c-address");
    CHECK_EXIT(dfuhost({"info", "--i2c", "kitprog3", "--i2c-speed", "fast"}), 2, "--i2c-speed");
    // A usage error is found before the file is even read.
    CHECK_EXIT(dfuhost({"program", "/no/such/file.hex", "--i2c", "bogus"}), 2);
}

TEST_CASE("a missing I2C or SPI node exits 4 naming it") {
    CHECK_EXIT(dfuhost({"info", "--i2c", "/dev/i2c-97"}), 4, "/dev/i2c-97");
    CHECK_EXIT(dfuhost({"info", "--spi", "/dev/spidev9.7"}), 4, "/dev/spidev9.7");
}

TEST_CASE("list: runs without any device and gives one JSON result") {
    const auto h = dfuhost({"list"});
    CHECK(h.exit_code == 0);
    CHECK(contains(h.out, "Serial ports (--uart)"));
    CHECK(contains(h.out, "I2C adapters (--i2c)"));
    const auto j = dfuhost({"list", "--json"});
    REQUIRE(j.exit_code == 0);
    const auto result = nlohmann::json::parse(j.out.substr(j.out.rfind("{\"action\"")));
    CHECK(result["action"] == "list");
    CHECK(result["serial_ports"].is_array());
    CHECK(result["bridges"].is_array());
    CHECK(result["usb_hid"].is_array());
}
