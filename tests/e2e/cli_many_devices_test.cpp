// End to end: several dfu-sim boards programmed by one dfuhost at once (a wire option given
// once per board), a silent board among them, the reports read back, and --wait.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;
constexpr std::size_t kFlash = 64 * 1024;
constexpr std::uint32_t kRow = 256;

std::vector<std::string> sim_args() {
    return {"--flash-size", std::to_string(kFlash), "--row-size", std::to_string(kRow)};
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream s(out);
    for (std::string l; std::getline(s, l);)
        if (!l.empty()) lines.push_back(nlohmann::json::parse(l));
    return lines;
}

// One simulated board in a folder of its own (dfu-sim keeps flash.bin and trace.txt there).
struct Board {
    TempDir dir;
    std::unique_ptr<Simulator> sim;
    explicit Board(std::vector<std::string> extra = {}) {
        auto args = sim_args();
        args.insert(args.end(), extra.begin(), extra.end());
        sim = std::make_unique<Simulator>(dir, args);
    }
};

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("eight boards at once, one silent: seven byte-exact, the silent one failed in the JUnit report, exit 5") {
    TempDir dir;
    std::vector<std::unique_ptr<Board>> boards;
    constexpr std::size_t kSilent = 5;
    for (std::size_t i = 0; i < 8; ++i)
        boards.push_back(i == kSilent ? std::make_unique<Board>(std::vector<std::string>{"--fault", "silence=1"})
                                      : std::make_unique<Board>());
    Segments image;
    image[kBase] = random_bytes(3000, 41);
    write_text(dir / "app.hex", to_intel_hex(image));
    const auto report = dir / "report.xml";
    std::vector<std::string> args{"program", (dir / "app.hex").string(), "--row-size", std::to_string(kRow),
                                  "--product-id", "01020304", "--timeout", "300", "--retries", "1",
                                  "--report", report.string(), "--json"};
    for (const auto& b : boards) args.insert(args.end(), {"--uart", b->sim->pty()});
    const auto r = dfuhost(args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);

    FlashModel model(kBase, kFlash, kRow);
    model.program(image);
    for (std::size_t i = 0; i < boards.size(); ++i) {
        CAPTURE(i);
        const auto flash = boards[i]->sim->flash();
        if (i == kSilent)  // nothing was written
            CHECK(std::all_of(flash.begin(), flash.end(), [](std::uint8_t b) { return b == 0; }));
        else
            CHECK(first_difference(flash, model.bytes) == SIZE_MAX);
    }

    // --json: every event names its device; one device_result each, then the run's result.
    const auto lines = json_lines(r.out);
    REQUIRE(!lines.empty());
    std::map<std::string, nlohmann::json> device_results;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        CAPTURE(lines[i].dump());
        CHECK(lines[i].contains("device"));
        if (lines[i]["event"] == "device_result") device_results[lines[i]["device"]] = lines[i];
    }
    CHECK(device_results.size() == 8);
    const auto& result = lines.back();
    CHECK(result["event"] == "result");
    CHECK(result["exit_code"] == 5);
    CHECK(result["devices_total"] == 8);
    CHECK(result["devices_ok"] == 7);
    const std::string silent = "uart " + boards[kSilent]->sim->pty();
    REQUIRE(device_results.count(silent) == 1);
    CHECK(device_results[silent]["exit_code"] == 5);
    CHECK(device_results[silent]["phase"] == "enter");
    CHECK(contains(result["error"].get<std::string>(), silent));
    // The run's cost is its devices' together, in the shape every command's result has.
    nlohmann::json wire_sum{{"commands", 0}, {"bytes_sent", 0}, {"bytes_received", 0}, {"bytes_discarded", 0}};
    unsigned recoveries = 0;
    for (const auto& [device, d] : device_results) {
        for (auto& [key, total] : wire_sum.items()) total = total.get<std::uint64_t>() + d["wire"][key].get<std::uint64_t>();
        recoveries += d["recoveries"].get<unsigned>();
    }
    CHECK(result["wire"] == wire_sum);
    CHECK(result["recoveries"] == recoveries);
    CHECK(result["wire"]["commands"].get<std::uint64_t>() > 7 * 3);

    // The JUnit file, read back by a JUnit parser: every field of every test case.
    nlohmann::json expect{{"tests", 8}, {"failures", 1}, {"action", "program"}, {"exit_code", 5}, {"cases", {}}};
    for (std::size_t i = 0; i < boards.size(); ++i) {
        const std::string device = "uart " + boards[i]->sim->pty();
        const auto& d = device_results[device];
        expect["cases"].push_back({{"name", device},
                                   {"ok", i != kSilent},
                                   {"exit_code", d["exit_code"]},
                                   {"phase", d["phase"]},
                                   {"error", d.value("error", "")},
                                   {"rows_done", d["rows_done"]},
                                   {"rows_total", d["rows_total"]}});
    }
    write_text(dir / "expect.json", expect.dump());
    const auto check = run_process({PYTHON3_BIN, std::string(SOURCE_DIR) + "/tests/e2e/check_junit_report.py",
                                    report.string(), (dir / "expect.json").string()});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
}

TEST_CASE("--report FILE.json: the result objects with version, command line and start time") {
    TempDir dir;
    Board a, b;
    Segments image;
    image[kBase] = random_bytes(1000, 3);
    write_text(dir / "app.hex", to_intel_hex(image));
    const auto report = dir / "report.json";
    const auto r = dfuhost({"program", (dir / "app.hex").string(), "--row-size", std::to_string(kRow),
                            "--product-id", "01020304", "--uart", a.sim->pty(), "--uart", b.sim->pty(), "--report",
                            report.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // The terminal-less run ends with the table: a line per device.
    CHECK(contains(r.out, "DEVICE"));
    CHECK(contains(r.out, "uart " + a.sim->pty()));
    CHECK(contains(r.out, "uart " + b.sim->pty()));
    std::ifstream f(report);
    const auto j = nlohmann::json::parse(f);
    CHECK(j["dfuhost_version"].is_string());
    CHECK(j["command_line"].size() == 13);
    CHECK(j["command_line"][1] == "program");
    CHECK(j["started"].get<std::string>().size() >= 19);
    CHECK(j["exit_code"] == 0);
    CHECK(j["ok"] == true);
    REQUIRE(j["results"].size() == 2);
    CHECK(j["results"][0]["device"] == "uart " + a.sim->pty());
    CHECK(j["results"][1]["device"] == "uart " + b.sim->pty());
    for (const auto& d : j["results"]) {
        CHECK(d["ok"] == true);
        CHECK(d["phase"] == "done");
        CHECK(d["rows_done"] == d["rows_total"]);
        CHECK(d["rows_total"] == 4);
    }
}

TEST_CASE("one device: --report FILE.json holds its result, without --wait a missing port fails at once") {
    TempDir dir;
    Segments image;
    image[kBase] = random_bytes(600, 4);
    write_text(dir / "app.hex", to_intel_hex(image));
    const auto report = dir / "r.json";
    const auto r = dfuhost({"program", (dir / "app.hex").string(), "--uart", (dir / "no-such-port").string(),
                            "--report", report.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.seconds < 5);
    std::ifstream f(report);
    const auto j = nlohmann::json::parse(f);
    CHECK(j["exit_code"] == 4);
    REQUIRE(j["results"].size() == 1);
    CHECK(j["results"][0]["phase"] == "open");
    CHECK(contains(j["results"][0]["error"].get<std::string>(), "no-such-port"));
}

TEST_CASE("--wait: the port appears after the run started, and the run waits for it") {
    TempDir dir;
    Segments image;
    image[kBase] = random_bytes(800, 5);
    write_text(dir / "app.hex", to_intel_hex(image));
    const auto link = dir / "board";
    auto run = std::async(std::launch::async, [&] {
        return dfuhost({"program", (dir / "app.hex").string(), "--row-size", std::to_string(kRow), "--product-id",
                        "01020304", "--uart", link.string(), "--wait", "20"});
    });
    // The board re-enumerates a little later: its port (here a link to the simulator's pty)
    // appears only now.
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    auto args = sim_args();
    args.insert(args.end(), {"--link", link.string()});
    Simulator sim(dir, args);
    const auto r = run.get();
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    FlashModel model(kBase, kFlash, kRow);
    model.program(image);
    CHECK(first_difference(sim.flash(), model.bytes) == SIZE_MAX);
}

TEST_CASE("--wait: Enter DFU is asked again and again until the time is up") {
    TempDir dir;
    Segments image;
    image[kBase] = random_bytes(300, 6);
    write_text(dir / "app.hex", to_intel_hex(image));
    auto args = sim_args();
    args.insert(args.end(), {"--fault", "silence=1"});
    Simulator sim(dir, args);
    const auto r = dfuhost({"program", (dir / "app.hex").string(), "--row-size", std::to_string(kRow),
                            "--product-id", "01020304", "--uart", sim.pty(), "--wait", "2", "--timeout", "200",
                            "--retries", "0"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "waited 2 s"));
    CHECK(r.seconds >= 2.0);
    // With --retries 0 a run without --wait asks once; this one kept asking for 2 s.
    CHECK(count_of(sim.trace(), " rx ") >= 5);
}

TEST_CASE("several devices: each named once, and only for program, verify and erase") {
    TempDir dir;
    Segments image;
    image[kBase] = random_bytes(300, 7);
    write_text(dir / "app.hex", to_intel_hex(image));
    const std::string file = (dir / "app.hex").string();
    auto r = dfuhost({"program", file, "--uart", "/dev/ttyX9", "--uart", "/dev/ttyX9"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--uart /dev/ttyX9 given twice"));
    r = dfuhost({"info", "--uart", "/dev/ttyX8", "--uart", "/dev/ttyX9"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "info drives one device"));
    r = dfuhost({"program", file, "--uart", "/dev/ttyX9", "--report", (dir / "r.txt").string()});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--report"));
    // The report's path is compared by identity: a link to the image is the image.
    std::filesystem::create_symlink(file, dir / "link.json");
    r = dfuhost({"program", file, "--uart", "/dev/ttyX9", "--report", (dir / "link.json").string()});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "the input file"));
    CHECK(read_bytes(file).size() > 0);
    r = dfuhost({"program", file, "--uart", "/dev/ttyX9", "--report", (dir / "same.json").string(), "--log",
                 (dir / "same.json").string()});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "the --log file"));
}

TEST_CASE("on a terminal each device has its own status line, redrawn in place, verify takes several too") {
    TempDir dir;
    Board a, b;
    Segments image;
    image[kBase] = random_bytes(6000, 8);
    write_text(dir / "app.hex", to_intel_hex(image));
    const std::string file = (dir / "app.hex").string();
    const auto r = run_on_terminal({DFUHOST_BIN, "program", file, "--row-size", std::to_string(kRow), "--product-id",
                                    "01020304", "--uart", a.sim->pty(), "--uart", b.sim->pty()},
                                   100);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // Two lines, each starting with its device; redrawn by going up over both.
    CHECK(contains(r.err, "\ruart " + a.sim->pty()));
    CHECK(contains(r.err, "\ruart " + b.sim->pty()));
    CHECK(contains(r.err, "\x1b[2A"));
    CHECK(contains(r.err, "rows"));
    // ... and taken away at the end, before the table.
    CHECK(contains(r.err, "\x1b[2A\r\x1b[J"));
    CHECK(contains(r.out, "DEVICE"));

    const auto v = dfuhost({"verify", file, "--row-size", std::to_string(kRow), "--product-id", "01020304", "--uart",
                            a.sim->pty(), "--uart", b.sim->pty(), "--json"});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    const auto lines = json_lines(v.out);
    REQUIRE(!lines.empty());
    CHECK(lines.back()["devices_ok"] == 2);
    CHECK(lines.back()["action"] == "verify");
}

TEST_CASE("Ctrl-C stops every device: each ends with exit 130, and so does the run") {
    TempDir dir;
    // Paced at 115200 baud, so the run is still going when the signal comes.
    Board a({"--baud", "115200"}), b({"--baud", "115200"});
    Segments image;
    image[kBase] = random_bytes(40000, 9);
    write_text(dir / "app.hex", to_intel_hex(image));
    std::vector<std::string> argv{DFUHOST_BIN, "program", (dir / "app.hex").string(), "--row-size",
                                  std::to_string(kRow), "--product-id", "01020304", "--uart", a.sim->pty(),
                                  "--uart", b.sim->pty(), "--json"};
    const auto r =
        run_process(argv, SignalWhen{[](const std::string& out) { return contains(out, "\"rows_done\":3,"); }});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 130);
    const auto lines = json_lines(r.out);
    REQUIRE(!lines.empty());
    CHECK(lines.back()["exit_code"] == 130);
    REQUIRE(lines.back()["devices"].size() == 2);
    for (const auto& d : lines.back()["devices"]) CHECK(d["exit_code"] == 130);
    CHECK(r.seconds < 10);
}
