// Mapping an image onto the flash rows the DFU protocol programs one at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

struct Row {
    std::uint32_t address = 0;       // a multiple of the row size
    std::vector<std::uint8_t> data;  // exactly one row size long
    bool operator==(const Row&) const = default;
};

// True for powers of two >= 8 (the row sizes map_to_rows accepts).
bool is_valid_row_size(std::uint64_t row_size) noexcept;

// Cuts the image into rows aligned to row_size. Bytes of a touched row that hold no data
// are `fill`; rows without any data byte are not produced. Sorted by address.
// Throws std::invalid_argument unless row_size is a power of two >= 8.
std::vector<Row> map_to_rows(const SparseImage& image, std::uint32_t row_size, std::uint8_t fill);

}  // namespace dfu::formats
