// End to end: what dfuhost tells the user and scripts while it works - the --json event
// contract (each line is also checked against docs/dfuhost-events.schema.json by the
// json_events_match_schema test), the terminal status line, the --log header, Ctrl-C.
#include <doctest/doctest.h>

#include <signal.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;
using nlohmann::json;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

std::vector<json> events_of(const std::string& out) {
    std::vector<json> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) events.push_back(json::parse(line));
    return events;
}

std::vector<json> events_named(const std::vector<json>& events, const std::string& name) {
    std::vector<json> found;
    for (const auto& e : events)
        if (e.value("event", "") == name) found.push_back(e);
    return found;
}

// The last line of a --json run, which must be the one result.
json result_of(const std::vector<json>& events) {
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().value("event", "") == "result");
    CHECK(events_named(events, "result").size() == 1);
    return events.back();
}

std::string program_args_image(const TempDir& dir, std::size_t bytes, std::uint32_t seed) {
    const auto path = dir / "app.hex";
    write_text(path, to_intel_hex({{kBase, signed_app(bytes - 4, seed)}}));
    return path.string();
}

// What a terminal shows: the text between carriage returns and newlines, escape
// sequences taken out. Each must be shorter than the width or the terminal wraps it.
std::size_t longest_terminal_line(const std::string& tty) {
    const std::string plain = std::regex_replace(tty, std::regex("\x1b\\[[0-9;]*[A-Za-z]"), "");
    std::size_t longest = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= plain.size(); ++i)
        if (i == plain.size() || plain[i] == '\r' || plain[i] == '\n') {
            longest = std::max(longest, i - start);
            start = i + 1;
        }
    return longest;
}

}  // namespace

TEST_CASE("--json: recovery events count as the result does, attempt N of the most the unit gets") {
    // Faults on 3% of packets: Enter retries, row redos and lost Send Data answers all happen.
    std::size_t events_seen = 0;
    for (const int seed : {3, 4, 5}) {
        CAPTURE(seed);
        TempDir dir;
        Simulator sim(dir, {"--fault", "drop=0.03,corrupt=0.03,silence=0.03,seed=" + std::to_string(seed),
                            "--error-holdoff", "5"});
        const auto r = dfuhost({"program", program_args_image(dir, 24 * 1024, 40 + seed), "--uart", sim.pty(),
                                "--product-id", "01020304", "--timeout", std::to_string(100 * DFUHOST_TEST_SLOWDOWN),
                                "--error-holdoff", "8", "--json"});
        INFO(r.out << r.err);
        const auto events = events_of(r.out);
        const json result = result_of(events);
        const auto recoveries = events_named(events, "recovery");
        events_seen += recoveries.size();
        CHECK(result["recoveries"] == recoveries.size());
        for (const auto& e : recoveries) {
            CAPTURE(e.dump());
            CHECK(e["attempt"].get<unsigned>() >= 1);
            CHECK(e["attempt"].get<unsigned>() <= e["max_attempts"].get<unsigned>());
        }
    }
    CHECK(events_seen > 0);  // the faults did strike
}

TEST_CASE("--json: a silent device - the Enter retries and the error count the same attempts") {
    TempDir dir;
    Simulator sim(dir, {"--fault", "silence=1,seed=1"});
    const auto r = dfuhost({"program", program_args_image(dir, 2048, 1), "--uart", sim.pty(), "--product-id",
                            "01020304", "--timeout", "50", "--retries", "3", "--json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    const auto events = events_of(r.out);
    const json result = result_of(events);
    const auto recoveries = events_named(events, "recovery");
    REQUIRE(recoveries.size() == 3);
    for (std::size_t i = 0; i < recoveries.size(); ++i) {
        CHECK(recoveries[i]["unit"] == "Enter DFU");
        CHECK(recoveries[i]["attempt"] == i + 1);
        CHECK(recoveries[i]["max_attempts"] == 4);
    }
    CHECK(contains(result["error"].get<std::string>(), "(4 attempts"));
    CHECK(result["recoveries"] == 3);
    CHECK(result["action"] == "program");
}

TEST_CASE("--json: the result is the last line after Ctrl-C and after the device vanished") {
    TempDir dir;
    Simulator sim(dir, {"--baud", "115200", "--flash-size", "131072"});
    const std::string image = program_args_image(dir, 64 * 1024, 9);
    const auto r = run_process({DFUHOST_BIN, "program", image, "--uart", sim.pty(), "--product-id", "01020304",
                                "--json"},
                               SignalWhen{[](const std::string& out) { return contains(out, "\"rows_done\":3,"); }});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 130);
    const json interrupted = result_of(events_of(r.out));
    CHECK(interrupted["exit_code"] == 130);
    CHECK(interrupted["action"] == "program");
    CHECK(interrupted["file"] == image);
    // The warning about rows written comes before the result, not after it.
    CHECK(contains(r.out, "rows were written before the failure"));

    TempDir dir2;
    auto sim2 = std::make_unique<Simulator>(dir2, std::vector<std::string>{"--baud", "115200", "--flash-size", "131072"});
    const std::string image2 = program_args_image(dir2, 64 * 1024, 10);
    Simulator* victim = sim2.get();
    const auto gone = run_process(
        {DFUHOST_BIN, "program", image2, "--uart", sim2->pty(), "--product-id", "01020304", "--json"},
        SignalWhen{[victim](const std::string& out) {
                       if (!contains(out, "\"rows_done\":3,")) return false;
                       victim->kill();
                       return true;
                   },
                   0});  // signal 0: nothing sent to dfuhost, the device is what goes
    INFO(gone.out << gone.err);
    CHECK(gone.exit_code == 5);
    const json vanished = result_of(events_of(gone.out));
    CHECK(vanished["exit_code"] == 5);
    CHECK(vanished["file"] == image2);
}

TEST_CASE("--json: a failure before the device is reached still ends in a result naming action and file") {
    TempDir dir;
    write_text(dir / "bad.hex", ":10000000FFFF\n");
    const auto bad = dfuhost({"program", (dir / "bad.hex").string(), "--uart", "/dev/null", "--json"});
    CHECK(bad.exit_code == 3);
    const json r = result_of(events_of(bad.out));
    CHECK(r["ok"] == false);
    CHECK(r["action"] == "program");
    CHECK(r["file"] == (dir / "bad.hex").string());
    CHECK(r["schema"] == 1);

    const auto no_port =
        dfuhost({"verify", sample("blinky.hex"), "--uart", (dir / "no-such-port").string(), "--json"});
    CHECK(no_port.exit_code == 4);
    const json np = result_of(events_of(no_port.out));
    CHECK(np["action"] == "verify");
    CHECK(np["file"] == sample("blinky.hex"));
}

TEST_CASE("inspect --json: success and failure are both one result event") {
    const auto ok = dfuhost({"inspect", sample("blinky.hex"), "--json"});
    REQUIRE(ok.exit_code == 0);
    const json good = result_of(events_of(ok.out));
    CHECK(good["ok"] == true);
    CHECK(good["action"] == "inspect");
    CHECK(good["ranges"].is_array());
    TempDir dir;
    write_text(dir / "bad.hex", "not a hex file\n");
    const auto fail = dfuhost({"inspect", (dir / "bad.hex").string(), "--json"});
    CHECK(fail.exit_code == 3);
    const json bad = result_of(events_of(fail.out));
    CHECK(bad["ok"] == false);
    CHECK(bad["action"] == "inspect");
}

TEST_CASE("run: progress events for a .mtbdfu's rows, and a bar on a terminal") {
    TempDir dir;
    Simulator sim(dir, {"--flash-size", "262144"});
    const std::string image = program_args_image(dir, 96 * 1024, 11);
    const auto gen = dfuhost({"generate", image, "-o", (dir / "app.mtbdfu").string(), "--product-id", "01020304"});
    REQUIRE(gen.exit_code == 0);
    const auto r = dfuhost({"run", (dir / "app.mtbdfu").string(), "--uart", sim.pty(), "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto events = events_of(r.out);
    const auto progress = events_named(events, "progress");
    REQUIRE(progress.size() == 192);  // 96 KiB in 512-byte rows
    CHECK(progress.front()["rows_done"] == 1);
    CHECK(progress.front()["address"] == "0x10000000");
    CHECK(progress.back()["rows_done"] == 192);
    CHECK(progress.back()["rows_total"] == 192);
    CHECK(progress.back()["bytes_done"] <= progress.back()["bytes_total"]);
    result_of(events);

    const auto tty = run_on_terminal({DFUHOST_BIN, "run", (dir / "app.mtbdfu").string(), "--uart", sim.pty()}, 80);
    INFO(tty.err);
    CHECK(tty.exit_code == 0);
    CHECK(contains(tty.err, "192/192 rows"));
}

TEST_CASE("the progress bar fits a narrow terminal and says what a silent device is waiting for") {
    TempDir dir;
    // 1.2 s per row written: long enough for the status line to name the wait.
    Simulator sim(dir, {"--flash-size", "262144", "--flash-write-us", "1200000"});
    const std::string image = program_args_image(dir, 2 * 512, 12);
    const auto r = run_on_terminal({DFUHOST_BIN, "program", image, "--uart", sim.pty(), "--product-id", "01020304",
                                    "--timeout", "5000"},
                                   50);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(longest_terminal_line(r.err) <= 49);
    CHECK(contains(r.err, "waiting for answer to Program Data row 0x10000000"));
    CHECK(contains(r.err, "2/2 rows"));
    // run says the same about the rows of a .mtbdfu.
    const auto gen = dfuhost({"generate", image, "-o", (dir / "app.mtbdfu").string(), "--product-id", "01020304"});
    REQUIRE(gen.exit_code == 0);
    const auto run = run_on_terminal(
        {DFUHOST_BIN, "run", (dir / "app.mtbdfu").string(), "--uart", sim.pty(), "--timeout", "5000"}, 50);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(longest_terminal_line(run.err) <= 49);
    CHECK(contains(run.err, "waiting for answer to Program Data row 0x10000200"));

    // A long run in a narrow pane: many redraws, none wider than the pane.
    TempDir dir2;
    Simulator fast(dir2, {"--flash-size", "262144"});
    const std::string big = program_args_image(dir2, 128 * 1024, 13);
    for (const unsigned short columns : {30, 50, 132}) {
        CAPTURE(columns);
        const auto t = run_on_terminal(
            {DFUHOST_BIN, "program", big, "--uart", fast.pty(), "--product-id", "01020304"}, columns);
        INFO(t.err);
        CHECK(t.exit_code == 0);
        CHECK(longest_terminal_line(t.err) <= columns - 1u);
        CHECK(contains(t.err, "256/256 rows"));
    }
}

TEST_CASE("Ctrl-C while the device is silent ends the run at once: exit 130 and a result") {
    TempDir dir;
    // Each row takes 5 s to write: the interrupt lands in the wait for Program Data's answer.
    Simulator sim(dir, {"--flash-size", "262144", "--flash-write-us", "5000000"});
    const std::string image = program_args_image(dir, 4 * 512, 14);
    auto seen = std::chrono::steady_clock::time_point{};
    auto signalled = std::chrono::steady_clock::time_point{};
    const auto r = run_process({DFUHOST_BIN, "program", image, "--uart", sim.pty(), "--product-id", "01020304",
                                "--timeout", "20000", "--json"},
                               SignalWhen{[&](const std::string& out) {
                                   const auto now = std::chrono::steady_clock::now();
                                   if (!contains(out, "\"event\":\"device\"")) return false;
                                   if (seen == decltype(seen){}) seen = now;
                                   if (now - seen < std::chrono::milliseconds(500)) return false;
                                   signalled = now;
                                   return true;
                               },
                                          SIGINT});
    const double after_signal =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    INFO(r.out << r.err);
    CHECK(r.exit_code == 130);
    const json result = result_of(events_of(r.out));
    CHECK(result["exit_code"] == 130);
    // Without a wake during the wait the run would sit out the rest of the 5 s row write.
    CHECK(after_signal < 1.0 * DFUHOST_TEST_SLOWDOWN);
}

TEST_CASE("--log starts with version, command line and start time, -q keeps everything in it") {
    TempDir dir;
    Simulator sim(dir, {});
    const std::string image = program_args_image(dir, 4 * 512, 15);
    const auto log = dir / "run log.txt";
    const auto r = dfuhost({"program", image, "--uart", sim.pty(), "--product-id", "01020304", "-q", "--log",
                            log.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    const auto bytes = read_bytes(log);
    const std::string all(bytes.begin(), bytes.end());
    std::istringstream text(all);
    std::string first, second, third;
    std::getline(text, first);
    std::getline(text, second);
    std::getline(text, third);
    CHECK(std::regex_match(first, std::regex("# dfuhost [0-9]+\\.[0-9]+\\.[0-9]+")));
    CHECK(second == "# command: " + std::string(DFUHOST_BIN) + " program " + image + " --uart " + sim.pty() +
                        " --product-id 01020304 -q --log '" + log.string() + "'");
    CHECK(std::regex_match(third, std::regex("# started: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d")));
    CHECK(contains(all, "Programming "));
    CHECK(contains(all, "Programmed 4 rows"));
}
