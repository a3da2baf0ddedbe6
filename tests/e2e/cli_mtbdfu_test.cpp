// End to end for .mtbdfu: run, generate and inspect through the real binary against dfu-sim.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

// A signed application like the published flows' blinky_cm4_crc.hex: 3000 bytes + CRC-32C.
Segments signed_app() {
    return {{kBase, testsupport::signed_app(3000, 77)}};
}

std::string published(const std::string& name) {
    const auto bytes = read_bytes(sample("mtbdfu/" + name));
    return {bytes.begin(), bytes.end()};
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) v.push_back(nlohmann::json::parse(line));
    return v;
}

std::size_t line_count(const std::filesystem::path& p) {
    const auto bytes = read_bytes(p);
    return static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

// APPInfo for the simulator's defaults.
const std::string kAppInfo =
    R"("APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"})";

}  // namespace

TEST_CASE("the published basic template programs the image") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "blinky_cm4_crc.hex", to_intel_hex(signed_app()));
    write_text(dir / "program-basic.mtbdfu", published("program-basic.mtbdfu"));
    const auto r = dfuhost({"run", (dir / "program-basic.mtbdfu").string(), "--uart", sim.pty()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    FlashModel model(kBase, 1024 * 1024, 512);
    model.program(signed_app());
    CHECK(sim.flash() == model.bytes);
    // 32 x 16-byte Send Data per row: the packet count shows the file's packing was used.
    CHECK(contains(sim.trace(), "rx 01371000"));
}

TEST_CASE("the published program-then-verify sessions run, and outFile logs the first session") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "blinky_cm4_crc.hex", to_intel_hex(signed_app()));
    write_text(dir / "pv.mtbdfu", published("program-then-verify.mtbdfu"));
    const auto r = dfuhost({"run", (dir / "pv.mtbdfu").string(), "--uart", sim.pty(), "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto events = json_lines(r.out);
    CHECK(events.back()["sessions_done"] == 2);
    FlashModel model(kBase, 1024 * 1024, 512);
    model.program(signed_app());
    CHECK(sim.flash() == model.bytes);
    // 6 rows x (9 Send Data + Program Data), one line per packet each way, Verify session not logged.
    REQUIRE(std::filesystem::exists(dir / "log.txt"));
    CHECK(line_count(dir / "log.txt") == 6 * 10 * 2);
    // And a device holding something else fails the verify session with exit 7.
    Segments other = signed_app();
    other.begin()->second[100] ^= 1;
    write_text(dir / "blinky_cm4_crc.hex", to_intel_hex(other));
    std::string text = published("program-then-verify.mtbdfu");
    const auto verify_only =
        text.substr(0, text.find("\"sessions\"")) + "\"sessions\": [" + text.substr(text.rfind("{\n\"commands\""));
    write_text(dir / "v.mtbdfu", verify_only);
    const auto v = dfuhost({"run", (dir / "v.mtbdfu").string(), "--uart", sim.pty()});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 7);
    CHECK(contains(v.err, "sessions[0].commands[0].commandSet[2] (row 0x10000000)"));
}

TEST_CASE("literal data, dataBytes arrays, expected responses and output") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "s.mtbdfu", "{" + kAppInfo + R"(, "commands": [
      {"cmdId": "0x4C", "dataLength": "0x9", "data": "02 00 00 00 10 00 01 00 00", "comment": "app 2 metadata"},
      {"cmdId": "0x3C", "dataBytes": ["0x10", "0x00", "0x18", "0x00"], "output": true,
       "response": "00 00 00 10 00 01 00 00"},
      {"cmdId": "0x3C", "data": "10001800", "outCli": "true"},
      {"cmdId": "0x51", "rsp": "0x05", "comment": "custom command: this build has no handler"},
      {"cmdId": "0x3C", "data": "00 00 00 04", "statusCode": "0x04", "comment": "past the metadata row: ERROR_DATA"},
      {"cmdId": "0x3C", "data": "10 00 18 00", "response": "00 00 00 10 00 01 00 00", "comment": "re-entered after it"}
    ]})");
    const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "commands[1]: 00 00 00 10 00 01 00 00"));
    CHECK(contains(r.out, "commands[2]: 00 00 00 10 00 01 00 00"));

    // The same with a wrong expected payload, and a status the device does not give.
    write_text(dir / "bad.mtbdfu", "{" + kAppInfo + R"(, "commands": [
      {"cmdId": "0x3C", "data": "10001800", "response": "00 00 00 10 00 02 00 00"}]})");
    const auto bad = dfuhost({"run", (dir / "bad.mtbdfu").string(), "--uart", sim.pty()});
    CHECK(bad.exit_code == 7);
    CHECK(contains(bad.err,
                   "commands[0]: Get Metadata answered [00 00 00 10 00 01 00 00], expected [00 00 00 10 00 02 00 00]"));
    write_text(dir / "bad2.mtbdfu", "{" + kAppInfo + R"(, "commands": [{"cmdId": "0x51"}]})");
    const auto bad2 = dfuhost({"run", (dir / "bad2.mtbdfu").string(), "--uart", sim.pty()});
    CHECK(bad2.exit_code == 6);
    CHECK(contains(bad2.err, "commands[0]: custom command 0x51 answered ERROR_CMD (0x05), expected SUCCESS"));
}

TEST_CASE("a nested command set inherits the data file, row length and offset, and Verify Application is read") {
    TempDir dir;
    Simulator sim(dir, {"--row-size", "256"});
    Segments app = signed_app();
    write_text(dir / "app.hex", to_intel_hex(app));
    // Skip the first two 256-byte rows with offset; 4 x 64 bytes by a nested set, then Program Data.
    write_text(dir / "n.mtbdfu", "{" + kAppInfo + R"(, "commands": [
      {"dataFile": "app.hex", "flashRowLength": "0x100", "startOffset": "0x200", "repeat": "0x3", "commandSet": [
         {"commandSet": [{"cmdId": "0x37", "dataLength": "0x20", "repeat": "0x2"}], "repeat": "0x4"},
         {"cmdId": "0x49", "dataLength": "0x8"}]},
      {"delayMS": "0x5"},
      {"cmdId": "0x4C", "data": "00 00 00 00 10 b8 0b 00 00"},
      {"cmdId": "0x31", "data": "00", "comment": "rows 0 and 1 were skipped: the signature cannot match"}
    ]})");
    const auto r = dfuhost({"run", (dir / "n.mtbdfu").string(), "--uart", sim.pty(), "--timeout", "300"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 7);
    CHECK(contains(r.err, "commands[3]: the device reports application 0 invalid"));
    FlashModel model(kBase, 1024 * 1024, 256);
    Segments rows_2_to_4{{kBase + 0x200, std::vector<std::uint8_t>(app.begin()->second.begin() + 0x200,
                                                                   app.begin()->second.begin() + 0x500)}};
    model.program(rows_2_to_4);
    model.set_metadata(0, kBase, 3000);
    CHECK(sim.flash() == model.bytes);
}

TEST_CASE("retriesCount resends after a lost answer - without it the run ends with exit 5") {
    TempDir dir;
    const std::string body = R"(, "commands": [{"commandSet": [{"cmdId": "0x3C", "data": "00000400"}], "repeat": "0x30",
        "timeoutMS": "0x32" RETRIES}]})";
    std::string with = "{" + kAppInfo + body;
    with.replace(with.find("RETRIES"), 7, R"(, "retriesCount": "0x10")");
    std::string without = "{" + kAppInfo + body;
    without.replace(without.find("RETRIES"), 7, "");
    write_text(dir / "with.mtbdfu", with);
    write_text(dir / "without.mtbdfu", without);
    // A fresh simulator per run, so each sees the same fault sequence from the seed. The
    // middleware preset's flash holds a metadata row with a valid CRC, which Get Metadata needs.
    const std::vector<std::string> faults{"--preset", "middleware", "--fault", "silence=0.2,seed=11"};
    TempDir a, b;
    Simulator sim(a, faults);
    const auto ok = dfuhost({"run", (dir / "with.mtbdfu").string(), "--uart", sim.pty(), "--json"});
    INFO(ok.out << ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(json_lines(ok.out).back()["retries"].get<int>() > 0);
    Simulator sim2(b, faults);
    const auto fail = dfuhost({"run", (dir / "without.mtbdfu").string(), "--uart", sim2.pty()});
    INFO(fail.out << fail.err);
    CHECK(fail.exit_code == 5);
    CHECK(contains(fail.err, "no response to Get Metadata within 50 ms"));
}

TEST_CASE("reconnect reopens the port, enters DFU again and redoes the row") {
    TempDir dir;
    Simulator sim(dir, {"--fault", "silence=0.03,seed=5"});
    write_text(dir / "app.hex", to_intel_hex(signed_app()));
    write_text(dir / "r.mtbdfu", "{" + kAppInfo + R"(, "commands": [
      {"dataFile": "app.hex", "flashRowLength": "0x200", "repeat": "EoF", "reconnect": "0x20", "timeoutMS": "0x32",
       "commandSet": [{"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"}, {"cmdId": "0x37", "dataLength": "0x38"},
                      {"cmdId": "0x49", "dataLength": "0x8"}]}]})");
    const auto r = dfuhost({"run", (dir / "r.mtbdfu").string(), "--uart", sim.pty(), "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(json_lines(r.out).back()["reconnects"].get<int>() > 0);
    FlashModel model(kBase, 1024 * 1024, 512);
    model.program(signed_app());
    CHECK(sim.flash() == model.bytes);
}

TEST_CASE("delayMS pauses before the next command") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "d.mtbdfu",
               "{" + kAppInfo + R"(, "commands": [{"delayMS": "0x12C"}, {"cmdId": "0x31", "data": "00",
        "response": "00"}]})");
    const auto r = dfuhost({"run", (dir / "d.mtbdfu").string(), "--uart", sim.pty()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.seconds >= 0.3);
}

TEST_CASE("timeoutMS bounds the wait for a silent device") {
    TempDir dir;
    Simulator sim(dir, {"--fault", "silence=1"});
    write_text(dir / "t.mtbdfu", std::string("{") + R"("APPInfo": {"File Version": "0x1", "Product Id": "01020304",
        "Packet Checksum Type": "0x0", "timeoutMS": "0x64"}, "commands": [{"cmdId": "0x31", "data": "00"}]})");
    const auto r = dfuhost({"run", (dir / "t.mtbdfu").string(), "--uart", sim.pty()});
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "within 100 ms"));
}

TEST_CASE("bad documents are refused with their JSON path, exit 3, and the device sees nothing") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "app.hex", to_intel_hex(signed_app()));
    struct Case {
        const char* name;
        std::string commands;
        const char* expect;
    };
    const Case cases[] = {
        {"typo", R"([{"cmdID": "0x38"}])", "did you mean 'cmdId'"},
        {"number", R"([{"cmdId": 56}])", "commands[0].cmdId"},
        {"nothex", R"([{"cmdId": "0x3G"}])", "commands[0].cmdId"},
        {"sum", R"([{"dataFile": "app.hex", "flashRowLength": "0x200", "repeat": "EoF", "commandSet": [
                    {"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"}, {"cmdId": "0x49", "dataLength": "0x8"}]}])",
         "commands[0].commandSet[1]: the command set sends 456 bytes per row before this Program Data and 0 with it, "
         "but flashRowLength is 512: 56 bytes short"},
        {"eof", R"([{"cmdId": "0x37", "dataLength": "0x10", "repeat": "EoF"}])", "commands[0]"},
        {"missing", R"([{"dataFile": "nope.hex", "cmdId": "0x37", "dataLength": "0x10"}])", "nope.hex"},
        {"length", R"([{"cmdId": "0x31", "dataLength": "0x2", "data": "00"}])", "commands[0]"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto file = dir / (std::string(c.name) + ".mtbdfu");
        write_text(file, "{" + kAppInfo + ", \"commands\": " + c.commands + "}");
        const auto r = dfuhost({"run", file.string(), "--uart", sim.pty()});
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, c.expect));
    }
    write_text(dir / "syntax.mtbdfu", "{\n" + kAppInfo + ",\n\"commands\": [\n{\"cmdId\": \"0x38\",}\n]}");
    const auto r = dfuhost({"run", (dir / "syntax.mtbdfu").string(), "--uart", sim.pty()});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "syntax.mtbdfu:4"));
    CHECK(sim.trace().empty());
}

TEST_CASE("generate then run leaves the same flash as program, for every action") {
    TempDir dir;
    Simulator by_program(dir, {"--flash-size", "0x40000"});
    TempDir dir2;
    Simulator by_run(dir2, {"--flash-size", "0x40000"});
    Segments app = signed_app();
    app[kBase + 0x4000] = random_bytes(700, 9);  // a second range: the app check is then skipped
    write_text(dir / "app.hex", to_intel_hex(app));
    for (const char* packet : {"64", "535"}) {
        CAPTURE(packet);
        const auto g = dfuhost({"generate", (dir / "app.hex").string(), "-o", (dir / "app.mtbdfu").string(),
                                "--product-id", "01020304", "--packet-size", packet});
        INFO(g.out << g.err);
        REQUIRE(g.exit_code == 0);
        const auto p = dfuhost({"program", (dir / "app.hex").string(), "--uart", by_program.pty(), "--product-id",
                                "01020304", "--packet-size", "64"});
        REQUIRE(p.exit_code == 0);
        std::vector<std::string> run{"run", (dir / "app.mtbdfu").string(), "--uart", by_run.pty()};
        const auto r = dfuhost(run);
        INFO(r.out << r.err);
        if (std::string(packet) == "535") {
            CHECK(r.exit_code == 6);  // the simulator takes 64-byte packets only: ERROR_LENGTH
            continue;
        }
        REQUIRE(r.exit_code == 0);
        CHECK(by_run.flash() == by_program.flash());
    }
    REQUIRE(dfuhost({"generate", (dir / "app.hex").string(), "-o", (dir / "v.mtbdfu").string(), "--product-id",
                     "01020304", "--action", "verify"})
                .exit_code == 0);
    CHECK(dfuhost({"run", (dir / "v.mtbdfu").string(), "--uart", by_run.pty()}).exit_code == 0);
    REQUIRE(dfuhost({"generate", (dir / "app.hex").string(), "-o", (dir / "e.mtbdfu").string(), "--product-id",
                     "01020304", "--action", "erase"})
                .exit_code == 0);
    REQUIRE(dfuhost({"run", (dir / "e.mtbdfu").string(), "--uart", by_run.pty()}).exit_code == 0);
    const auto flash = by_run.flash();
    CHECK(std::all_of(flash.begin(), flash.end() - 512, [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("generate writes the published packing, and a .bin gets a companion .hex") {
    TempDir dir;
    write_bytes(dir / "app.bin", random_bytes(1024, 3));
    const auto g = dfuhost({"generate", (dir / "app.bin").string(), "-o", (dir / "out.mtbdfu").string(), "--base",
                            "0x10000000", "--product-id", "0A0B0C0D", "--checksum", "crc16"});
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    const auto bytes = read_bytes(dir / "out.mtbdfu");
    const auto doc = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
    CHECK(doc["APPInfo"]["Product Id"] == "0A0B0C0D");
    CHECK(doc["APPInfo"]["Packet Checksum Type"] == "0x1");
    const auto& step = doc["commands"][0];
    CHECK(step["dataFile"] == "out.hex");
    CHECK(step["repeat"] == "EoF");
    CHECK(step["commandSet"] == nlohmann::json::parse(R"([{"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"},
        {"cmdId": "0x37", "dataLength": "0x38"}, {"cmdId": "0x49", "dataLength": "0x8"}])"));
    CHECK(std::filesystem::exists(dir / "out.hex"));
    CHECK(dfuhost({"generate", (dir / "app.bin").string(), "-o", (dir / "x.mtbdfu").string(), "--base", "0", "--fill",
                   "0xFF"})
              .exit_code == 2);
}

TEST_CASE("generate never overwrites a file of the user's") {
    TempDir dir;
    write_bytes(dir / "app.bin", random_bytes(1024, 3));
    write_text(dir / "out.hex", "the user's own hex\n");
    const auto g =
        dfuhost({"generate", (dir / "app.bin").string(), "-o", (dir / "out.mtbdfu").string(), "--base", "0x10000000"});
    CHECK(g.exit_code == 2);
    CHECK(contains(g.err, "already exists"));
    const auto kept = read_bytes(dir / "out.hex");
    CHECK(std::string(kept.begin(), kept.end()) == "the user's own hex\n");
    CHECK_FALSE(std::filesystem::exists(dir / "out.mtbdfu"));
    write_text(dir / "app.hex", to_intel_hex({{0x10000000, random_bytes(600, 4)}}));
    const auto self = dfuhost({"generate", (dir / "app.hex").string(), "-o", (dir / "app.hex").string()});
    CHECK(self.exit_code == 2);
    CHECK(contains(self.err, "that is the input image"));
}

TEST_CASE("inspect counts what run sends") {
    TempDir dir;
    Simulator sim(dir, {});
    write_text(dir / "blinky_cm4_crc.hex", to_intel_hex(signed_app()));
    write_text(dir / "pv.mtbdfu", published("program-then-verify.mtbdfu"));
    const auto i = dfuhost({"inspect", (dir / "pv.mtbdfu").string(), "--json"});
    INFO(i.out << i.err);
    REQUIRE(i.exit_code == 0);
    const auto plan = nlohmann::json::parse(i.out);
    CHECK(plan["sessions"].size() == 2);
    CHECK(plan["sessions"][0]["commands"]["0x37"] == 6 * 9);
    const auto r = dfuhost({"run", (dir / "pv.mtbdfu").string(), "--uart", sim.pty(), "--json"});
    REQUIRE(r.exit_code == 0);
    const auto result = json_lines(r.out).back();
    CHECK(result["packets_sent"] == plan["packets"]);
    CHECK(result["wire"]["bytes_sent"] == plan["bytes_to_device"]);
    // The same `wire` as program's result: packets as commands, and the stray bytes skipped.
    CHECK(result["wire"]["commands"] == plan["packets"]);
    CHECK(result["wire"]["bytes_discarded"] == 0);

    const auto h = dfuhost({"inspect", (dir / "blinky_cm4_crc.hex").string(), "--json"});
    REQUIRE(h.exit_code == 0);
    const auto img = nlohmann::json::parse(h.out);
    CHECK(img["bytes"] == 3004);
    CHECK(img["rows_by_size"]["128"] == 24);
    CHECK(img["app"]["signature_matches"] == true);
    CHECK(img["program_plan"]["packets"] == 2 + 2 + 6 * 10);
    const auto c = dfuhost({"inspect", sample("blinky.cyacd2")});
    REQUIRE(c.exit_code == 0);
    CHECK(contains(c.out, "product ID 0x01020304"));
}

TEST_CASE("inspect's packet counts are what dfu-sim receives on a clean line: program, verify, erase and run") {
    TempDir dir;
    write_text(dir / "app.hex", to_intel_hex(signed_app()));
    const std::string app = (dir / "app.hex").string();
    const std::vector<std::string> common{"--product-id", "01020304", "--packet-size", "64"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        return args;
    };
    const auto i = dfuhost(with({"inspect", app, "--json"}));
    INFO(i.out << i.err);
    REQUIRE(i.exit_code == 0);
    const auto counts = nlohmann::json::parse(i.out);
    auto received = [](const Simulator& sim) {
        const std::string t = sim.trace();
        std::size_t n = 0;
        for (std::size_t at = t.find(" rx "); at != std::string::npos; at = t.find(" rx ", at + 1)) ++n;
        return n;
    };
    TempDir sim_dir;
    Simulator sim(sim_dir, {});
    std::size_t before = 0;
    for (const char* action : {"program", "verify", "erase"}) {
        CAPTURE(action);
        const auto r = dfuhost(with({action, app, "--uart", sim.pty()}));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        const std::size_t now = received(sim);
        CHECK(now - before == counts[std::string(action) + "_plan"]["packets"].get<std::size_t>());
        before = now;
    }
    REQUIRE(dfuhost(with({"generate", app, "-o", (dir / "s.mtbdfu").string()})).exit_code == 0);
    const auto s = dfuhost({"inspect", (dir / "s.mtbdfu").string(), "--json"});
    REQUIRE(s.exit_code == 0);
    const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(received(sim) - before == nlohmann::json::parse(s.out)["packets"].get<std::size_t>());
    CHECK(counts["program_plan"]["packets"] == nlohmann::json::parse(s.out)["packets"]);
}

TEST_CASE("run: a device of another product refuses Enter DFU and the run exits 8, flash untouched") {
    TempDir dir;
    Simulator sim(dir, {"--product-id", "0x0A0B0C0D"});
    write_text(dir / "blinky_cm4_crc.hex", to_intel_hex(signed_app()));
    write_text(dir / "program-basic.mtbdfu", published("program-basic.mtbdfu"));
    const auto r = dfuhost({"run", (dir / "program-basic.mtbdfu").string(), "--uart", sim.pty()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 8);
    const auto flash = sim.flash();
    CHECK(std::all_of(flash.begin(), flash.end(), [](std::uint8_t b) { return b == 0; }));
}
