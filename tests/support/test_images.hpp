#pragma once
// Test-side writers and a model of the device's flash, written independently of
// formats/ so the end-to-end tests do not check the parsers against themselves.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace testsupport {

using Segments = std::map<std::uint32_t, std::vector<std::uint8_t>>;

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

inline std::uint32_t test_crc32c(const std::uint8_t* p, std::size_t n) {
    std::uint32_t crc = 0xFFFFFFFF;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
    }
    return ~crc;
}

// `body` random bytes followed by their CRC-32C (little-endian): an application whose
// Verify Application passes when its range is the body.
inline std::vector<std::uint8_t> signed_app(std::size_t body, std::uint32_t seed) {
    auto bytes = random_bytes(body, seed);
    const std::uint32_t crc = test_crc32c(bytes.data(), bytes.size());
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
    return bytes;
}

inline std::string hex_record(std::uint8_t type, std::uint16_t addr, const std::uint8_t* data, std::size_t n) {
    static const char* digits = "0123456789ABCDEF";
    std::vector<std::uint8_t> rec{static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(addr >> 8),
                                  static_cast<std::uint8_t>(addr), type};
    rec.insert(rec.end(), data, data + n);
    std::uint8_t sum = 0;
    for (auto b : rec) sum = static_cast<std::uint8_t>(sum + b);
    rec.push_back(static_cast<std::uint8_t>(-sum));
    std::string s = ":";
    for (auto b : rec) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s + "\n";
}

// Intel HEX with type 04 (or, for addresses below 1 MiB, type 02 when asked) records.
inline std::string to_intel_hex(const Segments& segs, bool segment_records = false, std::size_t per_record = 16) {
    std::string out;
    long upper = -1;
    for (const auto& [base, data] : segs) {
        for (std::size_t off = 0; off < data.size();) {
            const std::uint32_t addr = base + static_cast<std::uint32_t>(off);
            std::size_t n = std::min(per_record, data.size() - off);
            n = std::min<std::size_t>(n, 0x10000 - (addr & 0xFFFF));  // never cross a 64 KiB window
            if (static_cast<long>(addr >> 16) != upper) {
                upper = addr >> 16;
                if (segment_records) {
                    const std::uint16_t seg = static_cast<std::uint16_t>((addr >> 16) << 12);
                    const std::uint8_t v[2] = {static_cast<std::uint8_t>(seg >> 8), static_cast<std::uint8_t>(seg)};
                    out += hex_record(0x02, 0, v, 2);
                } else {
                    const std::uint8_t v[2] = {static_cast<std::uint8_t>(addr >> 24),
                                               static_cast<std::uint8_t>(addr >> 16)};
                    out += hex_record(0x04, 0, v, 2);
                }
            }
            out += hex_record(0x00, static_cast<std::uint16_t>(addr), data.data() + off, n);
            off += n;
        }
    }
    out += hex_record(0x01, 0, nullptr, 0);
    return out;
}

// Motorola S-records: S0 header, S3 data records (32-bit addresses), S5 count, S7 start.
inline std::string to_srec(const Segments& segs, std::size_t per_record = 32) {
    static const char* digits = "0123456789ABCDEF";
    const auto record = [](char type, std::vector<std::uint8_t> body) {  // body: address + data
        body.insert(body.begin(), static_cast<std::uint8_t>(body.size() + 1));
        std::uint8_t sum = 0;
        for (auto b : body) sum = static_cast<std::uint8_t>(sum + b);
        body.push_back(static_cast<std::uint8_t>(~sum));
        std::string s{'S', type};
        for (auto b : body) {
            s += digits[b >> 4];
            s += digits[b & 15];
        }
        return s + "\n";
    };
    const auto be = [](std::uint32_t v, int n) {
        std::vector<std::uint8_t> b;
        for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return b;
    };
    std::string out = record('0', {0, 0, 't', 'e', 's', 't'});
    std::uint32_t records = 0;
    for (const auto& [base, data] : segs)
        for (std::size_t off = 0; off < data.size(); off += per_record) {
            auto body = be(base + static_cast<std::uint32_t>(off), 4);
            const std::size_t n = std::min(per_record, data.size() - off);
            body.insert(body.end(), data.begin() + static_cast<std::ptrdiff_t>(off),
                        data.begin() + static_cast<std::ptrdiff_t>(off + n));
            out += record('3', body);
            ++records;
        }
    out += record('5', be(records, 2));
    out += record('7', be(segs.empty() ? 0 : segs.begin()->first, 4));
    return out;
}

inline std::string hex_string(const std::uint8_t* p, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

inline std::string le32_hex(std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                               static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    return hex_string(b, 4);
}

struct Cyacd2Spec {
    std::uint32_t silicon_id = 0;
    std::uint8_t silicon_rev = 0;
    std::uint8_t checksum = 0;
    std::uint8_t app_id = 0;
    std::uint32_t product_id = 0x01020304;
    bool app_info = true;
    std::uint32_t app_start = 0, app_length = 0;
};

// Rows must be whole and aligned.
inline std::string to_cyacd2(const Cyacd2Spec& spec, const Segments& rows) {
    std::string s = "# written by the test suite\n01" + le32_hex(spec.silicon_id) + hex_string(&spec.silicon_rev, 1) +
                    hex_string(&spec.checksum, 1) + hex_string(&spec.app_id, 1) + le32_hex(spec.product_id) + "\n";
    if (spec.app_info) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "@APPINFO:0x%x,0x%x\n", spec.app_start, spec.app_length);
        s += buf;
    }
    for (const auto& [addr, data] : rows) s += ":" + le32_hex(addr) + hex_string(data.data(), data.size()) + "\n";
    return s;
}

// What the device's flash should hold: rows touched by data are written whole
// (gaps = fill), everything else keeps its erased value.
// The first offset where two flash images differ; SIZE_MAX when they are equal.
inline std::size_t first_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return i;
    return a.size() == b.size() ? SIZE_MAX : n;
}

struct FlashModel {
    std::uint32_t base = 0x10000000;
    std::uint32_t row = 512;
    std::uint8_t erased = 0x00;
    std::vector<std::uint8_t> bytes;

    FlashModel(std::uint32_t base_, std::size_t size, std::uint32_t row_, std::uint8_t erased_ = 0)
        : base(base_), row(row_), erased(erased_), bytes(size, erased_) {}

    void program(const Segments& segs, std::uint8_t fill = 0) {
        for (const auto& [addr, data] : segs)
            for (std::size_t i = 0; i < data.size(); ++i) {
                const std::uint32_t a = addr + static_cast<std::uint32_t>(i);
                const std::uint32_t row_start = a - (a - base) % row;
                if (touched_.insert(row_start).second) std::fill_n(bytes.begin() + (row_start - base), row, fill);
            }
        for (const auto& [addr, data] : segs) std::copy(data.begin(), data.end(), bytes.begin() + (addr - base));
    }
    void erase_rows_of(const Segments& segs) {
        for (const auto& [addr, data] : segs)
            for (std::size_t i = 0; i < data.size(); ++i) {
                const std::uint32_t a = addr + static_cast<std::uint32_t>(i);
                const std::uint32_t row_start = a - (a - base) % row;
                std::fill_n(bytes.begin() + (row_start - base), row, erased);
            }
    }
    // Set Application Metadata: entry app*8 of the metadata row, CRC-32C in its last 4 bytes.
    void set_metadata(std::uint8_t app, std::uint32_t start, std::uint32_t length) {
        const std::size_t m = bytes.size() - row;  // default metadata row: the last one
        for (int i = 0; i < 4; ++i) {
            bytes[m + app * 8u + i] = static_cast<std::uint8_t>(start >> (8 * i));
            bytes[m + app * 8u + 4 + i] = static_cast<std::uint8_t>(length >> (8 * i));
        }
        const std::uint32_t crc = test_crc32c(bytes.data() + m, row - 4);
        for (int i = 0; i < 4; ++i) bytes[m + row - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    }

private:
    std::set<std::uint32_t> touched_;
};

}  // namespace testsupport
