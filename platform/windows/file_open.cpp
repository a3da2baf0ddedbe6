#include "platform/file_open.hpp"

#include <cstdio>

namespace dfu::platform {

// The wide-character open keeps names the ANSI code page cannot spell.
std::FILE* open_for_reading(const std::filesystem::path& path) {
    return ::_wfopen(path.c_str(), L"rb");
}

}  // namespace dfu::platform
