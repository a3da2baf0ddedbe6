// End to end: the inputs beyond .hex/.bin/.cyacd2 (ELF, S-records, --format, standard input),
// erase --range, send and info's application report, through the real dfuhost binary against
// dfu-sim over a pty; the simulator's flash file compared byte for byte with a model.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "cli_runner.hpp"
#if DFUHOST_TEST_ELF
#include "elf_writer.hpp"
#endif
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;
constexpr std::size_t kFlash = 128 * 1024;
const std::string kProductId = "01020304";  // dfu-sim's default

std::vector<std::string> sim_args() {
    return {"--flash-size", std::to_string(kFlash)};
}

std::vector<std::string> with(std::vector<std::string> args, const Simulator& sim) {
    args.insert(args.end(), {"--uart", sim.pty(), "--product-id", kProductId});
    return args;
}

// SIZE_MAX when the simulator's flash is the model's, else the first offset that differs.
std::size_t flash_difference(const Simulator& sim, const FlashModel& model) {
    return first_difference(sim.flash(), model.bytes);
}

nlohmann::json last_json(const std::string& out) {
    std::istringstream lines(out);
    std::string line, last;
    while (std::getline(lines, line))
        if (!line.empty()) last = line;
    return nlohmann::json::parse(last);
}

#if DFUHOST_TEST_ELF
// .text, then .data's initial values stored after it in flash (run from RAM at 0x20000000),
// then a .bss segment without file bytes.
ElfSpec firmware_elf(std::uint32_t seed) {
    ElfSpec s;
    s.segments.push_back({kBase, kBase, random_bytes(1300, seed), 0});
    s.segments.push_back({kBase + 0x600, 0x20000000, random_bytes(200, seed + 1), 100});
    s.segments.push_back({0x20001000, 0x20001000, {}, 4096});
    return s;
}

Segments loadable_of(const ElfSpec& spec) {
    Segments s;
    for (const auto& seg : spec.segments)
        if (!seg.bytes.empty()) s[seg.paddr] = seg.bytes;
    return s;
}
#endif

}  // namespace

#if DFUHOST_TEST_ELF
TEST_CASE("program an ELF: the loadable segments at their load addresses, .bss and RAM addresses untouched") {
    for (int cls : {ELFCLASS32, ELFCLASS64}) {
        CAPTURE(cls);
        TempDir dir;
        Simulator sim(dir, sim_args());
        ElfSpec spec = firmware_elf(3);
        spec.elf_class = cls;
        write_elf(dir / "fw.elf", spec);
        const auto r = dfuhost(with({"program", (dir / "fw.elf").string()}, sim));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.out, "ELF"));
        FlashModel model(kBase, kFlash, 512);
        model.program(loadable_of(spec));
        CHECK(flash_difference(sim, model) == SIZE_MAX);
        const auto v = dfuhost(with({"verify", (dir / "fw.elf").string()}, sim));
        CHECK(v.exit_code == 0);
    }
}
#endif

TEST_CASE("program a Motorola S-record file") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    Segments image;
    image[kBase + 0x20] = random_bytes(900, 21);
    image[kBase + 0x3000] = random_bytes(77, 22);
    write_text(dir / "fw.s37", to_srec(image));
    const auto r = dfuhost(with({"program", (dir / "fw.s37").string()}, sim));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    FlashModel model(kBase, kFlash, 512);
    model.program(image);
    CHECK(flash_difference(sim, model) == SIZE_MAX);
}

TEST_CASE("an S-record with a bad checksum is refused naming file and line, and the device is not touched") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    Segments image;
    image[kBase] = random_bytes(100, 5);
    std::string text = to_srec(image);
    const auto third_line_end = text.find('\n', text.find('\n', text.find('\n') + 1) + 1);
    text[third_line_end - 1] = text[third_line_end - 1] == '0' ? '1' : '0';  // line 3's checksum
    write_text(dir / "bad.srec", text);
    const auto r = dfuhost(with({"program", (dir / "bad.srec").string()}, sim));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, (dir / "bad.srec").string() + ":3: checksum is 0x"));
    CHECK(sim.trace().empty());
}

TEST_CASE("--format reads a file whatever its extension says") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    Segments image;
    image[kBase + 0x400] = random_bytes(600, 31);
    write_text(dir / "firmware.bin", to_intel_hex(image));  // a misleading name
    const auto as_bin = dfuhost(with({"program", (dir / "firmware.bin").string()}, sim));
    CHECK(as_bin.exit_code == 3);  // no --base: the extension alone would read it as raw bytes
    CHECK(sim.trace().empty());
    const auto r = dfuhost(with({"program", (dir / "firmware.bin").string(), "--format", "hex"}, sim));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    FlashModel model(kBase, kFlash, 512);
    model.program(image);
    CHECK(flash_difference(sim, model) == SIZE_MAX);

    const auto bad = dfuhost(with({"program", (dir / "firmware.bin").string(), "--format", "ihex"}, sim));
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "--format"));
}

TEST_CASE("- reads the image from standard input, binary-safe") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    // Every byte value, CR LF and Ctrl-Z among them, as a raw .bin through the pipe.
    std::vector<std::uint8_t> bin(1024);
    for (std::size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
    write_bytes(dir / "in.bin", bin);
    const auto r =
        dfuhost_with_input(with({"program", "-", "--format", "bin", "--base", "0x10000800"}, sim), dir / "in.bin");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "standard input"));
    FlashModel model(kBase, kFlash, 512);
    Segments image;
    image[kBase + 0x800] = bin;
    model.program(image);
    CHECK(flash_difference(sim, model) == SIZE_MAX);

    // An S-record through the pipe, verified.
    write_text(dir / "in.srec", to_srec(image));
    const auto v = dfuhost_with_input(with({"verify", "-", "--format", "srec"}, sim), dir / "in.srec");
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
}

TEST_CASE("- without --format, and a .bin from standard input without --base, are refused before the device") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    write_bytes(dir / "in.bin", random_bytes(64, 1));
    const auto no_format = dfuhost_with_input(with({"program", "-"}, sim), dir / "in.bin");
    CHECK(no_format.exit_code == 2);
    CHECK(contains(no_format.err, "give --format"));
    const auto no_base = dfuhost_with_input(with({"program", "-", "--format", "bin"}, sim), dir / "in.bin");
    CHECK(no_base.exit_code == 3);
    CHECK(contains(no_base.err, "standard input: a .bin file has no address: give --base"));
    CHECK(sim.trace().empty());
}

TEST_CASE("erase --range erases exactly those rows, no file needed") {
    TempDir dir;
    Simulator sim(dir, {"--flash-size", std::to_string(kFlash), "--erased", "0xFF"});
    Segments image;
    image[kBase] = random_bytes(4 * 512, 41);
    write_text(dir / "a.hex", to_intel_hex(image));
    REQUIRE(dfuhost(with({"program", (dir / "a.hex").string()}, sim)).exit_code == 0);
    const auto r = dfuhost(with({"erase", "--range", "0x10000200:1k"}, sim));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "Erased 2 rows"));
    FlashModel model(kBase, kFlash, 512, 0xFF);
    model.program(image);
    std::fill_n(model.bytes.begin() + 0x200, 0x400, 0xFF);
    CHECK(flash_difference(sim, model) == SIZE_MAX);
}

TEST_CASE("erase --range that is not whole rows, or with a file too, is refused with exit 2, device untouched") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    struct Case {
        std::vector<std::string> args;
        const char* says;
    };
    const Case cases[] = {
        {{"erase", "--range", "0x10000100:512"}, "not whole 512-byte rows"},
        {{"erase", "--range", "0x10000000:100"}, "not whole 512-byte rows"},
        {{"erase", "--range", "0x10000000:1k", "--row-size", "2048"}, "not whole 2048-byte rows"},
        {{"erase", "--range", "0xFFFFFE00:1k"}, "runs past the 4 GiB"},
        {{"erase", "--range", "0x10000000"}, "not ADDR:LEN"},
        {{"erase", "--range", "0x10000000:0"}, "--range LEN"},
        {{"erase", "--range", "0x10000000:512", sample("blinky.hex")}, "not both"},
        {{"erase"}, "erase needs FILE"},
    };
    for (const auto& c : cases) {
        const auto r = dfuhost(with(c.args, sim));
        CAPTURE(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, c.says));
    }
    CHECK(sim.trace().empty());
}

TEST_CASE("send: a command by name with data, its answer printed, and in --json") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    // A signed application gives the metadata row an entry: app 0 = kBase, 2044 bytes.
    Segments image;
    image[kBase] = signed_app(2044, 51);
    write_text(dir / "app.hex", to_intel_hex(image));
    REQUIRE(dfuhost(with({"program", (dir / "app.hex").string()}, sim)).exit_code == 0);

    const auto r = dfuhost(with({"send", "get-metadata", "--data", "00 00 08 00"}, sim));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "Get Metadata (0x3C): SUCCESS (0x00), 8 data bytes: 00 00 00 10 FC 07 00 00"));

    const auto j = dfuhost(with({"send", "0x31", "--data", "00", "--json"}, sim));
    REQUIRE(j.exit_code == 0);
    const auto result = last_json(j.out);
    CHECK(result["action"] == "send");
    CHECK(result["command"] == "0x31");
    CHECK(result["status"] == "0x00");
    CHECK(result["data"] == "01");  // application 0 is valid
    CHECK(result["ok"] == true);

    // The session: Enter DFU, the command, Exit DFU, as a .mtbdfu session would send it.
    const std::string trace = sim.trace();
    CHECK(contains(trace, "rx 01310100"));
}

TEST_CASE("send: an error status is printed and exits 6, custom codes go as given") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    const auto r = dfuhost(with({"send", "0x51", "--data", "CAFE", "--json"}, sim));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    const auto result = last_json(r.out);
    CHECK(result["command_name"] == "custom command 0x51");
    CHECK(result["status_name"] == "ERROR_CMD");
    CHECK(result["ok"] == false);
    CHECK(contains(sim.trace(), "rx 01510200cafe"));
}

TEST_CASE("send: Exit DFU is not answered and not sent twice, unknown words are usage errors") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    const auto r = dfuhost(with({"send", "exit-dfu"}, sim));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "never answers"));
    const std::string trace = sim.trace();
    std::size_t exits = 0;
    for (std::size_t at = trace.find("rx 013b"); at != std::string::npos; at = trace.find("rx 013b", at + 1)) ++exits;
    CHECK(exits == 1);

    const auto typo = dfuhost(with({"send", "get-metadta"}, sim));
    CHECK(typo.exit_code == 2);
    CHECK(contains(typo.err, "get-metadata"));
    const auto big = dfuhost(with({"send", "0x100"}, sim));
    CHECK(big.exit_code == 2);
    const auto odd = dfuhost(with({"send", "0x3C", "--data", "123"}, sim));
    CHECK(odd.exit_code == 2);
    CHECK(contains(odd.err, "--data"));
}

TEST_CASE("info shows each application's metadata and validity") {
    TempDir dir;
    Simulator sim(dir, sim_args());
    // A fresh flash: the metadata row is erased and fails its own CRC.
    const auto fresh = dfuhost(with({"info", "--json"}, sim));
    INFO(fresh.out << fresh.err);
    REQUIRE(fresh.exit_code == 0);
    auto result = last_json(fresh.out);
    REQUIRE(result["apps"].size() == 2);
    CHECK(result["apps"][0]["valid"] == false);
    CHECK_FALSE(result["apps"][0].contains("start"));
    CHECK(contains(result["refused"].get<std::string>(), "ERROR_VERIFY"));

    Segments image;
    image[kBase + 0x1000] = signed_app(3000, 61);
    write_text(dir / "app.hex", to_intel_hex(image));
    REQUIRE(dfuhost(with({"program", (dir / "app.hex").string()}, sim)).exit_code == 0);
    const auto r = dfuhost(with({"info", "--apps", "3", "--json"}, sim));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    result = last_json(r.out);
    REQUIRE(result["apps"].size() == 3);
    CHECK(result["apps"][0]["start"] == "0x10001000");
    CHECK(result["apps"][0]["length"] == 3000);
    CHECK(result["apps"][0]["valid"] == true);
    CHECK(result["apps"][1]["length"] == 0);
    CHECK(result["apps"][1]["valid"] == false);
    CHECK_FALSE(result.contains("refused"));

    const auto human = dfuhost(with({"info"}, sim));
    CHECK(contains(human.out, "app 0         0x10001000, 3000 bytes; valid"));
    CHECK(contains(human.out, "app 1         0x00000000, 0 bytes; not valid"));
}
