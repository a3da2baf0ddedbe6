// Motorola S-records (S19, S28, S37): data records S1/S2/S3, header S0, counts S5/S6,
// start addresses S7/S8/S9.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

struct SrecFile {
    SparseImage image;
    std::string header;                  // the S0 record's data as text (module name etc.), may be empty
    std::optional<std::uint32_t> start;  // the S7/S8/S9 record's start address (does not affect the image)
};

// Parses a whole file held in `text`. file_name is used only in error messages.
// Every record's checksum is checked; an S5/S6 count must match the data records before it.
// Throws InputError ("FILE:LINE: ...") on the first problem.
SrecFile parse_srec_file(std::string_view text, const std::string& file_name);
SrecFile load_srec_file(const std::filesystem::path& p);

// The same, keeping only the image.
SparseImage load_srec(const std::filesystem::path& p);

}  // namespace dfu::formats
