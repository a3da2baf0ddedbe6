// Checks shared by the fuzz targets of the image formats: line numbers in the errors of the
// line-based ones (Intel HEX, .cyacd2, S-records), and the promises of a parsed SparseImage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/sparse_image.hpp"
#include "fuzz_support.hpp"

namespace fuzz {

// Lines of `text` as the parsers count them: a last line without '\n' counts.
inline std::size_t count_lines(std::string_view text) {
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';
    return lines;
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
