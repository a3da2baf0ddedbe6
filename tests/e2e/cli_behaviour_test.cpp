// End to end: behaviour a user meets on first contact. The shipped .mtbdfu samples run as
// they are, a file built for any silicon is not checked against the device's revision,
// info explains a refused product ID, a missing port points at `dfuhost list`, a file that
// cannot be written says why, generate writes to standard output, run refuses an image.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

bool flash_holds(const std::vector<std::uint8_t>& flash, const std::vector<std::uint8_t>& app) {
    return flash.size() >= app.size() && std::equal(app.begin(), app.end(), flash.begin());
}

}  // namespace

TEST_CASE("every sample .mtbdfu runs against the simulator with the data file shipped beside it") {
    const std::filesystem::path samples = sample("mtbdfu");
    const auto image = read_bytes(sample("blinky.bin"));  // what blinky_cm4_crc.hex holds at 0x10000000
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(samples)) {
        if (entry.path().extension() != ".mtbdfu") continue;
        ++count;
        CAPTURE(entry.path());
        // A copy of the folder as shipped: a session's outFile is written beside the document.
        TempDir dir;
        std::filesystem::copy(samples, dir / "mtbdfu");
        Simulator sim(dir, {});
        const auto r = dfuhost({"run", (dir / "mtbdfu" / entry.path().filename()).string(), "--uart", sim.pty()});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(flash_holds(sim.flash(), image));
    }
    CHECK(count >= 2);
}

TEST_CASE("a file that names silicon ID 0 is not checked against the device's revision either") {
    TempDir dir;
    Simulator sim(dir, {"--silicon-id", "0xE2072100", "--silicon-rev", "0x21"});
    const Segments rows{{0x10000000, signed_app(508, 9)}};  // one 512-byte row, signature included
    Cyacd2Spec spec;
    spec.silicon_id = 0;
    spec.silicon_rev = 0x11;  // a revision, but of no part in particular
    spec.app_start = 0x10000000;
    spec.app_length = 508;
    write_text(dir / "any.cyacd2", to_cyacd2(spec, rows));
    const auto r = dfuhost({"program", (dir / "any.cyacd2").string(), "--uart", sim.pty()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(flash_holds(sim.flash(), rows.begin()->second));

    // With the part named, the revision still counts.
    spec.silicon_id = 0xE2072100;
    write_text(dir / "rev.cyacd2", to_cyacd2(spec, rows));
    const auto wrong = dfuhost({"verify", (dir / "rev.cyacd2").string(), "--uart", sim.pty()});
    CHECK(wrong.exit_code == 8);
    CHECK(contains(wrong.err, "silicon revision is 0x21"));
}

TEST_CASE("info without --product-id against a device that refuses product ID 0 says to give one") {
    TempDir dir;
    Simulator sim(dir, {"--product-id", "0x01020304"});
    const auto r = dfuhost({"info", "--uart", sim.pty()});
    CHECK(r.exit_code == 8);
    CHECK(contains(r.err, "info has no file to take it from, so give --product-id"));
    const auto given = dfuhost({"info", "--uart", sim.pty(), "--product-id", "0A0B0C0D"});
    CHECK(given.exit_code == 8);
    CHECK_FALSE(contains(given.err, "info has no file"));
}

TEST_CASE("a serial port that does not exist points at dfuhost list") {
    const auto r = dfuhost({"info", "--uart", "/dev/ttyDoesNotExist42", "--product-id", "1"});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "/dev/ttyDoesNotExist42: no such serial port; see `dfuhost list`"));
}

TEST_CASE("a --log that cannot be written says why") {
    TempDir dir;
    const auto r = dfuhost({"inspect", sample("blinky.hex"), "--log", (dir / "no-such-dir" / "x.log").string()});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "No such file or directory"));
}

TEST_CASE("generate -o - writes the .mtbdfu to standard output, and the document runs") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto app = signed_app(3000, 5);
    write_text(dir / "app.hex", to_intel_hex({{kBase, app}}));
    const auto r = dfuhost({"generate", (dir / "app.hex").string(), "-o", "-", "--product-id", "01020304"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);  // the whole of stdout is the document
    CHECK(doc.contains("APPInfo"));
    // Kept in another folder, the document still finds its image: dataFile is absolute.
    std::filesystem::create_directory(dir / "elsewhere");
    write_text(dir / "elsewhere" / "app.mtbdfu", r.out);
    const auto run = dfuhost({"run", (dir / "elsewhere" / "app.mtbdfu").string(), "--uart", sim.pty()});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(flash_holds(sim.flash(), app));
}

TEST_CASE("generate -o - of a .bin, or with --json, is refused: standard output cannot hold both") {
    TempDir dir;
    write_bytes(dir / "app.bin", signed_app(1000, 3));
    const auto bin = dfuhost({"generate", (dir / "app.bin").string(), "--base", "0x10000000", "-o", "-"});
    CHECK(bin.exit_code == 2);
    CHECK(contains(bin.err, "give -o FILE.mtbdfu"));
    CHECK(bin.out.empty());
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);
    write_text(dir / "app.hex", to_intel_hex({{kBase, signed_app(1000, 3)}}));
    const auto json = dfuhost({"generate", (dir / "app.hex").string(), "-o", "-", "--json"});
    CHECK(json.exit_code == 2);
    CHECK(contains(json.err, "both go to standard output"));
}

TEST_CASE("run of an image says to use program") {
    for (const std::string name : {"blinky.hex", "blinky.bin", "blinky.cyacd2"}) {
        CAPTURE(name);
        const auto r = dfuhost({"run", sample(name), "--uart", "/dev/null"});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "use `dfuhost program " + sample(name) + "`"));
    }
}
