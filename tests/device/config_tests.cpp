// dfu_config_defaults() and the configuration checks of dfu_init().
#include "device_test_util.hpp"

using namespace devtest;

namespace {
int try_init(const dfu_config& cfg) {
    static FakeFlash flash;
    static dfu_responder r;
    dfu_flash_port p = flash.port();
    return dfu_init(&r, &cfg, &p);
}
}  // namespace

TEST_CASE("config: defaults are the documented ones") {
    dfu_config c;
    std::memset(&c, 0xA5, sizeof c);
    dfu_config_defaults(&c);
    CHECK(c.flash_base == 0x10000000u);
    CHECK(c.flash_size == 0x100000u);
    CHECK(c.row_size == 512u);
    CHECK(c.metadata_addr == 0x100FFE00u);
    CHECK(c.product_id == 0x01020304u);
    CHECK(c.silicon_id == 0u);
    CHECK(c.silicon_rev == 0u);
    CHECK(c.checksum_type == DFU_CHECKSUM_SUM);
    CHECK(c.max_packet == 64u);
    CHECK(c.error_holdoff_ms == 20u);
    CHECK(c.idle_timeout_ms == 5000u);
    CHECK(c.eiv_supported == 1u);
    CHECK(try_init(c) == 0);
    CHECK(DFU_MAX_ROW_SIZE == 4096);
}

TEST_CASE("config: LAST_ROW metadata address resolves to the last row") {
    Device d;
    d.cfg.flash_size = 64 * 1024;
    d.cfg.row_size = 256;
    d.cfg.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
    d.start();
    CHECK(d.meta_addr() == 0x10000000u + 64 * 1024 - 256);
    CHECK(dfu_state(&d.r) == DFU_STATE_NONE);
}

TEST_CASE("config: dfu_init rejects bad configurations") {
    dfu_config c;
    dfu_config_defaults(&c);
    FakeFlash f;
    dfu_responder r;
    dfu_flash_port p = f.port();
    CHECK(dfu_init(nullptr, &c, &p) != 0);
    CHECK(dfu_init(&r, nullptr, &p) != 0);
    CHECK(dfu_init(&r, &c, nullptr) != 0);
    dfu_flash_port q = p;
    q.write_row = nullptr;
    CHECK(dfu_init(&r, &c, &q) != 0);

    auto bad = [&](auto mutate) {
        dfu_config x;
        dfu_config_defaults(&x);
        mutate(x);
        return try_init(x) != 0;
    };
    CHECK(bad([](dfu_config& x) { x.checksum_type = 2; }));
    CHECK(bad([](dfu_config& x) { x.row_size = 8; }));
    CHECK(bad([](dfu_config& x) { x.row_size = 8192; }));
    CHECK(bad([](dfu_config& x) { x.row_size = 130; }));
    CHECK(bad([](dfu_config& x) { x.flash_size = 0; }));
    CHECK(bad([](dfu_config& x) { x.flash_size = 1000; }));
    CHECK(bad([](dfu_config& x) { x.flash_base = 0xFFFFF000u; }));
    CHECK(bad([](dfu_config& x) { x.metadata_addr = 0x10000001u; }));
    CHECK(bad([](dfu_config& x) { x.metadata_addr = 0x10100000u; }));
    CHECK(bad([](dfu_config& x) { x.metadata_addr = 0x0FFFFE00u; }));
    CHECK(bad([](dfu_config& x) { x.max_packet = 14; }));
    CHECK(bad([](dfu_config& x) { x.max_packet = 512 + 16 + 7 + 1; }));
    CHECK_FALSE(bad([](dfu_config& x) { x.max_packet = 512 + 16 + 7; }));
    CHECK_FALSE(bad([](dfu_config& x) {
        x.row_size = 128;
        x.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
    }));
    CHECK_FALSE(bad([](dfu_config& x) {
        x.row_size = 4096;
        x.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
    }));
    CHECK_FALSE(bad([](dfu_config& x) { x.metadata_addr = 0x10000000u; }));
    CHECK(bad([](dfu_config& x) { x.max_apps = 64; }));  // 64 entries reach the CRC
    CHECK_FALSE(bad([](dfu_config& x) { x.max_apps = 63; }));
    auto eeprom = [](std::uint32_t start, std::uint32_t size) {
        return [=](dfu_config& x) { x.eeprom = dfu_region{start, size}; };
    };
    CHECK_FALSE(bad(eeprom(0x14000000u, 0x8000)));
    CHECK(bad(eeprom(0x14000000u, 0x100)));        // not whole rows
    CHECK(bad(eeprom(0xFFFFFE00u, 0x400)));        // past 4 GiB
    CHECK(bad(eeprom(0x100FFE00u, 0x400)));        // overlaps the flash's end
    CHECK(bad(eeprom(0x0FFFFE00u, 0x400)));        // overlaps its start
    CHECK_FALSE(bad(eeprom(0x0FFFFE00u, 0x200)));  // just below it
    // a flash ending at 4 GiB: the overlap check must not wrap
    CHECK(bad([](dfu_config& x) {
        x.flash_base = 0xFFF00000u;
        x.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
        x.eeprom = dfu_region{0xFFF80000u, 0x200};
    }));
}
