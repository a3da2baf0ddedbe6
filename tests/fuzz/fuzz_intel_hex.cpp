// Intel HEX parser: any text either parses or is refused with "FILE:LINE: message"; what
// parses is a well-formed image that survives the writer and a second parse unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/intel_hex.hpp"
#include "fuzz_support.hpp"
#include "image_checks.hpp"

using dfu::formats::IntelHexFile;

namespace {

const std::string kName = "fuzz.hex";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The data buffer, its chunk list and the image: each a fraction of the text.
    const auto parsed = fuzz::parse_line_based(text, kName, dfu::formats::parse_intel_hex_file);
    if (!parsed) return 0;
    fuzz::check_image(parsed->image);

    // Record length from the input so every length gets its turn.
    const std::size_t per_record = 1 + size % 255;
    const std::string written = dfu::formats::write_intel_hex(parsed->image, per_record, parsed->start);
    const IntelHexFile again = dfu::formats::parse_intel_hex_file(written, "roundtrip.hex");
    FUZZ_CHECK(again.image == parsed->image);
    FUZZ_CHECK(again.start == parsed->start);
    return 0;
}
