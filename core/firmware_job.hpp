#pragma once
// What a program / verify / erase run does, whatever file it came from: identity,
// checksum type, app range, and the ordered rows (and EI vectors) to send.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/checksum.hpp"
#include "formats/cyacd2.hpp"
#include "formats/sparse_image.hpp"

namespace dfu {

struct AppRange {
    std::uint32_t start = 0;
    std::uint32_t length = 0;
};

// Bytes [start, start + length) of the device's address space.
struct AddressRange {
    std::uint32_t start = 0;
    std::uint64_t length = 0;  // up to 4 GiB
};

struct RowStep {
    std::uint32_t address = 0;
    std::vector<std::uint8_t> data;  // exactly one row
    std::size_t line = 0;            // source line where the format has lines (.cyacd2), else 0
};

struct EivStep {
    std::vector<std::uint8_t> vector;
    std::size_t line = 0;
};

using Step = std::variant<RowStep, EivStep>;

struct FirmwareJob {
    std::string source;  // file name, for messages
    std::string format;  // "Intel HEX", "binary", "cyacd2", "ELF", "S-record"
    ChecksumType checksum = ChecksumType::sum;
    std::uint32_t product_id = 0;
    std::uint8_t app_id = 0;
    std::optional<std::uint32_t> silicon_id;  // what the file expects (cyacd2)
    std::optional<std::uint8_t> silicon_rev;
    std::optional<AppRange> app;  // set on the device and checked by Verify Application
    std::string app_origin;       // where `app` came from, for the user
    std::uint32_t row_size = 512;
    std::vector<Step> steps;
    std::vector<std::string> warnings;

    std::size_t row_count() const noexcept;
    std::uint64_t payload_bytes() const noexcept;  // row bytes to move
};

// The image file formats program, verify, erase, generate and inspect read.
enum class InputFormat : std::uint8_t { intel_hex, binary, cyacd2, elf, srec };

// --format's words: "hex", "bin", "cyacd2", "elf", "srec"; nullopt for any other.
std::optional<InputFormat> input_format_named(std::string_view word);
const char* input_format_word(InputFormat f) noexcept;
// Every --format word, in the order help and messages list them.
std::vector<std::string> input_format_words();

// What the command line may add to or override in a file.
struct ImageOptions {
    std::optional<InputFormat> format;  // --format: overrides the extension (needed for "-")
    std::optional<std::uint32_t> product_id;
    std::optional<std::uint8_t> app_id;
    std::optional<std::uint32_t> row_size;  // default 512 where the file does not say
    std::optional<ChecksumType> checksum;
    std::optional<std::uint32_t> base;       // where a .bin starts
    std::optional<std::uint32_t> app_start;  // app range, both or neither
    std::optional<std::uint32_t> app_length;
    std::uint8_t fill = 0x00;  // gaps inside a row
};

// Reads and checks the whole file and plans the rows before anything touches a
// device. Throws formats::InputError (exit 3) with file and line on bad input.
FirmwareJob load_firmware_job(const std::filesystem::path& file, const ImageOptions& options);

// `erase --range`: a job whose rows cover `range`, no file. Throws dfu::Error (usage, exit 2)
// unless the range is whole rows of the row size (--row-size, default 512) below 4 GiB, and
// when an option that only means something for an image file is given.
// At most kMaxEraseRangeBytes.
inline constexpr std::uint64_t kMaxEraseRangeBytes = std::uint64_t{64} << 20;
FirmwareJob erase_range_job(const AddressRange& range, const ImageOptions& options);

// ".HEX" -> ".hex": file types are chosen by extension, in any case.
std::string lower_extension(const std::filesystem::path& p);

// The image format a file's extension names (".s19" -> srec), nullopt for none.
std::optional<InputFormat> input_format_of_extension(const std::filesystem::path& file);

// The format `file` is read as: `forced` (--format) if given, else by its extension. Throws
// InputError (exit 3) for an extension of no image format, dfu::Error (usage, exit 2) for
// standard input without --format, and for ELF in a build without libelf.
InputFormat resolve_input_format(const std::filesystem::path& file, std::optional<InputFormat> forced);

// CRC-32C of [start, start + length) of the image, `fill` where it holds no data, as the
// device computes it over flash written from this image. No copy of the image is made.
std::uint32_t image_crc32c(const formats::SparseImage& image, std::uint32_t start, std::uint32_t length,
                           std::uint8_t fill);

// The same, keeping what was read: the image (a .cyacd2's rows as one) and a .cyacd2 header.
struct FirmwareInput {
    FirmwareJob job;
    formats::SparseImage image;
    std::optional<formats::Cyacd2Header> header;
};
FirmwareInput load_firmware(const std::filesystem::path& file, const ImageOptions& options);

}  // namespace dfu
