// The flasher's promise on a noisy line: the device ends with exactly the image, verified,
// or dfuhost says it did not. dfu-sim damages packets in both directions (a byte lost, a
// byte changed, a response never sent), from a seed per run so any failure replays.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;
constexpr std::size_t kFlash = 128 * 1024;
constexpr std::size_t kImage = 64 * 1024;

// 64 KiB whose last 4 bytes are the CRC-32C of the rest, so Verify Application can pass.
std::vector<std::uint8_t> signed_image(std::uint32_t seed) {
    return signed_app(kImage - 4, seed);
}

struct Outcome {
    int exit_code = -1;
    bool flash_equal = false;
    bool app_valid = false;
    std::uint64_t recoveries = 0;
    std::string err;
};

Outcome program_under_faults(const std::string& faults, std::uint32_t image_seed, unsigned timeout_ms = 80) {
    TempDir dir;
    // A short hold-off on both sides keeps 100 runs quick.
    Simulator sim(dir, {"--flash-size", std::to_string(kFlash), "--fault", faults, "--error-holdoff", "5"});
    const auto image = signed_image(image_seed);
    write_text(dir / "app.hex", to_intel_hex({{kBase, image}}));
    // The simulator answers in microseconds: a lost answer is known lost long before 1 s.
    // The timeout must still outlast the scheduling delays of a loaded CI machine (with
    // several of these runs, sanitizers and a compiler side by side, answers came >50 ms
    // late and every retry read the answer to the one before). Near the simulator's 50 ms
    // wait for the rest of a packet that lost a byte, sometimes the device answers the stub
    // and sometimes the next packet completes it: merged packets and resynchronisation get
    // exercised too.
    const auto r =
        dfuhost({"program", (dir / "app.hex").string(), "--uart", sim.pty(), "--product-id", "01020304", "--timeout",
                 std::to_string(timeout_ms * DFUHOST_TEST_SLOWDOWN), "--error-holdoff", "8", "--json"});
    Outcome o;
    o.exit_code = r.exit_code;
    o.err = r.err;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "result" && j.contains("recoveries")) {
            o.recoveries = j["recoveries"].get<std::uint64_t>();
            o.app_valid = j.value("app_valid", false);
        }
    }
    FlashModel model(kBase, kFlash, 512);
    model.program({{kBase, image}});
    model.set_metadata(0, kBase, static_cast<std::uint32_t>(kImage - 4));
    o.flash_equal = sim.flash() == model.bytes;
    return o;
}

// 1% of packets lose a byte, 1% carry a changed byte (each direction), 1% of answers lost.
void soak(std::uint32_t first_seed, std::uint32_t runs) {
    std::uint64_t total_recoveries = 0, most = 0;
    for (std::uint32_t seed = first_seed; seed < first_seed + runs; ++seed) {
        const std::string faults = "drop=0.01,corrupt=0.01,silence=0.01,seed=" + std::to_string(seed);
        CAPTURE(faults);
        const Outcome o = program_under_faults(faults, seed);
        INFO(o.err);
        REQUIRE(o.exit_code == 0);
        REQUIRE(o.flash_equal);
        REQUIRE(o.app_valid);
        total_recoveries += o.recoveries;
        most = std::max(most, o.recoveries);
    }
    MESSAGE("seeds " << first_seed << ".." << first_seed + runs - 1 << ": " << total_recoveries
                     << " recoveries in all, at most " << most << " in one run");
    // 1% in each of five places over ~1300 exchanges: recovery must actually have happened.
    CHECK(total_recoveries > runs);
}

}  // namespace

// 100 consecutive programs in all, in tens so ctest spreads them over the cores.
#define SOAK_TEN_SEEDS(FIRST, LAST)                                                          \
    TEST_CASE("fault soak: 1 percent drop, corrupt and silence - seeds " #FIRST " to " #LAST \
              " all "                                                                        \
              "land exactly") {                                                              \
        soak(FIRST, 10);                                                                     \
    }
SOAK_TEN_SEEDS(1, 10)
SOAK_TEN_SEEDS(11, 20)
SOAK_TEN_SEEDS(21, 30)
SOAK_TEN_SEEDS(31, 40)
SOAK_TEN_SEEDS(41, 50)
SOAK_TEN_SEEDS(51, 60)
SOAK_TEN_SEEDS(61, 70)
SOAK_TEN_SEEDS(71, 80)
SOAK_TEN_SEEDS(81, 90)
SOAK_TEN_SEEDS(91, 100)

TEST_CASE("fault soak: 30 percent of packets hit - never exit 0 with the wrong flash") {
    std::map<int, int> exits;
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        const std::string faults = "drop=0.1,corrupt=0.1,silence=0.1,seed=" + std::to_string(seed);
        CAPTURE(faults);
        const Outcome o = program_under_faults(faults, seed);
        ++exits[o.exit_code];
        if (o.exit_code == 0) {
            CHECK(o.flash_equal);
            CHECK(o.app_valid);
        } else {
            CHECK((o.exit_code == 5 || o.exit_code == 6));
            CHECK(contains(o.err, "dfuhost: error:"));
        }
    }
    std::string summary;
    for (const auto& [code, n] : exits) summary += " exit " + std::to_string(code) + " x" + std::to_string(n);
    MESSAGE("30 percent:" << summary);
}

TEST_CASE("fault soak: the device reboots in the middle of rows - every run lands exactly") {
    // A reboot loses the row buffer and the DFU state: the next packet of the row is
    // refused in NONE, and the host must enter again and send the whole row again.
    std::uint64_t total = 0;
    for (std::uint32_t seed = 1; seed <= 8; ++seed) {
        const std::string faults = "reset=0.01,seed=" + std::to_string(seed);
        CAPTURE(faults);
        const Outcome o = program_under_faults(faults, 100 + seed);
        INFO(o.err);
        REQUIRE(o.exit_code == 0);
        CHECK(o.flash_equal);
        CHECK(o.app_valid);
        total += o.recoveries;
    }
    MESSAGE("reboots: " << total << " recoveries in 8 runs");
    CHECK(total >= 8);  // about 13 reboots a run at 1% of ~1300 packets
}

TEST_CASE("fault soak: a slow device within --timeout is no fault, one beyond it is exit 5 naming the wait") {
    const Outcome slow = program_under_faults("delay=4,seed=1", 7, 250);
    INFO(slow.err);
    CHECK(slow.exit_code == 0);
    CHECK(slow.flash_equal);
    CHECK(slow.recoveries == 0);
    // Slower than all four Enter DFU attempts together: no late answer can be taken for
    // a later attempt's.
    const Outcome too_slow = program_under_faults("delay=2000,seed=1", 7, 60);
    INFO(too_slow.err);
    CHECK(too_slow.exit_code == 5);
    CHECK(contains(too_slow.err, "no response"));
}

// The session `generate` writes recovers as `program` does (issue 13: it failed on all of
// seeds 1-6 when the .mtbdfu runner resent single packets): the same 1 % faults on a line at
// 115200 baud, one 20 KiB image of 40 rows, every seed byte-exact.
TEST_CASE("fault soak: a generated .mtbdfu on a 1 percent lossy line - seeds 1 to 10 all land exactly") {
    constexpr std::uint32_t kAt = 0x10010000;
    TempDir dir;
    const auto image = random_bytes(20480, 13);
    write_bytes(dir / "img.bin", image);
    const auto g = dfuhost({"generate", (dir / "img.bin").string(), "--base", "0x10010000", "--product-id",
                            "01020304", "-o", (dir / "s.mtbdfu").string()});
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    FlashModel model(kBase, 1024 * 1024, 512);
    model.program({{kAt, image}});
    std::uint64_t total_recoveries = 0;
    for (std::uint32_t seed = 1; seed <= 10; ++seed) {
        const std::string faults = "drop=0.01,corrupt=0.01,silence=0.01,seed=" + std::to_string(seed);
        CAPTURE(faults);
        TempDir sim_dir;
        Simulator sim(sim_dir, {"--baud", "115200", "--fault", faults});
        const auto r = dfuhost({"run", (dir / "s.mtbdfu").string(), "--uart", sim.pty(), "--json"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("event", "") == "result") total_recoveries += j.value("recoveries", 0);
        }
        REQUIRE(sim.flash() == model.bytes);
    }
    MESSAGE("generated session, seeds 1..10: " << total_recoveries << " recoveries in all");
    CHECK(total_recoveries > 10);  // 1 % in five places over ~900 exchanges a run
}
