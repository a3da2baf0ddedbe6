// Test helpers for the device responder: request packets, checksums and a fake flash,
// written independently of the code under test (and of the host's core/).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dfu_responder.h"

namespace devtest {

using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes_of(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

inline Bytes le32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 24)};
}
inline Bytes le16(std::uint16_t v) {
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}
inline std::uint32_t get32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
// (Element loops rather than insert(): GCC 12 -O2 warns falsely, -Warray-bounds, on
// inserting small constant vectors.)
inline Bytes cat(Bytes a, const Bytes& b) {
    a.reserve(a.size() + b.size());
    for (const std::uint8_t v : b) a.push_back(v);
    return a;
}

// Reference checksums, written from docs/protocol.md: a different shape from the device code
// (wide accumulator, table-driven CRCs) so a shared mistake is unlikely.
inline std::uint16_t ref_sum16(const std::uint8_t* p, std::size_t n) {
    std::uint32_t s = 0;
    for (std::size_t i = 0; i < n; ++i) s += p[i];
    return static_cast<std::uint16_t>((~s + 1u) & 0xFFFFu);
}

inline std::uint16_t ref_crc16_x25(const std::uint8_t* p, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint16_t, 256> t{};
        for (unsigned i = 0; i < 256; ++i) {
            std::uint16_t c = static_cast<std::uint16_t>(i);
            for (int k = 0; k < 8; ++k) c = static_cast<std::uint16_t>((c >> 1) ^ ((c & 1u) ? 0x8408u : 0u));
            t[i] = c;
        }
        return t;
    }();
    std::uint16_t c = 0xFFFF;
    for (std::size_t i = 0; i < n; ++i) c = static_cast<std::uint16_t>((c >> 8) ^ table[(c ^ p[i]) & 0xFFu]);
    return static_cast<std::uint16_t>(~c);
}

inline std::uint32_t ref_crc32c(const std::uint8_t* p, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? 0x82F63B78u : 0u);
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) c = (c >> 8) ^ table[(c ^ p[i]) & 0xFFu];
    return ~c;
}
inline std::uint32_t ref_crc32c(const Bytes& b) {
    return ref_crc32c(b.data(), b.size());
}

// A request packet: 01, code, N LE, data, checksum (sum LE / CRC-16 high first), 17.
inline Bytes packet(std::uint8_t code, const Bytes& data, int checksum_type = 0) {
    Bytes p;
    p.reserve(data.size() + 7);
    p.push_back(0x01);
    p.push_back(code);
    p.push_back(static_cast<std::uint8_t>(data.size()));
    p.push_back(static_cast<std::uint8_t>(data.size() >> 8));
    for (const std::uint8_t v : data) p.push_back(v);
    if (checksum_type == 1) {
        const std::uint16_t c = ref_crc16_x25(p.data(), p.size());
        p.push_back(static_cast<std::uint8_t>(c >> 8));
        p.push_back(static_cast<std::uint8_t>(c));
    } else {
        const std::uint16_t c = ref_sum16(p.data(), p.size());
        p.push_back(static_cast<std::uint8_t>(c));
        p.push_back(static_cast<std::uint8_t>(c >> 8));
    }
    p.push_back(0x17);
    return p;
}

// Flash behind dfu_flash_port, with failure switches.
struct FakeFlash {
    std::uint32_t base = 0x10000000u;
    std::uint32_t row = 512;
    std::uint8_t erased = 0x00;
    std::vector<std::uint8_t> mem;
    bool fail_read = false, fail_write = false, fail_erase = false;
    bool flip_on_write = false;  // stores one wrong bit: the read-back must notice
    int writes = 0, erases = 0;

    void reset(std::uint32_t b, std::uint32_t size, std::uint32_t r, std::uint8_t e) {
        base = b;
        row = r;
        erased = e;
        mem.assign(size, e);
    }
    bool inside(std::uint32_t addr, std::uint32_t len) const {
        return addr >= base && std::uint64_t(addr - base) + len <= mem.size();
    }
    std::uint8_t* at(std::uint32_t addr) { return mem.data() + (addr - base); }
    Bytes slice(std::uint32_t addr, std::uint32_t len) { return Bytes(at(addr), at(addr) + len); }

    static int read(void* ctx, std::uint32_t addr, std::uint8_t* dst, std::uint32_t len) {
        auto* f = static_cast<FakeFlash*>(ctx);
        if (f->fail_read || !f->inside(addr, len)) return -1;
        std::memcpy(dst, f->at(addr), len);
        return 0;
    }
    static int write_row(void* ctx, std::uint32_t addr, const std::uint8_t* src, std::uint32_t len) {
        auto* f = static_cast<FakeFlash*>(ctx);
        if (f->fail_write || !f->inside(addr, len) || len != f->row) return -1;
        std::memcpy(f->at(addr), src, len);
        if (f->flip_on_write) f->at(addr)[len / 2] ^= 0x10;
        ++f->writes;
        return 0;
    }
    static int erase_row(void* ctx, std::uint32_t addr) {
        auto* f = static_cast<FakeFlash*>(ctx);
        if (f->fail_erase || !f->inside(addr, f->row)) return -1;
        std::memset(f->at(addr), f->erased, f->row);
        ++f->erases;
        return 0;
    }
    dfu_flash_port port() { return dfu_flash_port{this, &read, &write_row, &erase_row}; }
};

struct Response {
    bool answered = false;
    std::uint8_t status = 0xEE;
    Bytes data;
    Bytes raw;
};

// A responder on a fake flash with a test clock.
struct Device {
    dfu_config cfg{};
    FakeFlash flash;
    dfu_responder r{};
    std::uint32_t now = 1000;
    std::size_t rsp_cap = 8192;

    Device() { dfu_config_defaults(&cfg); }
    // Call after adjusting cfg.
    void start() {
        flash.reset(cfg.flash_base, cfg.flash_size, cfg.row_size, flash.erased);
        dfu_flash_port p = flash.port();
        REQUIRE(dfu_init(&r, &cfg, &p) == 0);
    }
    std::uint32_t meta_addr() const { return r.cfg.metadata_addr; }

    Response raw(const Bytes& pkt) {
        Response out;
        Bytes buf(rsp_cap + 1, 0xAA);
        const std::size_t n = dfu_handle_packet(&r, pkt.data(), pkt.size(), now, buf.data(), rsp_cap);
        REQUIRE(n <= rsp_cap);
        CHECK(buf[rsp_cap] == 0xAA);  // nothing past rsp_cap
        if (n == 0) return out;
        out.answered = true;
        out.raw.assign(buf.begin(), buf.begin() + static_cast<long>(n));
        // Every response is a well-formed frame with this device's checksum.
        REQUIRE(n >= 7);
        CHECK(out.raw[0] == 0x01);
        CHECK(out.raw[n - 1] == 0x17);
        const std::size_t len = out.raw[2] | (out.raw[3] << 8);
        REQUIRE(len + 7 == n);
        const Bytes expect = packet(
            out.raw[1], Bytes(out.raw.begin() + 4, out.raw.begin() + 4 + static_cast<long>(len)), cfg.checksum_type);
        CHECK(expect == out.raw);
        out.status = out.raw[1];
        out.data.assign(out.raw.begin() + 4, out.raw.begin() + 4 + static_cast<long>(len));
        if (out.status != 0) CHECK(n == 7);  // error responses carry no data
        return out;
    }
    Response send(std::uint8_t code, const Bytes& data) { return raw(packet(code, data, cfg.checksum_type)); }
    std::uint8_t status(std::uint8_t code, const Bytes& data) {
        const Response rsp = send(code, data);
        REQUIRE(rsp.answered);
        return rsp.status;
    }
    void silent(std::uint8_t code, const Bytes& data) { CHECK_FALSE(send(code, data).answered); }

    void enter() {
        const Response rsp = send(DFU_CMD_ENTER, le32(cfg.product_id));
        REQUIRE(rsp.answered);
        REQUIRE(rsp.status == 0);
        REQUIRE(dfu_state(&r) == DFU_STATE_UPDATING);
    }
    void advance(std::uint32_t ms) {
        now += ms;
        dfu_poll(&r, now);
    }
    // After an error while UPDATING: wait out the hold-off and enter again.
    void recover() {
        advance(cfg.error_holdoff_ms + 5);
        enter();
    }

    // Sends one row with Send Data chunks + Program Data (or Verify Data), as a host would.
    std::uint8_t row_op(std::uint8_t code, std::uint32_t addr, const Bytes& row, std::size_t chunk = 0) {
        if (chunk == 0) chunk = cfg.max_packet - 7;
        std::size_t off = 0;
        const std::size_t last = chunk > 8 ? chunk - 8 : 0;
        while (row.size() - off > last) {
            const std::size_t n = std::min(chunk, row.size() - off - last);
            const std::uint8_t st =
                status(DFU_CMD_SEND_DATA, Bytes(row.begin() + long(off), row.begin() + long(off + n)));
            if (st != 0) return st;
            off += n;
        }
        Bytes d = cat(le32(addr), le32(ref_crc32c(row)));
        d.insert(d.end(), row.begin() + long(off), row.end());
        return status(code, d);
    }
};

inline Bytes pattern(std::size_t n, std::uint32_t seed) {
    Bytes b(n);
    std::uint32_t x = seed * 2654435761u + 1u;
    for (auto& v : b) {
        x = x * 1103515245u + 12345u;
        v = static_cast<std::uint8_t>(x >> 16);
    }
    return b;
}

}  // namespace devtest
