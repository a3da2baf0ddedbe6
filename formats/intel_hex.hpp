// Intel HEX (I8HEX, I16HEX and I32HEX: record types 00-05).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

// Start addresses from record types 03 and 05 (the last of each kind wins). They do not
// affect the image; they are kept so that a round trip or `inspect` can show them.
struct HexStartAddress {
    std::optional<std::uint32_t> segment;  // type 03: CS in the high 16 bits, IP in the low 16
    std::optional<std::uint32_t> linear;   // type 05: EIP
    bool operator==(const HexStartAddress&) const = default;
};

struct IntelHexFile {
    SparseImage image;
    HexStartAddress start;
};

// Parses a whole file held in `text`. file_name is used only in error messages.
// Throws InputError ("FILE:LINE: ...") on the first problem.
IntelHexFile parse_intel_hex_file(std::string_view text, const std::string& file_name);
IntelHexFile load_intel_hex_file(const std::filesystem::path& p);

// The same, keeping only the image.
SparseImage parse_intel_hex(std::string_view text, const std::string& file_name);
SparseImage load_intel_hex(const std::filesystem::path& p);

// Writes data records of up to bytes_per_record bytes (1..255, else std::invalid_argument)
// that never cross a 64 KiB boundary, a type 04 record whenever the upper 16 address bits
// change (none while they are 0), then the start addresses if given, then the EOF record.
// Lines end with "\n"; hex digits are upper case.
std::string write_intel_hex(const SparseImage& image, std::size_t bytes_per_record = 32,
                            const HexStartAddress& start = {});

}  // namespace dfu::formats
