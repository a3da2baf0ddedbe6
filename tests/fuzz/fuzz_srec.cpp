// S-record parser: any text either parses or is refused with "FILE:LINE: message"; what parses
// is a well-formed image with a start address (the record that ends the file), and the same
// image survives a trip through the Intel HEX writer and parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/intel_hex.hpp"
#include "formats/srec.hpp"
#include "fuzz_support.hpp"
#include "image_checks.hpp"

namespace {

const std::string kName = "fuzz.srec";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The image, the list of where each record went and the header: each a fraction of the text.
    const auto parsed = fuzz::parse_line_based(text, kName, dfu::formats::parse_srec_file);
    if (!parsed) return 0;
    fuzz::check_image(parsed->image);
    FUZZ_CHECK(parsed->start.has_value());
    const std::string as_hex = dfu::formats::write_intel_hex(parsed->image, 1 + size % 255);
    FUZZ_CHECK(dfu::formats::parse_intel_hex(as_hex, "roundtrip.hex") == parsed->image);
    return 0;
}
