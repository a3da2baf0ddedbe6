// End to end on emulated hardware: the real dfuhost binary against the responder firmware
// (device-firmware/ports/cortex-m) running under qemu-system-arm, over the emulated UART through
// a real pseudo-terminal (scripts/qemu-dfu.sh); the flash file is compared byte for byte after
// QEMU has stopped. Reported as skipped (ctest SKIP_REGULAR_EXPRESSION) when QEMU or socat is
// missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;
constexpr std::size_t kFlash = 1024 * 1024;  // the firmware's flash: the core's default
constexpr std::uint32_t kRow = 512;

bool on_path(const std::string& tool) {
    return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// Prints the line ctest turns into "skipped" and returns false when QEMU cannot run here.
bool qemu_available() {
    for (const char* tool : {"qemu-system-arm", "socat"}) {
        if (!on_path(tool)) {
            std::cout << "SKIPPED: " << tool << " not found (scripts/install-deps.sh installs it)\n";
            return false;
        }
    }
    return true;
}

// The firmware under QEMU with its flash in dir/flash.bin (kept across starts).
Simulator start_firmware(const TempDir& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{QEMU_DFU_SCRIPT, "--link", (dir / "uart").string(), "--flash",
                                  (dir / "flash.bin").string(), "--firmware", DFU_FIRMWARE_ELF};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Simulator(argv, dir / "flash.bin");
}

void check_flash(const Simulator& fw, const FlashModel& model) {
    const auto got = fw.flash();
    const std::size_t at = first_difference(got, model.bytes);
    INFO("first differing flash offset: 0x" << std::hex << at);
    CHECK(at == SIZE_MAX);
}

}  // namespace

TEST_CASE("firmware under QEMU programs verifies and erases and the flash file equals the image") {
    if (!qemu_available()) return;
    TempDir dir;
    // A segment starting mid-row, a gap of whole rows, one crossing the 64 KiB boundary.
    Segments image;
    image[kBase + 0x10] = random_bytes(1500, 1);
    image[kBase + 0x4000] = random_bytes(kRow, 2);
    image[kBase + 0xFF00] = random_bytes(0x300, 3);
    write_text(dir / "app.hex", to_intel_hex(image));
    // Product ID, checksum and the largest packet reach the firmware through its configuration block.
    const std::vector<std::string> wire{"--uart",     (dir / "uart").string(), "--product-id", "A1B2C3D4",
                                        "--checksum", "crc16",                 "--packet-size", "535"};
    const std::vector<std::string> device{"--product-id", "A1B2C3D4", "--checksum", "crc16", "--max-packet", "535"};
    auto with_wire = [&](std::vector<std::string> args) {
        args.insert(args.end(), wire.begin(), wire.end());
        return args;
    };
    FlashModel model(kBase, kFlash, kRow);
    {
        Simulator fw = start_firmware(dir, device);
        const auto p = dfuhost(with_wire({"program", (dir / "app.hex").string()}));
        INFO(p.out << p.err);
        REQUIRE(p.exit_code == 0);
        const auto v = dfuhost(with_wire({"verify", (dir / "app.hex").string()}));
        INFO(v.out << v.err);
        CHECK(v.exit_code == 0);
        fw.stop();
        model.program(image);
        check_flash(fw, model);
    }
    {
        // A second start: the rows are still there, and erase clears exactly the file's rows.
        Simulator fw = start_firmware(dir, device);
        const auto v = dfuhost(with_wire({"verify", (dir / "app.hex").string()}));
        INFO(v.out << v.err);
        CHECK(v.exit_code == 0);
        const auto e = dfuhost(with_wire({"erase", (dir / "app.hex").string()}));
        INFO(e.out << e.err);
        REQUIRE(e.exit_code == 0);
        fw.stop();
        model.erase_rows_of(image);
        check_flash(fw, model);
    }
}

TEST_CASE("firmware under QEMU keeps the image across a restart and Verify Application says valid") {
    if (!qemu_available()) return;
    TempDir dir;
    {
        Simulator fw = start_firmware(dir);
        const auto p = dfuhost({"program", sample("blinky.hex"), "--uart", (dir / "uart").string(), "--product-id",
                                "01020304"});
        INFO(p.out << p.err);
        REQUIRE(p.exit_code == 0);
        CHECK(contains(p.out, "Application 0 valid"));
    }
    Simulator fw = start_firmware(dir);
    const auto v = dfuhost({"verify", sample("blinky.cyacd2"), "--uart", (dir / "uart").string()});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    CHECK(contains(v.out, "Application 0 valid"));
    fw.stop();
    const auto image = read_bytes(sample("blinky.bin"));
    FlashModel model(kBase, kFlash, kRow);
    model.program({{kBase, image}});
    model.set_metadata(0, kBase, static_cast<std::uint32_t>(image.size() - 4));
    check_flash(fw, model);
}

TEST_CASE("firmware under QEMU refuses a wrong product ID and leaves the flash untouched") {
    if (!qemu_available()) return;
    TempDir dir;
    Simulator fw = start_firmware(dir, {"--product-id", "0x55667788"});
    const auto p =
        dfuhost({"program", sample("blinky.hex"), "--uart", (dir / "uart").string(), "--product-id", "01020304"});
    INFO(p.out << p.err);
    CHECK(p.exit_code != 0);
    CHECK(contains(p.err, "refused product ID"));
    fw.stop();
    check_flash(fw, FlashModel(kBase, kFlash, kRow));
}

TEST_CASE("firmware under QEMU --preset middleware: a new flash file is the template's, application 1 lands and stays") {
    if (!qemu_available()) return;
    TempDir dir;
    constexpr std::uint32_t kApp1 = 0x10050000, kMeta = 0xFFA00;
    constexpr std::size_t kEeprom = 0x8000;
    const auto image = signed_app(2000, 9);
    write_bytes(dir / "app.bin", image);
    const std::vector<std::string> middleware{"--preset", "middleware", "--firmware", DFU_FIRMWARE_MIDDLEWARE_ELF};
    const std::vector<std::string> program{"program", (dir / "app.bin").string(), "--base", "0x10050000",
                                           "--uart", (dir / "uart").string(), "--packet-size", "527",
                                           "--product-id", "01020304"};
    {
        Simulator fw = start_firmware(dir, middleware);
        const auto p = dfuhost(program);
        INFO(p.out << p.err);
        REQUIRE(p.exit_code == 0);
        CHECK(contains(p.out, "Application 0 valid"));
        fw.stop();
        const auto flash = fw.flash();
        REQUIRE(flash.size() == kFlash + kEeprom);  // the EEPROM window follows the flash
        CHECK(std::equal(image.begin(), image.end(), flash.begin() + (kApp1 - kBase)));
        // the template's table, application 0 rewritten by the host, application 1 as flashed
        const std::vector<std::uint8_t> app1_entry{0x00, 0x00, 0x05, 0x10, 0xFC, 0xFF, 0x01, 0x00};
        CHECK(std::equal(app1_entry.begin(), app1_entry.end(), flash.begin() + kMeta + 8));
    }
    Simulator fw = start_firmware(dir, middleware);  // the same file: kept, not made fresh
    auto verify = program;
    verify[0] = "verify";
    const auto v = dfuhost(verify);
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    CHECK(contains(v.out, "Application 0 valid"));
}

