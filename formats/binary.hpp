// Raw binary images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

// The file's bytes placed at `base`. Throws InputError if the file cannot be read, is
// empty, or base + size passes the 4 GiB address space.
SparseImage load_binary(const std::filesystem::path& p, std::uint32_t base);

// The same for bytes already in memory (file_name is used only in messages).
SparseImage parse_binary(std::string_view bytes, std::uint32_t base, const std::string& file_name);

}  // namespace dfu::formats
