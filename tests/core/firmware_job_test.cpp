// Turning files and options into a FirmwareJob: what is derived, what is refused.
#include <doctest/doctest.h>

#include "core/firmware_job.hpp"
#include "formats/input_error.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace dfu;
using namespace testsupport;

namespace {
std::string message_of(const std::filesystem::path& p, const ImageOptions& o) {
    try {
        load_firmware_job(p, o);
    } catch (const formats::InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("an image that ends in its own CRC-32C gets that app range") {
    TempDir dir;
    auto data = signed_app(3000, 1);
    write_text(dir / "signed.hex", to_intel_hex({{0x10000000, data}}));
    const FirmwareJob job = load_firmware_job(dir / "signed.hex", {});
    REQUIRE(job.app);
    CHECK(job.app->start == 0x10000000);
    CHECK(job.app->length == 3000);
    CHECK(job.row_count() == 6);
    CHECK(job.payload_bytes() == 6 * 512);

    data[10] ^= 1;  // signature no longer matches: no range guessed
    write_text(dir / "unsigned.hex", to_intel_hex({{0x10000000, data}}));
    CHECK_FALSE(load_firmware_job(dir / "unsigned.hex", {}).app);

    // The signature matches (the missing row is all fill), but that row is not sent, so the
    // device would hash whatever it holds there: no range either.
    std::vector<std::uint8_t> holed = random_bytes(2000, 2);
    std::fill(holed.begin() + 512, holed.begin() + 1024, std::uint8_t{0});
    const std::uint32_t crc = test_crc32c(holed.data(), holed.size());
    for (int i = 0; i < 4; ++i) holed.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
    Segments two;
    two[0x10000000] = std::vector<std::uint8_t>(holed.begin(), holed.begin() + 512);
    two[0x10000400] = std::vector<std::uint8_t>(holed.begin() + 1024, holed.end());
    write_text(dir / "holed.hex", to_intel_hex(two));
    const FirmwareJob holed_job = load_firmware_job(dir / "holed.hex", {});
    CHECK(holed_job.row_count() == 3);
    CHECK_FALSE(holed_job.app);
}

TEST_CASE("--app-start/--app-length override, and go together") {
    TempDir dir;
    write_text(dir / "a.hex", to_intel_hex({{0x10000000, random_bytes(100, 2)}}));
    ImageOptions o;
    o.app_start = 0x10000000;
    o.app_length = 96;
    const FirmwareJob job = load_firmware_job(dir / "a.hex", o);
    REQUIRE(job.app);
    CHECK(job.app->length == 96);
    o.app_length.reset();
    CHECK(message_of(dir / "a.hex", o).find("--app-start and --app-length go together") != std::string::npos);
}

TEST_CASE("cyacd2: header fields, APPINFO, and the rows' span without it") {
    TempDir dir;
    Segments rows{{0x10000200, random_bytes(256, 3)}, {0x10000600, random_bytes(256, 4)}};
    Cyacd2Spec spec;
    spec.product_id = 0xA1B2C3D4;
    spec.checksum = 1;
    spec.app_id = 2;
    spec.silicon_id = 0x12345678;
    spec.app_info = false;
    write_text(dir / "a.cyacd2", to_cyacd2(spec, rows));
    const FirmwareJob job = load_firmware_job(dir / "a.cyacd2", {});
    CHECK(job.product_id == 0xA1B2C3D4);
    CHECK(job.checksum == ChecksumType::crc16);
    CHECK(job.app_id == 2);
    CHECK(job.silicon_id == 0x12345678u);
    CHECK(job.row_size == 256);
    REQUIRE(job.app);
    CHECK(job.app->start == 0x10000200);
    CHECK(job.app->length == 0x500);

    ImageOptions o;
    o.row_size = 512;
    CHECK(message_of(dir / "a.cyacd2", o).find("256 bytes but --row-size says 512") != std::string::npos);
    o = {};
    o.product_id = 1;
    const FirmwareJob overridden = load_firmware_job(dir / "a.cyacd2", o);
    CHECK(overridden.product_id == 1);
    CHECK(overridden.warnings.size() == 1);
}

TEST_CASE("file types and the options they need") {
    TempDir dir;
    write_bytes(dir / "a.bin", random_bytes(10, 5));
    CHECK(message_of(dir / "a.bin", {}).find("--base") != std::string::npos);
    ImageOptions o;
    o.base = 0x0;
    CHECK(load_firmware_job(dir / "a.bin", o).row_count() == 1);
    write_text(dir / "a.txt", "hello");
    CHECK(message_of(dir / "a.txt", {}).find("unknown file type '.txt'") != std::string::npos);
    write_text(dir / "a.hex", to_intel_hex({{0, random_bytes(10, 6)}}));
    CHECK(message_of(dir / "a.hex", o).find("--base applies to .bin files only") != std::string::npos);
    o = {};
    o.row_size = 100;
    CHECK(message_of(dir / "a.hex", o).find("power of two") != std::string::npos);
    for (const std::uint32_t size : {64u, 4096u}) {  // the ends of the range are rows too
        o.row_size = size;
        CHECK(load_firmware_job(dir / "a.hex", o).row_size == size);
    }
    for (const std::uint32_t size : {32u, 8192u}) {
        o.row_size = size;
        CHECK(message_of(dir / "a.hex", o).find("power of two from 64 to 4096") != std::string::npos);
    }
}

TEST_CASE("image_crc32c hashes data and fill exactly as a copied range would") {
    formats::SparseImage image;
    const auto a = random_bytes(300, 1);
    const auto b = random_bytes(200, 2);
    REQUIRE(image.add(0x1000, a));
    REQUIRE(image.add(0x1400, b));
    const std::pair<std::uint32_t, std::uint32_t> ranges[] = {
        {0x1000, 500}, {0x0F00, 0x700}, {0x1100, 0x380}, {0x1200, 0x10}};
    for (const auto& range : ranges) {
        const std::uint32_t start = range.first, length = range.second;
        CAPTURE(start);
        std::vector<std::uint8_t> copy(length);
        image.copy_out(start, copy, 0xA5);
        CHECK(image_crc32c(image, start, length, 0xA5) == crc32c(copy));
    }
}
