// Expanding .mtbdfu documents into packets, and the packing `program` and `generate` share.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/row_packing.hpp"
#include "core/script_plan.hpp"
#include "core/script_runner.hpp"
#include "formats/input_error.hpp"
#include "inprocess_device.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace dfu;
using namespace testsupport;

namespace {

const std::string kAppInfo =
    R"("APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"})";

ScriptPlan plan_text(const TempDir& dir, const std::string& commands) {
    const auto path = dir / "t.mtbdfu";
    write_text(path, "{" + kAppInfo + ", \"commands\": " + commands + "}");
    return plan_script(formats::load_mtbdfu(path), ScriptOptions{});
}

std::string plan_error(const TempDir& dir, const std::string& commands) {
    try {
        plan_text(dir, commands);
    } catch (const formats::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("row packing: the fewest packets, full ones first") {
    const RowPacking p512 = pack_row(512, 64);
    CHECK(p512.send_data == std::vector<std::size_t>{57, 57, 57, 57, 57, 57, 57, 57, 56});
    CHECK(p512.tail == 0);
    const RowPacking p128 = pack_row(128, 64);
    CHECK(p128.send_data == std::vector<std::size_t>{57, 57});
    CHECK(p128.tail == 14);
    const RowPacking whole = pack_row(512, 512 + 8 + 7);
    CHECK(whole.send_data.empty());
    CHECK(whole.tail == 512);
    CHECK_THROWS(pack_row(512, 14));
}

TEST_CASE("a data-file command set becomes Send Data chunks and Program Data with address and row CRC") {
    TempDir dir;
    const auto data = random_bytes(1024, 4);
    write_text(dir / "a.hex", to_intel_hex({{0x10000000, data}}));
    const ScriptPlan plan = plan_text(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "EoF",
        "commandSet": [{"cmdId": "0x37", "dataLength": "0x39", "repeat": "0x8"}, {"cmdId": "0x37", "dataLength": "0x38"},
                       {"cmdId": "0x49", "dataLength": "0x8"}]}])");
    REQUIRE(plan.sessions.size() == 1);
    const auto& packets = plan.sessions[0].packets;
    REQUIRE(packets.size() == 1 + 2 * 10 + 1);
    CHECK(packets.front().command == cmd::enter);
    CHECK(packets.back().command == cmd::exit);
    CHECK_FALSE(packets.back().answered);
    const ScriptPacket& program = packets[10];
    CHECK(program.command == cmd::program_data);
    const std::uint32_t crc = test_crc32c(data.data(), 512);
    auto bytes = [&](const ScriptPacket& p) {
        const auto d = plan.data(p);
        return std::vector<std::uint8_t>(d.begin(), d.end());
    };
    CHECK(bytes(program) == std::vector<std::uint8_t>{0x00, 0x00, 0x00, 0x10, static_cast<std::uint8_t>(crc),
                                                      static_cast<std::uint8_t>(crc >> 8),
                                                      static_cast<std::uint8_t>(crc >> 16),
                                                      static_cast<std::uint8_t>(crc >> 24)});
    CHECK(bytes(packets[11]) == std::vector<std::uint8_t>(data.begin() + 512, data.begin() + 512 + 57));
    // A failure is redone from its row's first packet.
    for (std::size_t i = 11; i <= 20; ++i) CHECK(packets[i].unit == 11);
    CHECK(plan.where(packets[10]) == "commands[0].commandSet[2] (row 0x10000000)");
    CHECK(plan.data_file_bytes() == 1024);
}

TEST_CASE("documents that would not end or would not fit are refused") {
    TempDir dir;
    write_text(dir / "a.hex", to_intel_hex({{0x10000000, random_bytes(512, 1)}}));
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "EoF",
        "commandSet": [{"cmdId": "0x31", "data": "00"}]}])")
              .find("commands[0]: repeat EoF, but one repetition takes no bytes") != std::string::npos);
    // Refused from the repeat counts, before any packet is built (found by fuzzing: this 2^40-packet
    // document used to take 1.8 GB and 12 s to refuse).
    CHECK(plan_error(
              dir, R"([{"repeat": "0x100000", "commandSet": [{"cmdId": "0x31", "data": "00", "repeat": "0x100000"}]}])")
              .find("commands[0]: the repeat counts expand the document to more than 4000000 packets "
                    "(1099511627778); reduce repeat counts") != std::string::npos);
    CHECK(plan_error(dir, R"([{"repeat": "0x100000", "commandSet": [{"repeat": "0x100000", "commandSet": [{"repeat":
        "0x100000", "commandSet": [{"repeat": "0x100000", "commandSet": [{"cmdId": "0x35"}]}]}]}]}])")
              .find("commands[0]: the repeat counts expand the document to more than 4000000 packets; ") !=
          std::string::npos);
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "0x2",
        "commandSet": [{"cmdId": "0x37", "dataLength": "0x200"}, {"cmdId": "0x49", "dataLength": "0x8"}]}])")
              .find("has no rows left") != std::string::npos);
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "repeat": "EoF", "commandSet": [{"cmdId": "0x44"}]}])")
              .find("needs flashRowLength") != std::string::npos);
    // Found by fuzzing: every row is held at this size, so 0x80000000 was 2 GiB per row.
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x80000000", "repeat": "EoF",
        "commandSet": [{"cmdId": "0x44"}]}])")
              .find("commands[0]: flashRowLength 0x80000000 is not a power of two from 8 to 0x1000 (4096)") !=
          std::string::npos);
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x1000", "repeat": "EoF",
        "commandSet": [{"cmdId": "0x44"}]}])")
              .empty());
    CHECK(plan_error(dir, R"([{"dataFile": "a.hex", "flashRowLength": "0x200", "offset": "0x10",
        "commandSet": [{"cmdId": "0x44"}]}])")
              .find("not on a 0x200-byte row") != std::string::npos);
}

TEST_CASE("max_packets bounds the plan: repeat counts before building, EoF repeats while building") {
    TempDir dir;
    write_text(dir / "a.hex", to_intel_hex({{0x10000000, random_bytes(1024, 2)}}));
    const auto path = dir / "t.mtbdfu";
    const auto error = [&](const std::string& commands, std::size_t max_packets) -> std::string {
        write_text(path, "{" + kAppInfo + ", \"commands\": " + commands + "}");
        ScriptOptions options;
        options.max_packets = max_packets;
        try {
            plan_script(formats::load_mtbdfu(path), options);
        } catch (const formats::InputError& e) {
            return e.what();
        }
        return "";
    };
    const std::string counted = R"([{"cmdId": "0x35", "repeat": "0x3"}])";  // 5 packets with Enter and Exit
    CHECK(error(counted, 5).empty());
    CHECK(error(counted, 4).find("commands[0]: the repeat counts expand the document to more than 4 packets (5)") !=
          std::string::npos);
    const std::string eof = R"([{"dataFile": "a.hex", "flashRowLength": "0x200", "repeat": "EoF",
        "commandSet": [{"cmdId": "0x44"}]}])";  // two rows: 4 packets
    CHECK(error(eof, 4).empty());
    CHECK(error(eof, 3).find("the document expands to more than 3 packets") != std::string::npos);
    // Found by fuzzing: pauses repeated 2^40 times send no packet, and planning never ended.
    const std::string pauses = R"([{"repeat": "0x100000", "commandSet": [{"repeat": "0x10",
        "commandSet": [{"delayUS": "0x1"}]}]}, {"cmdId": "0x35"}])";
    CHECK(error(pauses, 1000).find("the pauses and command sets repeat more than 1000 times in all") !=
          std::string::npos);
}

TEST_CASE("a command repeated a million times keeps its attributes and data once, each packet 32 bytes") {
    // Resource bound: a 200-byte document must not cost gigabytes. It used to hold a copy of
    // the path, the expected data and the packet data in every one of the million packets.
    TempDir dir;
    const ScriptPlan plan = plan_text(dir, R"([{"repeat": "0x400", "commandSet": [{"repeat": "0x400",
        "commandSet": [{"cmdId": "0x32", "data": "0102030405060708", "response": "AA", "timeoutMS": "0x10"}]}]}])");
    REQUIRE(plan.packet_count() == 2 + 0x100000);
    CHECK(plan.commands.size() == 3);   // Enter DFU, the command, Exit DFU
    CHECK(plan.bytes.size() == 6 + 8);  // Enter's data and the command's, once
    CHECK(plan.bytes_to_device() == 13 + 7 + 0x100000 * 15);
    const ScriptPacket& last = plan.sessions[0].packets[0x100000];
    const auto data = plan.data(last);
    CHECK(std::vector<std::uint8_t>(data.begin(), data.end()) == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(plan.command_of(last).timeout == std::chrono::milliseconds(16));
    CHECK(plan.where(last) == "commands[0].commandSet[0].commandSet[0]");
    static_assert(sizeof(ScriptPacket) == 32);
}

TEST_CASE("pauses repeated past any sensible length add up to the longest pause, not an overflow") {
    // Found by fuzzing: 2^20 pauses of 0xFFFFFFFF seconds overflowed the 64-bit microsecond sum.
    TempDir dir;
    const ScriptPlan plan =
        plan_text(dir, R"([{"repeat": "0x100000", "commandSet": [{"delayS": "0xFFFFFFFF"}]}, {"cmdId": "0x35"}])");
    const auto& p = plan.sessions[0].packets;
    REQUIRE(p.size() == 3);
    CHECK(p[1].delay_before == kMaxScriptDelay);
}

TEST_CASE("delays, timeouts, retries and output are carried to the packets they apply to") {
    TempDir dir;
    const ScriptPlan plan =
        plan_text(dir, R"([{"delayMS": "0x10"}, {"cmdId": "0x31", "data": "00", "timeoutUS": "0x3E8",
        "retriesCount": "0x2", "outCli": true}, {"cmdId": "0x35"}])");
    const auto& p = plan.sessions[0].packets;
    REQUIRE(p.size() == 4);
    CHECK(p[1].delay_before == std::chrono::milliseconds(16));
    CHECK(plan.command_of(p[1]).timeout == std::chrono::microseconds(1000));
    CHECK(plan.command_of(p[1]).retries == 2);
    CHECK(plan.command_of(p[1]).print_output);
    CHECK_FALSE(p[2].answered);
    CHECK(p[2].delay_before.count() == 0);
}

TEST_CASE("a reconnect whose port will not reopen ends the run cleanly, counting what was sent") {
    TempDir dir;
    const ScriptPlan plan = plan_text(dir, R"([{"cmdId": "0x31", "data": "00", "reconnect": "0x2"}])");
    int opens = 0;
    auto open = [&]() -> std::unique_ptr<transports::Transport> {
        if (++opens > 1) throw transports::OpenError("/dev/ttyX: no such serial port");
        auto dev = std::make_unique<InProcessDevice>(InProcessDevice::default_config());
        dev->set_fault_plan([](std::size_t i, const std::vector<std::uint8_t>&) {
            return i == 1 ? InProcessDevice::Fault::lose_response : InProcessDevice::Fault::none;
        });
        return dev;
    };
    EventSink events;
    EngineOptions options;
    options.error_holdoff = std::chrono::milliseconds(0);
    ScriptRunner runner(plan, open, options, events);
    CHECK_THROWS_AS(runner.run(), transports::OpenError);
    CHECK(opens == 2);
    CHECK(runner.result().reconnects == 1);
    CHECK(runner.result().wire.bytes_sent == 2 * 7 + 6 + 1);  // Enter DFU and Verify Application
}

TEST_CASE("a device that refuses Enter DFU with ERROR_LENGTH (its product ID missing or another size) is exit 8") {
    // dfu-sim only ever answers the run's 6-byte Enter with ERROR_DATA, so this device is a
    // stub: every packet is answered 0x03.
    struct RefusingDevice final : transports::Transport {
        transports::Capabilities caps;
        transports::Counters counts;
        std::size_t unanswered = 0;
        const transports::Capabilities& capabilities() const noexcept override { return caps; }
        std::string description() const override { return "refusing device"; }
        void send(std::span<const std::uint8_t>, transports::Reply reply) override {
            ++counts.packets_sent;
            unanswered += reply == transports::Reply::expected;
        }
        bool receive(std::vector<std::uint8_t>& frame, transports::Clock::time_point) override {
            if (unanswered == 0) return false;
            --unanswered;
            frame = encode_packet(status::length, {}, ChecksumType::sum);
            return true;
        }
        void discard_input() override {}
        const transports::Counters& counters() const noexcept override { return counts; }
    };
    TempDir dir;
    const ScriptPlan plan = plan_text(dir, R"([{"cmdId": "0x31", "data": "00"}])");
    EventSink events;
    EngineOptions options;
    options.error_holdoff = std::chrono::milliseconds(0);
    ScriptRunner runner(plan, [] { return std::make_unique<RefusingDevice>(); }, options, events);
    try {
        runner.run();
        FAIL("the run succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::identity_mismatch);
        CHECK(std::string(e.what()).find("ERROR_LENGTH") != std::string::npos);
    }
}
