#include "platform/file_open.hpp"

#include <cstdio>

#include <fcntl.h>
#include <io.h>

namespace dfu::platform {

// The wide-character open keeps names the ANSI code page cannot spell.
std::FILE* open_for_reading(const std::filesystem::path& path) {
    return ::_wfopen(path.c_str(), L"rb");
}

std::FILE* standard_input_binary() {
    ::_setmode(::_fileno(stdin), _O_BINARY);
    return stdin;
}

}  // namespace dfu::platform
