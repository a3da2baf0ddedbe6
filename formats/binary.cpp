#include "formats/binary.hpp"

#include <fmt/core.h>

#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"

namespace dfu::formats {

SparseImage parse_binary(std::string_view bytes, std::uint32_t base, const std::string& file_name) {
    if (bytes.empty()) throw InputError(file_name, 0, "file is empty; there is nothing to program");
    const std::uint64_t end = std::uint64_t{base} + bytes.size();
    if (end > SparseImage::kAddressLimit) {
        throw InputError(file_name, 0,
                         fmt::format("{} bytes at base address 0x{:08X} run past the end of the 4 GiB "
                                     "address space (to 0x{:X}); check the base address",
                                     bytes.size(), base, end - 1));
    }
    SparseImage image;
    image.add(base, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    return image;
}

SparseImage load_binary(const std::filesystem::path& p, std::uint32_t base) {
    const std::string bytes = read_file_bytes(p);
    return parse_binary(bytes, base, input_name(p));
}

}  // namespace dfu::formats
