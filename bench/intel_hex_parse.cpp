// Times parse_intel_hex on a generated Intel HEX file of at least 16 MiB (32-byte records),
// once in address order and once with every record in reverse order (the sorting path).
// Usage: intel_hex_parse_bench [FILE]   (with FILE, times that file instead)
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/file_bytes.hpp"
#include "formats/intel_hex.hpp"

namespace {

using dfu::formats::SparseImage;

void time_parse(const std::string& label, const std::string& text) {
    double best = 1e9;
    std::size_t bytes = 0;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const SparseImage img = dfu::formats::parse_intel_hex(text, "bench.hex");
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
        bytes = img.size();
    }
    fmt::print("{}: {:.2f} MiB, {} data bytes, parse_intel_hex best of 5: {:.1f} ms\n", label,
               static_cast<double>(text.size()) / (1 << 20), bytes, best * 1000);
}

// The records of each 64 KiB window in reverse order, windows from the top down.
std::string reversed(const SparseImage& img) {
    std::string out;
    const std::uint32_t lo = img.lowest();
    const auto hi = static_cast<std::uint32_t>(img.end() - 1);
    for (std::uint64_t w = hi & ~0xFFFFull; w + 0x10000 > lo; w -= 0x10000) {
        const std::uint64_t from = std::max<std::uint64_t>(w, lo);
        const std::uint64_t to = std::min<std::uint64_t>(w + 0x10000, img.end());
        std::vector<std::uint8_t> chunk(static_cast<std::size_t>(to - from));
        img.copy_out(static_cast<std::uint32_t>(from), chunk, 0);
        SparseImage part;
        part.add(from, chunk);
        const std::string text = dfu::formats::write_intel_hex(part, 32);
        std::vector<std::string_view> lines;
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto nl = rest.find('\n');
            lines.push_back(rest.substr(0, nl + 1));
            rest.remove_prefix(nl + 1);
        }
        lines.pop_back();  // EOF
        std::size_t first_data = 0;
        if (lines[0].substr(7, 2) == "04") {
            out += lines[0];
            first_data = 1;
        } else {
            out += ":020000040000FA\n";
        }
        for (std::size_t i = lines.size(); i-- > first_data;) out += lines[i];
        if (w < 0x10000) break;
    }
    return out + ":00000001FF\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        time_parse(argv[1], dfu::formats::read_file_bytes(argv[1]));
        return 0;
    }
    // 32 data bytes make a 76-byte line ("\n" included).
    const std::size_t target = std::size_t{16} << 20;
    const std::size_t data_bytes = (target + 75) / 76 * 32;
    std::vector<std::uint8_t> data(data_bytes);
    std::uint32_t x = 12345;
    for (auto& b : data) b = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 24);
    SparseImage img;
    img.add(0x10000000, data);
    time_parse("in order", dfu::formats::write_intel_hex(img, 32));
    time_parse("reversed", reversed(img));
    return 0;
}
