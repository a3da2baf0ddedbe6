// Infineon/Cypress .cyacd2 DFU files (docs/protocol.md, ".cyacd2").
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

struct Cyacd2Header {
    std::uint8_t file_version = 1;  // always 0x01
    std::uint32_t silicon_id = 0;
    std::uint8_t silicon_rev = 0;
    std::uint8_t checksum_type = 0;  // packet checksum: 0 basic sum, 1 CRC-16
    std::uint8_t app_id = 0;
    std::uint32_t product_id = 0;
    bool operator==(const Cyacd2Header&) const = default;
};

struct AppInfo {
    std::uint32_t start = 0;
    std::uint32_t length = 0;
    bool operator==(const AppInfo&) const = default;
};

struct Cyacd2Row {
    std::uint32_t address = 0;
    std::vector<std::uint8_t> data;
    std::size_t line = 0;  // 1-based line in the file; 0 for rows not read from a file
};

struct Cyacd2Eiv {
    std::vector<std::uint8_t> vector;  // 0, 8 or 16 bytes
    std::size_t line = 0;
};

using Cyacd2Record = std::variant<Cyacd2Row, Cyacd2Eiv>;

struct Cyacd2 {
    Cyacd2Header header;
    std::optional<AppInfo> app_info;
    std::vector<Cyacd2Record> records;  // in file order
    std::uint32_t row_size = 0;         // 0 if there are no rows
    std::string file;                   // the name given to the parser
};

// Throws InputError ("FILE:LINE: ...") on the first problem.
Cyacd2 parse_cyacd2(std::string_view text, const std::string& file_name);
Cyacd2 load_cyacd2(const std::filesystem::path& p);

// Header line, @APPINFO (if any), then the records in order; "\n" line ends, upper-case
// hex (APPINFO numbers as 0x-prefixed lower-case hex, as Infineon's tools write them).
std::string write_cyacd2(const Cyacd2& c);

// All rows of the file as an image (the parser guarantees they do not overlap).
SparseImage cyacd2_image(const Cyacd2& c);

}  // namespace dfu::formats
