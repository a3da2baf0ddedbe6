#include "platform/file_open.hpp"

namespace dfu::platform {

std::FILE* open_for_reading(const std::filesystem::path& path) {
    return std::fopen(path.c_str(), "rb");
}

}  // namespace dfu::platform
