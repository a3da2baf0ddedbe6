#include "platform/file_open.hpp"

namespace dfu::platform {

std::FILE* open_for_reading(const std::filesystem::path& path) {
    return std::fopen(path.c_str(), "rb");
}

std::FILE* standard_input_binary() {
    return stdin;  // POSIX streams make no text/binary difference
}

}  // namespace dfu::platform
