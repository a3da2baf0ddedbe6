// The .mtbdfu runner's recovery against the real responder core, in process: the same policy
// as `program` (core/recovery.hpp), with the row as the unit a failure redoes.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/protocol.hpp"
#include "core/script_plan.hpp"
#include "core/script_runner.hpp"
#include "formats/mtbdfu.hpp"
#include "inprocess_device.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace dfu;
using namespace testsupport;
using Fault = InProcessDevice::Fault;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

struct Recorded : EventSink {
    std::vector<Recovery> recoveries;
    void on_recovery(const Recovery& r) override { recoveries.push_back(r); }
};

// Two 512-byte rows, each sent as `program` packs it into 64-byte packets: 9 Send Data, then
// Program (or Verify) Data; `retries` as the document's retriesCount.
ScriptPlan rows_plan(const TempDir& dir, const std::vector<std::uint8_t>& image, const char* final_command,
                     const char* retries = "0x3") {
    write_text(dir / "a.hex", to_intel_hex({{kBase, image}}));
    write_text(dir / "t.mtbdfu",
               std::string(R"({"APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"},
        "commands": [{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "EoF", "retriesCount": ")") +
                   retries + R"(", "commandSet": [{"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"},
            {"cmdId": "0x37", "dataLength": "0x38"}, {"cmdId": ")" +
                   final_command + R"(", "dataLength": "0x8"}]}]})");
    return plan_script(formats::load_mtbdfu(dir / "t.mtbdfu"), ScriptOptions{});
}

EngineOptions fast_options() {
    EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    return o;
}


// The runner owns the transports it opens; the test keeps the device to look at afterwards.
class Borrowed final : public transports::Transport {
public:
    explicit Borrowed(InProcessDevice& d) : d_(d) {}
    const transports::Capabilities& capabilities() const noexcept override { return d_.capabilities(); }
    std::string description() const override { return d_.description(); }
    void send(std::span<const std::uint8_t> packet, transports::Reply r) override { d_.send(packet, r); }
    bool receive(std::vector<std::uint8_t>& frame, transports::Clock::time_point t) override {
        return d_.receive(frame, t);
    }
    void discard_input() override { d_.discard_input(); }
    const transports::Counters& counters() const noexcept override { return d_.counters(); }

private:
    InProcessDevice& d_;
};

ScriptRunner runner_on(const ScriptPlan& plan, InProcessDevice& dev, EventSink& ev) {
    return ScriptRunner(
        plan, [&dev]() -> std::unique_ptr<transports::Transport> { return std::make_unique<Borrowed>(dev); },
        fast_options(), ev);
}

// Runs the plan against a fresh device with `faults` (opened once: no reconnect expected).
ScriptResult run_on(const ScriptPlan& plan, InProcessDevice& dev, InProcessDevice::FaultPlan faults, EventSink& ev) {
    dev.set_fault_plan(std::move(faults));
    return runner_on(plan, dev, ev).run();
}

}  // namespace

TEST_CASE("run: a refused packet in the middle of a row redoes the row from its first packet") {
    TempDir dir;
    const auto image = random_bytes(1024, 21);
    const ScriptPlan plan = rows_plan(dir, image, "0x49");
    // Packet 0 is Enter DFU, 1-10 the first row, 11-20 the second: its fourth Send Data arrives
    // damaged, the device answers ERROR_CHECKSUM and drops back to NONE with half a row.
    InProcessDevice dev(InProcessDevice::default_config());
    Recorded ev;
    const ScriptResult r =
        run_on(plan, dev, [](std::size_t i, const auto&) { return i == 14 ? Fault::corrupt_request : Fault::none; }, ev);
    CHECK(std::equal(image.begin(), image.end(), dev.flash().begin()));
    REQUIRE(ev.recoveries.size() == 1);
    CHECK(ev.recoveries[0].unit == "commands[0].commandSet[0] (row 0x10000200)");
    CHECK(ev.recoveries[0].redone);
    CHECK(r.retries == 1);
    // Enter DFU again and Sync, then the second row whole: 9 + 1 + 3 more Send Data than a clean run.
    CHECK(dev.sent_count(cmd::enter) == 2);
    CHECK(dev.sent_count(cmd::sync) == 1);
    CHECK(dev.sent_count(cmd::send_data) == 2 * 9 + 4);
    CHECK(dev.sent_count(cmd::program_data) == 2);
    CHECK(r.packets_sent == dev.sent().size());
}

TEST_CASE("run: a lost Send Data answer is let pass, and the row's CRC decides") {
    TempDir dir;
    const auto image = random_bytes(1024, 22);
    const ScriptPlan plan = rows_plan(dir, image, "0x49", "0x0");
    InProcessDevice dev(InProcessDevice::default_config());
    Recorded ev;
    // Without retries: only letting the lost answer pass gets this run through.
    run_on(plan, dev, [](std::size_t i, const auto&) { return i == 3 ? Fault::lose_response : Fault::none; }, ev);
    CHECK(std::equal(image.begin(), image.end(), dev.flash().begin()));
    REQUIRE(ev.recoveries.size() == 1);
    CHECK_FALSE(ev.recoveries[0].redone);
    CHECK(dev.sent_count(cmd::enter) == 1);
    // A lost chunk (the request itself) makes the row's CRC fail at Program Data: the row is redone.
    InProcessDevice dev2(InProcessDevice::default_config());
    Recorded ev2;
    const auto plan2 = rows_plan(dir, image, "0x49", "0x1");
    run_on(plan2, dev2, [](std::size_t i, const auto&) { return i == 3 ? Fault::lose_request : Fault::none; }, ev2);
    CHECK(std::equal(image.begin(), image.end(), dev2.flash().begin()));
    CHECK(dev2.sent_count(cmd::program_data) == 3);
    CHECK(dev2.sent_count(cmd::enter) == 2);
}

TEST_CASE("run: the attempts at a row are bounded by retriesCount, then the run ends naming the row") {
    TempDir dir;
    const auto image = random_bytes(1024, 23);
    const ScriptPlan plan = rows_plan(dir, image, "0x49", "0x2");
    InProcessDevice dev(InProcessDevice::default_config());
    Recorded ev;
    // Every Program Data of the second row arrives damaged: the same point fails each time.
    auto faults = [](std::size_t, const std::vector<std::uint8_t>& p) {
        const bool second_row_end = p[1] == cmd::program_data && p[5] == 0x02;
        return second_row_end ? Fault::corrupt_request : Fault::none;
    };
    try {
        run_on(plan, dev, faults, ev);
        FAIL("the run succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::device_error);
        CHECK(std::string(e.what()).find("commands[0].commandSet[2] (row 0x10000200): Program Data answered "
                                         "ERROR_CHECKSUM (0x08)") == 0);
        CHECK(std::string(e.what()).find("after 3 attempts") != std::string::npos);
    }
    CHECK(ev.recoveries.size() == 2);
}

TEST_CASE("run: a row that differs at Verify Data is a finding, every row is still verified") {
    TempDir dir;
    auto image = random_bytes(1024, 24);
    const ScriptPlan plan = rows_plan(dir, image, "0x4A");
    InProcessDevice dev(InProcessDevice::default_config());
    std::copy(image.begin(), image.end(), dev.flash().begin());
    dev.flash()[10] ^= 1;  // the first row differs
    Recorded ev;
    ScriptRunner runner = runner_on(plan, dev, ev);
    try {
        runner.run();
        FAIL("the run succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::verify_failed);
        CHECK(std::string(e.what()) == "verify failed: 1 row differs: commands[0].commandSet[2] (row 0x10000000)");
    }
    CHECK(dev.sent_count(cmd::verify_data) == 2);
    CHECK(dev.sent_count(cmd::exit) == 0);
}

TEST_CASE("run: a reconnect waits the device's hold-off once, from the error answer, not again on the new port") {
    TempDir dir;
    const auto image = random_bytes(512, 25);
    write_text(dir / "a.hex", to_intel_hex({{kBase, image}}));
    // No retries, one reconnect: the row's damaged Send Data spends its attempts at once.
    write_text(dir / "t.mtbdfu",
               R"({"APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"},
        "commands": [{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "EoF", "reconnect": "0x1",
            "commandSet": [{"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"},
            {"cmdId": "0x37", "dataLength": "0x38"}, {"cmdId": "0x49", "dataLength": "0x8"}]}]})");
    const ScriptPlan plan = plan_script(formats::load_mtbdfu(dir / "t.mtbdfu"), ScriptOptions{});
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan([](std::size_t i, const auto&) { return i == 3 ? Fault::corrupt_request : Fault::none; });
    EngineOptions o = fast_options();
    o.error_holdoff = std::chrono::milliseconds(400);
    Recorded ev;
    unsigned opened = 0;
    ScriptRunner runner(
        plan,
        [&]() -> std::unique_ptr<transports::Transport> {
            ++opened;
            return std::make_unique<Borrowed>(dev);
        },
        o, ev);
    const ScriptResult r = runner.run();
    CHECK(std::equal(image.begin(), image.end(), dev.flash().begin()));
    CHECK(opened == 2);
    CHECK(r.reconnects == 1);
    // The in-process device answers at once: the run is the one hold-off. A second wait (a
    // plain sleep before reopening, then the hold-off again on the new port) makes it 800 ms.
    CHECK(r.elapsed >= std::chrono::milliseconds(400));
    CHECK(r.elapsed < std::chrono::milliseconds(700));
}
