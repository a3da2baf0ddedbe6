// ELF reader: any bytes either give a well-formed image or are refused with "FILE: message"
// (never a line). Two segments may load the same file bytes at different addresses, so the
// image may be larger than the file; their addresses never overlap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/elf.hpp"
#include "formats/input_error.hpp"
#include "fuzz_support.hpp"
#include "image_checks.hpp"

using dfu::formats::InputError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::string name = "fuzz.elf";
    try {
        const dfu::formats::SparseImage image = dfu::formats::parse_elf(bytes, name);
        fuzz::check_image(image);
    } catch (const InputError& e) {
        FUZZ_CHECK(e.file() == name);
        FUZZ_CHECK(e.line() == 0);
        FUZZ_CHECK(!e.message().empty());
    }
    return 0;
}
