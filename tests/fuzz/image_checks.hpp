// Checks shared by the fuzz targets of the image formats: the parse of the line-based ones
// (Intel HEX, .cyacd2, S-records) with its refusals and heap cost, and the promises of a parsed
// SparseImage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "formats/input_error.hpp"
#include "formats/sparse_image.hpp"
#include "fuzz_support.hpp"

namespace fuzz {

// Lines of `text` as the parsers count them: a last line without '\n' counts.
inline std::size_t count_lines(std::string_view text) {
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';
    return lines;
}

// Runs `parse(text, name)` under the heap meter. Either it parses, or it refuses with an
// InputError naming `name`, a line inside the text and a message; both ways its heap peak stays
// within 32 bytes per input byte (plus slack). The parsed value, or nothing when refused.
template <class Parse>
auto parse_line_based(std::string_view text, const std::string& name, Parse parse)
    -> std::optional<decltype(parse(text, name))> {
    std::optional<decltype(parse(text, name))> parsed;
    HeapMeter::start();
    try {
        parsed.emplace(parse(text, name));
    } catch (const dfu::formats::InputError& e) {
        check_heap_peak(HeapMeter::stop(), text.size(), 32, 4096);
        FUZZ_CHECK(e.file() == name);
        FUZZ_CHECK(e.line() <= count_lines(text));
        FUZZ_CHECK(!e.message().empty());
        return std::nullopt;
    }
    check_heap_peak(HeapMeter::stop(), text.size(), 32, 4096);
    return parsed;
}

// Not empty, segments sorted, never empty, inside 4 GiB, touching ones merged, size() their sum.
inline void check_image(const dfu::formats::SparseImage& image) {
    FUZZ_CHECK(!image.empty());
    std::size_t bytes = 0;
    std::uint64_t previous_end = 0;
    bool first = true;
    for (const auto& seg : image.segments()) {
        FUZZ_CHECK(!seg.data.empty());
        FUZZ_CHECK(seg.end() <= dfu::formats::SparseImage::kAddressLimit);
        // Sorted, and touching segments merged: a gap of at least one byte between any two.
        FUZZ_CHECK(first || seg.address > previous_end);
        previous_end = seg.end();
        first = false;
        bytes += seg.data.size();
    }
    FUZZ_CHECK(bytes == image.size());
}

}  // namespace fuzz
