// The engine against the real device-firmware responder core, in process.
#include <doctest/doctest.h>

#include <random>

#include "core/error.hpp"
#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "firmware_jobs.hpp"
#include "inprocess_device.hpp"

using namespace dfu;
using testsupport::InProcessDevice;
using Fault = InProcessDevice::Fault;
using namespace testsupport::jobs;

namespace {

struct NullEvents : EventSink {
    std::vector<Recovery> recoveries;
    std::vector<Progress> progress;
    void on_recovery(const Recovery& r) override { recoveries.push_back(r); }
    void on_progress(const Progress& p) override { progress.push_back(p); }
};

EngineOptions fast_options() {
    EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    return o;
}


// Runs and returns the error the run must end with.
Error run_expecting_error(Flasher& f, Action action) {
    try {
        f.run(action);
    } catch (const Error& e) {
        return e;
    }
    FAIL("expected the run to fail");
    return Error(ExitCode::ok, "");
}

}  // namespace

TEST_CASE("program: 64-byte packets carry a 512-byte row in 10 packets, then Verify Application and Exit") {
    InProcessDevice dev(InProcessDevice::default_config());
    FirmwareJob job = make_job(4);
    sign(job, 2000);
    NullEvents ev;
    Flasher f(dev, job, fast_options(), ev);
    const RunResult r = f.run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.rows_done == 4);
    CHECK(r.app_valid == true);
    CHECK(dev.sent_count(cmd::send_data) == 4 * 9);
    CHECK(dev.sent_count(cmd::program_data) == 4);
    for (const auto& p : dev.sent()) CHECK(p.size() <= 64);
    CHECK(dev.sent().front()[1] == cmd::enter);
    CHECK(dev.sent()[1][1] == cmd::set_app_metadata);
    CHECK(dev.sent().back()[1] == cmd::exit);
    CHECK(dev.sent()[dev.sent().size() - 2][1] == cmd::verify_app);
    CHECK(ev.progress.size() == 4);
    CHECK(ev.progress.back().bytes_done == 2048);
    CHECK(dev.state() == DFU_STATE_FINISHED);
}

TEST_CASE("program: a packet size the device accepts sends a whole row in one Program Data") {
    auto cfg = InProcessDevice::default_config();
    cfg.max_packet = 512 + 16 + 7;
    InProcessDevice dev(cfg);
    const FirmwareJob job = make_job(3);
    EngineOptions o = fast_options();
    o.packet_size = 512 + 8 + 7;
    NullEvents ev;
    Flasher(dev, job, o, ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(dev.sent_count(cmd::send_data) == 0);
    CHECK(dev.sent_count(cmd::program_data) == 3);
}

TEST_CASE("program: 128- and 256-byte rows") {
    for (std::uint32_t row : {128u, 256u}) {
        CAPTURE(row);
        auto cfg = InProcessDevice::default_config();
        cfg.row_size = row;
        InProcessDevice dev(cfg);
        const FirmwareJob job = make_job(5, row);
        NullEvents ev;
        Flasher(dev, job, fast_options(), ev).run(Action::program);
        check_flash_has(dev.flash(), job);
    }
}

TEST_CASE("recovery: each kind of damage is survived - by going on or by redoing the row") {
    const Fault faults[] = {Fault::lose_response, Fault::corrupt_response,  Fault::corrupt_request,
                            Fault::lose_request,  Fault::corrupt_request_lose_response};
    for (Fault fault : faults) {
        // Packets: 0 Enter, 1 Set Application Metadata, 2..10 row 0's Send Data, 11 its
        // Program Data, 12 row 1's first Send Data.
        for (std::size_t at : {3u, 10u, 11u, 12u}) {
            CAPTURE(static_cast<int>(fault));
            CAPTURE(at);
            InProcessDevice dev(InProcessDevice::default_config());
            dev.set_fault_plan(
                [&](std::size_t i, const std::vector<std::uint8_t>&) { return i == at ? fault : Fault::none; });
            FirmwareJob job = make_job(3);
            sign(job, 1500);
            NullEvents ev;
            Flasher f(dev, job, fast_options(), ev);
            const RunResult r = f.run(Action::program);
            check_flash_has(dev.flash(), job);
            CHECK(r.app_valid == true);
            REQUIRE(ev.recoveries.size() == r.recoveries);
            CHECK(ev.recoveries[0].unit.find("row 0x") == 0);
            const bool send_data = at != 11;
            if ((fault == Fault::lose_response || fault == Fault::corrupt_response) && send_data) {
                // The chunk did reach the device: going on costs nothing, nothing is redone.
                CHECK(r.recoveries == 1);
                CHECK_FALSE(ev.recoveries[0].redone);
                CHECK(ev.recoveries[0].attempt == 1);
                CHECK(dev.sent_count(cmd::enter) == 1);
            } else if (send_data && (fault == Fault::lose_request || fault == Fault::corrupt_request_lose_response)) {
                // The chunk never arrived: going on, then the row's CRC-32C refuses the row
                // and it is redone. A damaged chunk whose error answer is lost left the device
                // in NONE: the next packet is refused with ERROR_CMD, and again only a new
                // Enter DFU and the whole row recover.
                CHECK(r.recoveries == 2);
                CHECK_FALSE(ev.recoveries[0].redone);
                CHECK(ev.recoveries[1].redone);
                CHECK(ev.recoveries[1].attempt == 1);
            } else {
                CHECK(r.recoveries == 1);
                CHECK(ev.recoveries[0].redone);
                CHECK(ev.recoveries[0].attempt == 1);
            }
            for (const Recovery& rec : ev.recoveries) CHECK(rec.attempt <= rec.max_attempts);
        }
    }
}

TEST_CASE("recovery: a retried Enter DFU is a recovery the result counts, attempt N of --retries + 1") {
    for (const Fault fault : {Fault::lose_response, Fault::corrupt_response}) {
        CAPTURE(static_cast<int>(fault));
        InProcessDevice dev(InProcessDevice::default_config());
        dev.set_fault_plan([&](std::size_t i, const std::vector<std::uint8_t>&) { return i < 2 ? fault : Fault::none; });
        FirmwareJob job = make_job(2);
        NullEvents ev;
        const RunResult r = Flasher(dev, job, fast_options(), ev).run(Action::program);
        check_flash_has(dev.flash(), job);
        REQUIRE(ev.recoveries.size() == 2);
        CHECK(r.recoveries == 2);
        for (unsigned i = 0; i < 2; ++i) {
            CHECK(ev.recoveries[i].unit == "Enter DFU");
            CHECK(ev.recoveries[i].attempt == i + 1);
            CHECK(ev.recoveries[i].max_attempts == fast_options().retries + 1);
        }
    }
}

TEST_CASE("recovery: noise striking a row at a different point each time gets more than --retries attempts") {
    InProcessDevice dev(InProcessDevice::default_config());
    // Row 0's first five attempts each have a different Send Data request damaged:
    // chunk k in attempt k (recovery attempts start with Sync).
    std::size_t attempt = 0, chunk = 0;
    bool row0_done = false;
    dev.set_fault_plan([&](std::size_t, const std::vector<std::uint8_t>& p) {
        if (p[1] == cmd::sync) ++attempt, chunk = 0;
        if (p[1] == cmd::program_data) row0_done = true;
        if (p[1] != cmd::send_data || row0_done) return Fault::none;
        return chunk++ == attempt && attempt < 5 ? Fault::corrupt_request : Fault::none;
    });
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    EngineOptions o = fast_options();
    o.retries = 2;
    NullEvents ev;
    const RunResult r = Flasher(dev, job, o, ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.app_valid == true);
    CHECK(r.recoveries > 2);
}

TEST_CASE("recovery: an answer carrying data where none belongs is not taken as success") {
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan(
        [](std::size_t i, const std::vector<std::uint8_t>&) { return i == 4 ? Fault::extra_data : Fault::none; });
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    NullEvents ev;
    const RunResult r = Flasher(dev, job, fast_options(), ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    REQUIRE_FALSE(ev.recoveries.empty());
    CHECK(ev.recoveries[0].reason.find("carries 4 data bytes, expected none") != std::string::npos);
}

TEST_CASE("a late answer to an earlier command read before Enter DFU's own is skipped, not a failure") {
    // A learned wait can run out just before an answer comes; the recovery's discard is then
    // over, and the late answer is the first thing the next Enter DFU reads.
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan([](std::size_t, const std::vector<std::uint8_t>& p) {
        return p[1] == cmd::enter ? Fault::late_answer_first : Fault::none;
    });
    const FirmwareJob job = make_job(2);
    NullEvents ev;
    const RunResult r = Flasher(dev, job, fast_options(), ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.recoveries == 0);
}

TEST_CASE("an answer that cannot be this request's (a late Enter DFU answer before Program Data's own) is skipped") {
    // Taken for Program Data's answer, it would leave the row's own answer (success or not) to
    // be read as the next request's: every answer after it one request late.
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan([](std::size_t, const std::vector<std::uint8_t>& p) {
        return p[1] == cmd::program_data ? Fault::late_enter_answer_first : Fault::none;
    });
    FirmwareJob job = make_job(3);
    sign(job, 1000);
    NullEvents ev;
    const RunResult r = Flasher(dev, job, fast_options(), ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.recoveries == 0);
    CHECK(r.app_valid == true);
    CHECK(dev.sent_count(cmd::program_data) == 3);
    CHECK(dev.unread() == 0);
}

TEST_CASE("recovery is bounded: a row that always fails ends with exit 5 after retries") {
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan([](std::size_t, const std::vector<std::uint8_t>& p) {
        return p[1] == cmd::program_data ? Fault::lose_response : Fault::none;
    });
    const FirmwareJob job = make_job(2);
    EngineOptions o = fast_options();
    o.retries = 2;
    NullEvents ev;
    Flasher f(dev, job, o, ev);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::no_response);
    CHECK(std::string(e.what()).find("row 0x10000000") != std::string::npos);
    CHECK(std::string(e.what()).find("3 attempts") != std::string::npos);
    CHECK(dev.sent_count(cmd::program_data) == 3);
    CHECK(f.result().rows_done == 0);
    CHECK(dev.sent_count(cmd::exit) == 0);
}

TEST_CASE("a status that retrying cannot fix fails at once with exit 6 naming row and status") {
    auto cfg = InProcessDevice::default_config();
    InProcessDevice dev(cfg);
    const FirmwareJob job = make_job(1, 512, kBase + 64 * 1024);  // past the end of flash
    NullEvents ev;
    Flasher f(dev, job, fast_options(), ev);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::device_error);
    const std::string m = e.what();
    CHECK(m.find("ERROR_ADDRESS") != std::string::npos);
    CHECK(m.find("row 0x10010000") != std::string::npos);
    CHECK(dev.sent_count(cmd::program_data) == 1);
}

TEST_CASE("a wrong product ID is an identity mismatch (exit 8)") {
    auto cfg = InProcessDevice::default_config();
    cfg.product_id = 0x11111111;
    InProcessDevice dev(cfg);
    const FirmwareJob job = make_job(1);
    NullEvents ev;
    Flasher f(dev, job, fast_options(), ev);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::identity_mismatch);
    CHECK(std::string(e.what()).find("0x01020304") != std::string::npos);
    CHECK(dev.sent_count(cmd::send_data) == 0);
    // Asked once more to tell a wrong product from a damaged end byte, never the full --retries.
    CHECK(dev.sent_count(cmd::enter) == 2);
}

TEST_CASE("one Enter refused because its end byte was damaged is not a wrong product") {
    InProcessDevice dev(InProcessDevice::default_config());
    // The device sees 0x16 where the end byte 0x17 was sent: it answers ERROR_DATA, as it does
    // to a wrong product ID.
    dev.set_fault_plan([](std::size_t index, const std::vector<std::uint8_t>&) {
        return index == 0 ? InProcessDevice::Fault::damage_end : InProcessDevice::Fault::none;
    });
    const FirmwareJob job = make_job(2);
    NullEvents ev;
    Flasher f(dev, job, fast_options(), ev);
    CHECK_NOTHROW(f.run(Action::program));
    CHECK(dev.sent_count(cmd::enter) >= 2);
    check_flash_has(dev.flash(), job);
}

TEST_CASE("silicon ID: compared only when the device reports one") {
    auto cfg = InProcessDevice::default_config();
    FirmwareJob job = make_job(1);
    job.silicon_id = 0xE2072100;
    job.silicon_rev = 0x11;
    NullEvents ev;
    {
        InProcessDevice dev(cfg);  // reports 0: no check
        CHECK_NOTHROW(Flasher(dev, job, fast_options(), ev).run(Action::program));
    }
    cfg.silicon_id = 0xE2072100;
    cfg.silicon_rev = 0x12;
    InProcessDevice dev(cfg);
    Flasher f(dev, job, fast_options(), ev);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::identity_mismatch);
    CHECK(std::string(e.what()).find("revision") != std::string::npos);
}

TEST_CASE("verify: every differing row is found and reported (exit 7), matching rows pass") {
    InProcessDevice dev(InProcessDevice::default_config());
    const FirmwareJob job = make_job(5);
    NullEvents ev;
    Flasher(dev, job, fast_options(), ev).run(Action::program);
    CHECK_NOTHROW(Flasher(dev, job, fast_options(), ev).run(Action::verify));
    dev.flash()[512 + 7] ^= 1;
    dev.flash()[4 * 512] ^= 1;
    Flasher f(dev, job, fast_options(), ev);
    const Error e = run_expecting_error(f, Action::verify);
    CHECK(e.code() == ExitCode::verify_failed);
    CHECK(std::string(e.what()).find("2 of 5 rows") != std::string::npos);
    CHECK(f.result().mismatched_rows == std::vector<std::uint32_t>{kBase + 512, kBase + 4 * 512});
    CHECK(dev.sent_count(cmd::program_data) == 5);  // only the first run wrote
}

TEST_CASE("verify: a signed image is also checked with Verify Application") {
    InProcessDevice dev(InProcessDevice::default_config());
    FirmwareJob job = make_job(3);
    sign(job, 1500);
    NullEvents ev;
    Flasher(dev, job, fast_options(), ev).run(Action::program);
    const std::size_t asked_by_program = dev.sent_count(cmd::verify_app);
    const std::size_t metadata_by_program = dev.sent_count(cmd::set_app_metadata);
    Flasher f(dev, job, fast_options(), ev);
    const RunResult r = f.run(Action::verify);
    CHECK(dev.sent_count(cmd::verify_app) == asked_by_program + 1);
    CHECK(dev.sent_count(cmd::set_app_metadata) == metadata_by_program);  // verify writes nothing
    CHECK(r.app_valid == true);
}

TEST_CASE("erase: Erase Data per row and nothing else") {
    InProcessDevice dev(InProcessDevice::default_config(), 0xFF);
    // A signed job with an EI vector: erase neither sets the vector nor writes or checks the
    // application's metadata.
    FirmwareJob job = make_job(3);
    sign(job, 1500);
    const std::vector<Step> rows = job.steps;
    job.steps.clear();
    job.steps.push_back(rows[0]);
    job.steps.emplace_back(EivStep{std::vector<std::uint8_t>(16, 0x5A), 2});
    for (std::size_t i = 1; i < rows.size(); ++i) job.steps.push_back(rows[i]);
    NullEvents ev;
    Flasher(dev, job, fast_options(), ev).run(Action::program);
    const std::size_t sent_by_program = dev.sent().size();
    Flasher(dev, job, fast_options(), ev).run(Action::erase);
    for (std::size_t i = 0; i < 3 * 512; ++i) REQUIRE(dev.flash()[i] == 0xFF);
    std::vector<std::uint8_t> codes;
    for (std::size_t i = sent_by_program; i < dev.sent().size(); ++i) codes.push_back(dev.sent()[i][1]);
    CHECK(codes == std::vector<std::uint8_t>{cmd::enter, cmd::erase_data, cmd::erase_data, cmd::erase_data, cmd::exit});
}

TEST_CASE("EI vector steps go out in order, a device without support fails with exit 6") {
    const FirmwareJob rows = make_job(2);
    FirmwareJob job = rows;
    job.steps.clear();
    job.steps.push_back(rows.steps[0]);
    job.steps.emplace_back(EivStep{std::vector<std::uint8_t>(16, 0x5A), 3});
    job.steps.push_back(rows.steps[1]);
    NullEvents ev;
    {
        InProcessDevice dev(InProcessDevice::default_config());
        Flasher(dev, job, fast_options(), ev).run(Action::program);
        std::vector<std::uint8_t> order;
        for (const auto& p : dev.sent())
            if (p[1] == cmd::set_eiv || p[1] == cmd::program_data) order.push_back(p[1]);
        CHECK(order == std::vector<std::uint8_t>{cmd::program_data, cmd::set_eiv, cmd::program_data});
    }
    auto cfg = InProcessDevice::default_config();
    cfg.eiv_supported = 0;
    InProcessDevice dev(cfg);
    Flasher f(dev, job, fast_options(), ev);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::device_error);
    CHECK(std::string(e.what()).find("test.hex:3") != std::string::npos);
}

TEST_CASE("interrupt: stops between packets, exit 130, no Exit DFU sent") {
    InProcessDevice dev(InProcessDevice::default_config());
    std::atomic<bool> stop{false};
    dev.set_fault_plan([&](std::size_t i, const std::vector<std::uint8_t>&) {
        if (i == 25) stop = true;
        return Fault::none;
    });
    const FirmwareJob job = make_job(6);
    NullEvents ev;
    Flasher f(dev, job, fast_options(), ev, &stop);
    const Error e = run_expecting_error(f, Action::program);
    CHECK(e.code() == ExitCode::interrupted);
    CHECK(std::string(e.what()).find("2 of 6 rows") != std::string::npos);
    CHECK(dev.sent().size() == 26);
    CHECK(dev.sent_count(cmd::exit) == 0);
    CHECK(dev.state() == DFU_STATE_UPDATING);
}

TEST_CASE("packet sizes outside what the protocol or the wire allows are refused before sending") {
    InProcessDevice dev(InProcessDevice::default_config());
    const FirmwareJob job = make_job(1);
    NullEvents ev;
    const auto refused = [&](std::size_t size) {
        EngineOptions o = fast_options();
        o.packet_size = size;
        try {
            [[maybe_unused]] const Flasher accepted(dev, job, o, ev);
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
            return std::string(e.what());
        }
        return std::string();
    };
    // The protocol: a frame (7 bytes) around Program Data's address, CRC and one byte at
    // least, and a 16-bit length at most.
    CHECK(refused(15).find("--packet-size 15 is outside 16..65542") != std::string::npos);
    CHECK(refused(16).empty());
    CHECK(refused(kFrameOverhead + kMaxPacketData).empty());
    CHECK_FALSE(refused(kFrameOverhead + kMaxPacketData + 1).empty());
    // The wire: a bridge that carries 64 bytes a transaction.
    dev.set_max_packet(64);
    CHECK(refused(64).empty());
    CHECK(refused(65).find("larger than in-process responder carries (64 bytes)") != std::string::npos);
    CHECK(dev.sent().empty());
}

TEST_CASE("Send Data Without Response: chunks go unanswered, and a lost one is caught by Program Data") {
    EngineOptions o = fast_options();
    o.send_without_response = true;
    NullEvents ev;
    {
        InProcessDevice dev(InProcessDevice::default_config());
        const FirmwareJob job = make_job(3);
        Flasher(dev, job, o, ev).run(Action::program);
        check_flash_has(dev.flash(), job);
        CHECK(dev.sent_count(cmd::send_data_no_response) == 3 * 9);
        CHECK(dev.sent_count(cmd::send_data) == 0);
    }
    InProcessDevice dev(InProcessDevice::default_config());
    dev.set_fault_plan(
        [](std::size_t i, const std::vector<std::uint8_t>&) { return i == 4 ? Fault::lose_request : Fault::none; });
    const FirmwareJob job = make_job(2);
    Flasher f(dev, job, o, ev);
    const RunResult r = f.run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.recoveries == 1);
}

TEST_CASE("packet size auto: whole rows, one Program Data each, to a device that takes them") {
    auto cfg = InProcessDevice::default_config();
    cfg.max_packet = 512 + 16 + 7;
    InProcessDevice dev(cfg);
    const FirmwareJob job = make_job(3);
    EngineOptions o = fast_options();
    o.packet_size_auto = true;
    NullEvents ev;
    const RunResult r = Flasher(dev, job, o, ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.packet_size == 512 + 8 + 7);
    CHECK(dev.sent_count(cmd::send_data) == 0);
    CHECK(dev.sent_count(cmd::program_data) == 3);
    CHECK(r.recoveries == 0);
}

TEST_CASE("packet size auto: a device that refuses whole rows twice gets 64-byte packets for the rest of the run") {
    InProcessDevice dev(InProcessDevice::default_config());  // takes 64-byte packets
    const FirmwareJob job = make_job(3);
    EngineOptions o = fast_options();
    o.packet_size_auto = true;
    struct Notes : NullEvents {
        std::vector<std::string> notes;
        void on_note(const std::string& m) override { notes.push_back(m); }
    } ev;
    const RunResult r = Flasher(dev, job, o, ev).run(Action::program);
    check_flash_has(dev.flash(), job);
    CHECK(r.packet_size == 64);
    // An in-process device answers at once, so nothing shows the packet was cut: the first
    // refusal may be the line's doing and is a recovery; the second settles the size.
    CHECK(r.recoveries == 1);
    REQUIRE(ev.notes.size() == 1);
    CHECK(ev.notes[0].find("does not take 527-byte packets") != std::string::npos);
    CHECK(dev.sent_count(cmd::program_data) == 2 + 3);
    CHECK(dev.sent_count(cmd::send_data) == 3 * 9);
}
