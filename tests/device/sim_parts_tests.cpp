// dfu-sim's parts in-process: the framer (length and gap framing), the options, the fault
// specification, the flash file, the line model and the server's receive timing.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "device_test_util.hpp"
#include "sim_clock.h"
#include "sim_fault.h"
#include "sim_flash.h"
#include "dfu_framer.h"
#include "sim_options.h"
#include "sim_serve.h"

using namespace devtest;

namespace {

struct Unit {
    dfu_unit_kind kind;
    Bytes bytes;
    std::uint64_t at;
};

struct Framer {
    std::unique_ptr<dfu_framer> f = std::make_unique<dfu_framer>();
    std::vector<Unit> units;
    Framer(dfu_framing mode, std::uint32_t max_packet = 64) {
        dfu_framer_init(f.get(), mode, max_packet, &Framer::emit, this);
    }
    static void emit(void* ctx, dfu_unit_kind kind, const std::uint8_t* b, std::size_t n, std::uint64_t now) {
        static_cast<Framer*>(ctx)->units.push_back({kind, Bytes(b, b + n), now});
    }
    void feed(const Bytes& b, std::uint64_t now) { dfu_framer_feed(f.get(), b.data(), b.size(), now); }
    void idle(std::uint64_t now) { dfu_framer_idle(f.get(), now); }
};

// A scratch file path in a fresh directory, removed at the end of the test.
struct TempFile {
    std::string dir, path;
    explicit TempFile(const char* name) {
        char buf[] = "/tmp/dfusim-XXXXXX";
        REQUIRE(mkdtemp(buf) != nullptr);
        dir = buf;
        path = dir + "/" + name;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

// The options keep pointers into argv (as into main's): args must outlive o's use.
int parse(sim_options& o, std::vector<std::string>& args) {
    if (args.empty() || args[0] != "dfu-sim") args.insert(args.begin(), "dfu-sim");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    FILE* sink = std::fopen("/dev/null", "w");
    const int rc = sim_options_parse(&o, int(argv.size()), argv.data(), sink, sink);
    std::fclose(sink);
    return rc;
}

}  // namespace

TEST_CASE("framer/length: whole packets - back to back - split across reads") {
    Framer fr(DFU_FRAMING_LENGTH);
    const Bytes a = packet(0x38, le32(0x01020304)), b = packet(0x37, Bytes(57, 0x01));
    fr.feed(cat(a, b), 100);
    REQUIRE(fr.units.size() == 2);
    CHECK(fr.units[0].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[0].bytes == a);
    CHECK(fr.units[1].bytes == b);
    CHECK(dfu_framer_due_us(fr.f.get(), 100) == -1);
    // one byte at a time
    for (std::size_t i = 0; i < b.size(); ++i) fr.feed({b[i]}, 200 + i);
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[2].bytes == b);
}

TEST_CASE("framer/length: stray bytes are reported as one run - then the packet") {
    Framer fr(DFU_FRAMING_LENGTH);
    const Bytes a = packet(0x35, {});
    fr.feed(cat(Bytes{0xFF, 0x00, 0x17}, a), 10);
    REQUIRE(fr.units.size() == 2);
    CHECK(fr.units[0].kind == DFU_UNIT_STRAY);
    CHECK(fr.units[0].bytes == Bytes{0xFF, 0x00, 0x17});
    CHECK(fr.units[1].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[1].bytes == a);
    // strays alone end after the partial timeout
    fr.feed({0x55, 0x66}, 1000);
    CHECK(fr.units.size() == 2);
    CHECK(dfu_framer_due_us(fr.f.get(), 1000) == DFU_PARTIAL_TIMEOUT_US);
    fr.idle(1000 + DFU_PARTIAL_TIMEOUT_US - 1);
    CHECK(fr.units.size() == 2);
    fr.idle(1000 + DFU_PARTIAL_TIMEOUT_US);
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[2].kind == DFU_UNIT_STRAY);
    CHECK(fr.units[2].bytes == Bytes{0x55, 0x66});
}

TEST_CASE("framer/length: a partial packet is handed over after 50 ms idle") {
    Framer fr(DFU_FRAMING_LENGTH);
    const Bytes a = packet(0x38, le32(0x01020304));
    fr.feed(Bytes(a.begin(), a.begin() + 6), 0);
    fr.idle(49999);
    CHECK(fr.units.empty());
    // the next bytes arrive after the timeout: the partial goes first, alone
    fr.feed(a, 60000);
    REQUIRE(fr.units.size() == 2);
    CHECK(fr.units[0].bytes == Bytes(a.begin(), a.begin() + 6));
    CHECK(fr.units[1].bytes == a);
}

TEST_CASE("framer/length: an oversized packet is cut at max_packet + 1 - the rest skipped as stray") {
    Framer fr(DFU_FRAMING_LENGTH, 64);
    const Bytes big = packet(0x37, pattern(100, 1));  // 107 bytes
    const Bytes next = packet(0x35, {});
    fr.feed(cat(big, next), 5);
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[0].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[0].bytes == Bytes(big.begin(), big.begin() + 65));
    CHECK(fr.units[1].kind == DFU_UNIT_STRAY);
    CHECK(fr.units[1].bytes == Bytes(big.begin() + 65, big.end()));
    CHECK(fr.units[2].bytes == next);
    // the core answers the cut packet 0x03
    Device d;
    d.start();
    CHECK(d.raw(fr.units[0].bytes).status == DFU_STATUS_ERROR_LENGTH);
}

TEST_CASE("framer/length split_oversize: the rest of a cut packet is a packet of its own, at its last byte") {
    Framer fr(DFU_FRAMING_LENGTH, 64);
    fr.f->split_oversize = 1;
    const Bytes big = packet(0x49, pattern(100, 1));  // 107 bytes
    const Bytes next = packet(0x35, {});
    for (std::size_t i = 0; i < big.size(); ++i) {
        fr.feed({big[i]}, 10 * i);
        // the rest needs exactly its own bytes: the port looks again at its last byte
        if (i >= 65) CHECK(dfu_framer_wanted(fr.f.get()) == (i + 1 == big.size() ? 7u : big.size() - 1 - i));
    }
    REQUIRE(fr.units.size() == 2);
    CHECK(fr.units[0].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[0].bytes == Bytes(big.begin(), big.begin() + 65));
    CHECK(fr.units[0].at == 10 * 64);
    CHECK(fr.units[1].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[1].bytes == Bytes(big.begin() + 65, big.end()));
    CHECK(fr.units[1].at == 10 * (big.size() - 1));
    fr.feed(next, 5000);
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[2].bytes == next);
    // the core answers them as the middleware does: 0x03, then (after the hold-off) 0x04
    Device d;
    d.start();
    CHECK(d.raw(fr.units[0].bytes).status == DFU_STATUS_ERROR_LENGTH);
    d.now += 1000;  // the hold-off of the first is over
    CHECK(d.raw(fr.units[1].bytes).status == DFU_STATUS_ERROR_DATA);
    // a rest the line stops short of is handed over after the partial timeout
    fr.feed(Bytes(big.begin(), big.begin() + 80), 10000);
    REQUIRE(fr.units.size() == 4);
    fr.idle(10000 + DFU_PARTIAL_TIMEOUT_US);
    REQUIRE(fr.units.size() == 5);
    CHECK(fr.units[4].bytes == Bytes(big.begin() + 65, big.begin() + 80));
    CHECK(dfu_framer_due_us(fr.f.get(), 10000 + DFU_PARTIAL_TIMEOUT_US) == -1);
}

TEST_CASE("framer/gap: a packet ends at a 1 ms gap - back to back packets merge") {
    Framer fr(DFU_FRAMING_GAP);
    const Bytes a = packet(0x47, {1, 2, 3}), b = packet(0x37, {4});
    fr.feed(a, 1000);
    CHECK(dfu_framer_due_us(fr.f.get(), 1500) == 500);
    fr.idle(1999);
    CHECK(fr.units.empty());
    fr.idle(2000);
    REQUIRE(fr.units.size() == 1);
    CHECK(fr.units[0].bytes == a);
    // merged
    fr.feed(a, 5000);
    fr.feed(b, 5500);
    fr.idle(6499);
    CHECK(fr.units.size() == 1);
    fr.idle(6500);
    REQUIRE(fr.units.size() == 2);
    CHECK(fr.units[1].bytes == cat(a, b));
    // garbage is a packet too (the core answers 0x04)
    fr.feed({0x99, 0x98}, 9000);
    fr.feed(b, 12000);  // after a gap: the garbage goes first
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[2].kind == DFU_UNIT_PACKET);
    CHECK(fr.units[2].bytes == Bytes{0x99, 0x98});
    Device d;
    d.start();
    CHECK(d.raw(fr.units[1].bytes).status == DFU_STATUS_ERROR_CMD);  // the first (0x47 in NONE); b is lost
    CHECK(d.raw(fr.units[2].bytes).status == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("framer/gap: a burst longer than max_packet is handed over max_packet bytes at a time") {
    Framer fr(DFU_FRAMING_GAP, 64);
    const Bytes big = pattern(64 * 2 + 10, 3);
    fr.feed(big, 1000);
    fr.idle(2000);
    REQUIRE(fr.units.size() == 3);
    CHECK(fr.units[0].bytes == Bytes(big.begin(), big.begin() + 64));
    CHECK(fr.units[1].bytes == Bytes(big.begin() + 64, big.begin() + 128));
    CHECK(fr.units[2].bytes == Bytes(big.begin() + 128, big.end()));
    // an oversized packet: 0x03 for its first 64 bytes, 0x04 for the excess (no start byte)
    Framer f2(DFU_FRAMING_GAP, 64);
    f2.feed(packet(DFU_CMD_SEND_DATA, Bytes(60, 0x5A)), 1000);
    f2.idle(2000);
    REQUIRE(f2.units.size() == 2);
    CHECK(f2.units[1].bytes.size() == 3);
    Device d;
    d.start();
    CHECK(d.raw(f2.units[0].bytes).status == DFU_STATUS_ERROR_LENGTH);
    CHECK(d.raw(f2.units[1].bytes).status == DFU_STATUS_ERROR_DATA);
}

TEST_CASE("framer: bytes wanted before a packet can end - never more than it needs") {
    Framer fr(DFU_FRAMING_LENGTH);
    dfu_framer* f = fr.f.get();
    CHECK(dfu_framer_wanted(f) == 7);  // the smallest packet
    const Bytes p = packet(0x37, Bytes(57, 0x11));
    REQUIRE(p.size() == 64);
    fr.feed(Bytes(p.begin(), p.begin() + 2), 10);
    CHECK(dfu_framer_wanted(f) == 5);
    fr.feed(Bytes(p.begin() + 2, p.begin() + 4), 20);  // the header is in: to the announced end
    CHECK(dfu_framer_wanted(f) == 60);
    fr.feed(Bytes(p.begin() + 4, p.end() - 1), 30);
    CHECK(dfu_framer_wanted(f) == 1);
    CHECK(fr.units.empty());
    fr.feed({p.back()}, 40);
    REQUIRE(fr.units.size() == 1);
    CHECK(dfu_framer_wanted(f) == 7);
    fr.feed({0x01, 0x37, 0xE8, 0x03}, 50);  // announces 1007 bytes: cut at max_packet + 1
    CHECK(dfu_framer_wanted(f) == 61);
    fr.feed(Bytes(60, 0x00), 60);
    CHECK(fr.units.size() == 1);
    fr.feed({0x00}, 70);
    REQUIRE(fr.units.size() == 2);
    CHECK(dfu_framer_wanted(f) == 1007 - 65 + 7);  // the skipped rest, then a packet
    Framer gap(DFU_FRAMING_GAP);
    CHECK(dfu_framer_wanted(gap.f.get()) == SIZE_MAX);  // only a gap ends a packet
}

TEST_CASE("options: defaults") {
    sim_options o;
    std::vector<std::string> args;
    REQUIRE(parse(o, args) == SIM_OPTIONS_OK);
    CHECK(o.link == nullptr);
    CHECK(o.flash_path == nullptr);
    CHECK(o.trace_path == nullptr);
    CHECK(o.dfu.flash_base == 0x10000000u);
    CHECK(o.dfu.flash_size == 0x100000u);
    CHECK(o.dfu.row_size == 512u);
    CHECK(o.dfu.metadata_addr == DFU_METADATA_ADDR_LAST_ROW);
    CHECK(o.dfu.product_id == 0x01020304u);
    CHECK(o.dfu.checksum_type == DFU_CHECKSUM_SUM);
    CHECK(o.dfu.max_packet == 64u);
    CHECK(o.erased == 0);
    CHECK(o.framing == DFU_FRAMING_LENGTH);
    CHECK(o.baud == 0);
    CHECK(o.turnaround_us == 0);
    CHECK(o.flash_write_us == 0);
}

TEST_CASE("options: every option - both spellings - hex and decimal") {
    sim_options o;
    std::vector<std::string> args{"--pty",
                                  "--link",
                                  "/tmp/l",
                                  "--flash=/tmp/f",
                                  "--flash-base",
                                  "0x08000000",
                                  "--flash-size",
                                  "64k",
                                  "--row-size=256",
                                  "--erased",
                                  "ff",
                                  "--metadata-addr",
                                  "134283008",
                                  "--product-id",
                                  "0xA1B2C3D4",
                                  "--silicon-id",
                                  "E2072100",
                                  "--silicon-rev",
                                  "0x21",
                                  "--checksum",
                                  "crc16",
                                  "--max-packet",
                                  "279",
                                  "--framing",
                                  "gap",
                                  "--baud",
                                  "115200",
                                  "--turnaround-us",
                                  "250",
                                  "--flash-write-us=0x1000",
                                  "--fault",
                                  "drop=0.5,delay=3,seed=9",
                                  "--transport",
                                  "uart",
                                  "--no-eiv",
                                  "--error-holdoff",
                                  "30",
                                  "--idle-timeout",
                                  "0",
                                  "--trace",
                                  "/tmp/t"};
    REQUIRE(parse(o, args) == SIM_OPTIONS_OK);
    CHECK(std::string(o.link) == "/tmp/l");
    CHECK(std::string(o.flash_path) == "/tmp/f");
    CHECK(std::string(o.trace_path) == "/tmp/t");
    CHECK(o.dfu.flash_base == 0x08000000u);
    CHECK(o.dfu.flash_size == 65536u);
    CHECK(o.dfu.row_size == 256u);
    CHECK(o.erased == 0xFF);
    CHECK(o.dfu.metadata_addr == 134283008u);
    CHECK(o.dfu.product_id == 0xA1B2C3D4u);
    CHECK(o.dfu.silicon_id == 0xE2072100u);
    CHECK(o.dfu.silicon_rev == 0x21);
    CHECK(o.dfu.checksum_type == DFU_CHECKSUM_CRC16);
    CHECK(o.dfu.max_packet == 279u);
    CHECK(o.framing == DFU_FRAMING_GAP);
    CHECK(o.baud == 115200u);
    CHECK(o.turnaround_us == 250u);
    CHECK(o.flash_write_us == 4096u);
    CHECK(o.fault.drop == doctest::Approx(0.5));
    CHECK(o.fault.delay_ms == 3u);
    CHECK(o.fault.seed == 9u);
    CHECK(o.dfu.eiv_supported == 0);
    CHECK(o.dfu.error_holdoff_ms == 30u);
    CHECK(o.dfu.idle_timeout_ms == 0u);
}

TEST_CASE("options: --preset middleware is the template layout - later options change it, wherever it stands") {
    sim_options o;
    std::vector<std::string> args{"--max-packet", "64", "--preset", "middleware"};
    REQUIRE(parse(o, args) == SIM_OPTIONS_OK);
    CHECK(o.preset == DFU_PRESET_MIDDLEWARE);
    CHECK(o.framing == DFU_FRAMING_GAP);
    CHECK(o.dfu.max_packet == 64u);  // given, so not the preset's 528
    CHECK(o.dfu.metadata_addr == 0x100FFA00u);
    CHECK(o.dfu.max_apps == 2u);
    CHECK(o.dfu.protect_metadata_row == 0);
    CHECK(o.dfu.eiv_supported == 0);
    CHECK(o.dfu.protected_regions[1].start == 0x10002000u);
    CHECK(o.dfu.protected_regions[1].size == 0x20000u);
    CHECK(o.dfu.eeprom.start == 0x14000000u);
    CHECK(o.dfu.eeprom.size == 0x8000u);
    std::vector<std::string> own{"--preset=middleware", "--framing", "length", "--protect", "0x10000000+64k",
                                 "--eeprom", "0x14000000+0x400", "--max-apps", "5", "--metadata-writable"};
    REQUIRE(parse(o, own) == SIM_OPTIONS_OK);
    CHECK(o.framing == DFU_FRAMING_LENGTH);
    CHECK(o.dfu.max_packet == 528u);
    CHECK(o.dfu.protected_regions[0].start == 0x10000000u);
    CHECK(o.dfu.protected_regions[0].size == 0x10000u);
    CHECK(o.dfu.protected_regions[1].size == 0u);  // the first --protect replaces the preset's
    CHECK(o.dfu.eeprom.size == 0x400u);
    CHECK(o.dfu.max_apps == 5u);
    std::vector<std::string> dflt{"--preset", "default", "--metadata-writable"};
    REQUIRE(parse(o, dflt) == SIM_OPTIONS_OK);
    CHECK(o.dfu.protect_metadata_row == 0);
    CHECK(o.dfu.eeprom.size == 0u);
    CHECK(o.dfu.metadata_addr == DFU_METADATA_ADDR_LAST_ROW);
}

TEST_CASE("options: errors and help") {
    sim_options o;
    std::vector<std::string> help{"--help"}, h{"-h"};
    CHECK(parse(o, help) == SIM_OPTIONS_HELP);
    CHECK(parse(o, h) == SIM_OPTIONS_HELP);
    for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{"--bogus"},
                                                                              {"--row-size"},
                                                                              {"--row-size", "abc"},
                                                                              {"--row-size", "0x"},
                                                                              {"--row-size", "-5"},
                                                                              {"--row-size", "100"},
                                                                              {"--row-size", "8192"},
                                                                              {"--flash-size", "1000"},
                                                                              {"--flash-size", "5G"},
                                                                              {"--erased", "100"},
                                                                              {"--preset", "psoc4"},
                                                                              {"--protect", "0x10000000"},
                                                                              {"--protect", "0x10000000+0"},
                                                                              {"--protect", "0xFFFFFF00+512"},
                                                                              {"--protect", "1+1", "--protect", "2+1",
                                                                               "--protect", "3+1"},
                                                                              {"--eeprom", "0x10000000+512"},
                                                                              {"--eeprom", "0x14000000+100"},
                                                                              {"--max-apps", "64"},
                                                                              {"--silicon-rev", "1FF"},
                                                                              {"--checksum", "crc32"},
                                                                              {"--framing", "idle"},
                                                                              {"--max-packet", "14"},
                                                                              {"--max-packet", "536"},
                                                                              {"--metadata-addr", "0x10000004"},
                                                                              {"--flash-base", "0x100000000"},
                                                                              {"--transport", "spi"},
                                                                              {"--fault", "drop=2"},
                                                                              {"--fault", "explode=1"},
                                                                              {"--fault", "drop"},
                                                                              {"--pty=1"},
                                                                              {"--baud", "-1"},
                                                                              {"--turnaround-us", "1ms"},
                                                                              {"--flash-write-us", "4294967296"},
                                                                              {"--product-id", "xyz"}}) {
        CAPTURE(bad.back());
        CHECK(parse(o, bad) == SIM_OPTIONS_ERROR);
    }
}

TEST_CASE("fault: parsing - and a seeded sequence is reproducible") {
    sim_fault_cfg c;
    sim_fault_cfg_defaults(&c);
    char err[200];
    REQUIRE(sim_fault_parse("corrupt=0.25,silence=1,reset=0,seed=0x10", &c, err, sizeof err) == 0);
    CHECK(c.corrupt == doctest::Approx(0.25));
    CHECK(c.silence == doctest::Approx(1.0));
    CHECK(c.seed == 16u);
    sim_fault a, b;
    sim_fault_init(&a, &c);
    sim_fault_init(&b, &c);
    int hits = 0;
    for (int i = 0; i < 1000; ++i) {
        const int x = sim_fault_hit(&a, 0.25);
        CHECK(x == sim_fault_hit(&b, 0.25));
        hits += x;
    }
    CHECK(hits > 180);
    CHECK(hits < 320);
    CHECK(sim_fault_hit(&a, 0.0) == 0);
    CHECK(sim_fault_hit(&a, 1.0) == 1);
}

TEST_CASE("fault: drop removes exactly one byte - corrupt changes exactly one - lose parses") {
    sim_fault_cfg c;
    sim_fault_cfg_defaults(&c);
    char err[200];
    REQUIRE(sim_fault_parse("lose=0.5", &c, err, sizeof err) == 0);
    CHECK(c.lose == doctest::Approx(0.5));
    const Bytes original = pattern(64, 3);
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        CAPTURE(seed);
        {
            sim_fault_cfg d;
            sim_fault_cfg_defaults(&d);
            d.drop = 1.0;
            d.seed = seed;
            sim_fault f;
            sim_fault_init(&f, &d);
            Bytes b = original;
            const std::size_t n = sim_fault_damage(&f, b.data(), b.size());
            REQUIRE(n == original.size() - 1);
            // What is left is the original with one byte taken out.
            std::size_t at = 0;
            while (at < n && b[at] == original[at]) ++at;
            CHECK(std::equal(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(n),
                             original.begin() + static_cast<std::ptrdiff_t>(at) + 1));
        }
        {
            sim_fault_cfg d;
            sim_fault_cfg_defaults(&d);
            d.corrupt = 1.0;
            d.seed = seed;
            sim_fault f;
            sim_fault_init(&f, &d);
            Bytes b = original;
            CHECK(sim_fault_damage(&f, b.data(), b.size()) == b.size());
            std::size_t changed = 0;
            for (std::size_t i = 0; i < b.size(); ++i) changed += b[i] != original[i];
            CHECK(changed == 1);
        }
    }
    sim_fault none;
    sim_fault_init(&none, &c);  // drop and corrupt 0: untouched, and no draw spent
    const std::uint64_t state = none.state;
    Bytes b = original;
    CHECK(sim_fault_damage(&none, b.data(), b.size()) == b.size());
    CHECK(b == original);
    CHECK(none.state == state);
}

TEST_CASE("flash file: created erased - rows written through at once - size checked on reopen") {
    const TempFile tmp("flash.bin");
    const std::string& path = tmp.path;
    char err[300];
    {
        sim_flash fl;
        REQUIRE(sim_flash_open(&fl, path.c_str(), 0x10000000u, 8192, 512, 0, 0, 0xFF, err, sizeof err) == 0);
        CHECK(read_file(path) == Bytes(8192, 0xFF));
        dfu_flash_port p;
        sim_flash_port(&fl, &p);
        const Bytes row = pattern(512, 4);
        CHECK(p.write_row(p.ctx, 0x10000400u, row.data(), 512) == 0);
        Bytes file = read_file(path);  // visible before close
        CHECK(Bytes(file.begin() + 0x400, file.begin() + 0x600) == row);
        CHECK(p.erase_row(p.ctx, 0x10000400u) == 0);
        CHECK(read_file(path) == Bytes(8192, 0xFF));
        CHECK(p.write_row(p.ctx, 0x10000200u, row.data(), 512) == 0);
        Bytes back(512);
        CHECK(p.read(p.ctx, 0x10000200u, back.data(), 512) == 0);
        CHECK(back == row);
        CHECK(p.read(p.ctx, 0x10001F00u, back.data(), 512) != 0);      // beyond the end
        CHECK(p.write_row(p.ctx, 0x10000100u, row.data(), 512) != 0);  // unaligned
        sim_flash_close(&fl);
    }
    {
        sim_flash fl;  // reopen: contents persist
        REQUIRE(sim_flash_open(&fl, path.c_str(), 0x10000000u, 8192, 512, 0, 0, 0xFF, err, sizeof err) == 0);
        CHECK(Bytes(fl.mem + 0x200, fl.mem + 0x400) == pattern(512, 4));
        sim_flash_close(&fl);
    }
    sim_flash fl;
    CHECK(sim_flash_open(&fl, path.c_str(), 0x10000000u, 4096, 512, 0, 0, 0xFF, err, sizeof err) != 0);
    CHECK(std::string(err).find("8192") != std::string::npos);
}

TEST_CASE("line: 10 bits a byte - back to back from the busy start without drift - idle restarts it") {
    sim_line l;
    sim_line_init(&l, 115200);
    CHECK(sim_line_put(&l, 1000, 1) == 1087);          // 86.8 us, rounded up
    CHECK(sim_line_put(&l, 1000, 1) == 1174);          // queued behind it: 173.6 us from the busy start
    CHECK(sim_line_put(&l, 1100, 62) == 1000 + 5556);  // 64 bytes from the busy start: 5555.6 us
    sim_line_init(&l, 115200);
    std::uint64_t t = 0;
    for (int i = 0; i < 10000; ++i) t = sim_line_put(&l, std::uint64_t(i), 1);
    CHECK(t == 868056);  // 10000 x 86.806 us: the rounding does not add up (10000 x 87 would)
    CHECK(sim_line_put(&l, 2000000, 7) == 2000000 + 608);  // idle before: starts at its arrival
    CHECK(sim_line_put(&l, 2000608, 0) == 2000608);
    sim_line_init(&l, 1000000);
    CHECK(sim_line_put(&l, 5, 71) == 715);
    sim_line_init(&l, 0);  // no line: done when handed over
    CHECK(sim_line_put(&l, 42, 1000) == 42);
}

TEST_CASE("clock: sleeping to an absolute deadline ends at or after it") {
    const std::uint64_t t = sim_now_us() + 3000;
    sim_sleep_until_us(t, nullptr);
    CHECK(sim_now_us() >= t);
    sim_sleep_until_us(t - 1000, nullptr);  // in the past: returns at once
    CHECK(sim_now_us() >= t);
}

namespace {

volatile sig_atomic_t g_never_stop = 0;

// A sim_server on a socketpair (responses readable from host) over a fake flash.
struct Server {
    int host = -1, dev = -1;
    FakeFlash flash;
    dfu_config cfg{};
    std::unique_ptr<sim_server> s = std::make_unique<sim_server>();
    sim_trace trace{nullptr};

    explicit Server(sim_timing timing, dfu_framing framing = DFU_FRAMING_LENGTH) {
        int sv[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        dev = sv[0];
        host = sv[1];
        REQUIRE(fcntl(host, F_SETFL, O_NONBLOCK) == 0);
        dfu_config_defaults(&cfg);
        flash.reset(cfg.flash_base, cfg.flash_size, cfg.row_size, 0x00);
        const dfu_flash_port port = flash.port();
        sim_fault_cfg fault;
        sim_fault_cfg_defaults(&fault);
        REQUIRE(sim_server_init(s.get(), dev, &cfg, &port, framing, &fault, &timing, &trace, &g_never_stop) == 0);
    }
    ~Server() {
        close(host);
        close(dev);
    }
    void receive(const Bytes& b, std::uint64_t at) {
        REQUIRE(sim_server_receive(s.get(), b.data(), b.size(), at) == b.size());
    }
    Bytes answer() {
        std::uint8_t buf[256];
        const ssize_t n = read(host, buf, sizeof buf);
        return n > 0 ? Bytes(buf, buf + n) : Bytes{};
    }
    // Advances to each due time until an answer comes; returns the time of the last step.
    std::uint64_t run_until_answer(std::uint64_t from, Bytes& got) {
        std::uint64_t t = from;
        for (int i = 0; i < 10 && got.empty(); ++i) {
            t = sim_server_due_us(s.get(), t);
            sim_server_advance(s.get(), t);
            got = answer();
        }
        return t;
    }
};

}  // namespace

TEST_CASE("server: gap framing handles a packet when its last byte has left the line and the gap passed") {
    Server sv(sim_timing{115200, 300, 0}, DFU_FRAMING_GAP);
    const Bytes enter = packet(DFU_CMD_ENTER, le32(0x01020304));  // 11 bytes: 955 us at 115200
    const std::uint64_t t0 = sim_now_us();
    sv.receive(enter, t0);
    sim_server_advance(sv.s.get(), t0 + 954);
    sim_server_advance(sv.s.get(), t0 + 955 + 999);
    CHECK(sv.answer().empty());
    CHECK(dfu_state(&sv.s->core) == DFU_STATE_NONE);  // not handled yet: the gap is not over
    sim_server_advance(sv.s.get(), t0 + 955 + 1000);
    // Handled at the end of the gap; the 15-byte answer starts 300 us later and takes 1303 us.
    CHECK(dfu_state(&sv.s->core) == DFU_STATE_UPDATING);
    CHECK(sim_now_us() >= t0 + 955 + 1000 + 300 + 1303);
    CHECK(sv.answer() == packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01}));
}

TEST_CASE("server: length framing handles a packet once read - the answer still waits for the line") {
    Server sv(sim_timing{115200, 300, 0});
    const Bytes enter = packet(DFU_CMD_ENTER, le32(0x01020304));
    const std::uint64_t t0 = sim_now_us();
    sv.receive(enter, t0);
    // One sleep, not two: the packet is complete in the queue, so it is handled now...
    sim_server_advance(sv.s.get(), t0);
    CHECK(dfu_state(&sv.s->core) == DFU_STATE_UPDATING);
    // ...but its answer leaves no earlier than the last byte (955) + turnaround + 1303 us.
    CHECK(sim_now_us() >= t0 + 955 + 300 + 1303);
    CHECK(sv.answer() == packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01}));
}

TEST_CASE("server: unanswered packets take their time on the line before the next one") {
    Server sv(sim_timing{115200, 0, 0});
    const std::uint64_t t0 = sim_now_us();
    // Exit DFU (7 bytes, never answered) and Enter DFU (11) back to back: 18 bytes, 1563 us.
    sv.receive(cat(packet(DFU_CMD_EXIT, {}), packet(DFU_CMD_ENTER, le32(0x01020304))), t0);
    Bytes got;
    sv.run_until_answer(t0, got);
    CHECK(got == packet(0x00, {0, 0, 0, 0, 0, 0x02, 0x05, 0x01}));
    CHECK(sim_now_us() >= t0 + 1563 + 1303);
}

TEST_CASE("server: an erased row adds the flash time before the answer") {
    Server sv(sim_timing{0, 0, 20000});
    std::uint64_t t = sim_now_us();
    sv.receive(packet(DFU_CMD_ENTER, le32(0x01020304)), t);
    Bytes got;
    sv.run_until_answer(t, got);
    REQUIRE(got.size() == 15);
    t = sim_now_us();
    sv.receive(packet(DFU_CMD_ERASE_DATA, le32(0x10000200u)), t);
    got.clear();
    sv.run_until_answer(t, got);
    CHECK(got == packet(0x00, {}));
    CHECK(sim_now_us() >= t + 20000);
    CHECK(sv.flash.erases == 1);
}
