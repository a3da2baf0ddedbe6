#include "formats/rows.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace dfu::formats {

bool is_valid_row_size(std::uint64_t row_size) noexcept {
    return row_size >= 8 && (row_size & (row_size - 1)) == 0;
}

std::vector<Row> map_to_rows(const SparseImage& image, std::uint32_t row_size, std::uint8_t fill) {
    if (!is_valid_row_size(row_size)) {
        throw std::invalid_argument(fmt::format("row size {} is not a power of two of at least 8 bytes", row_size));
    }
    const std::uint64_t mask = ~(std::uint64_t{row_size} - 1);
    std::vector<Row> rows;
    for (const auto& seg : image.segments()) {
        const std::uint64_t seg_end = seg.end();
        for (std::uint64_t row = seg.address & mask; row < seg_end; row += row_size) {
            // A row may already exist: the previous segment ended inside it.
            if (rows.empty() || rows.back().address != row) {
                rows.push_back(Row{static_cast<std::uint32_t>(row), std::vector<std::uint8_t>(row_size, fill)});
            }
            const std::uint64_t from = std::max<std::uint64_t>(row, seg.address);
            const std::uint64_t to = std::min<std::uint64_t>(row + row_size, seg_end);
            std::memcpy(rows.back().data.data() + (from - row), seg.data.data() + (from - seg.address),
                        static_cast<std::size_t>(to - from));
        }
    }
    return rows;
}

}  // namespace dfu::formats
