#include "platform/console.hpp"

#include <io.h>
#include <windows.h>

namespace dfu::platform {

bool is_terminal(std::FILE* f) {
    return ::_isatty(::_fileno(f)) != 0;
}

int terminal_columns(std::FILE* f) {
    if (!is_terminal(f)) return 0;
    const HANDLE h = reinterpret_cast<HANDLE>(::_get_osfhandle(::_fileno(f)));
    CONSOLE_SCREEN_BUFFER_INFO info{};
    if (!::GetConsoleScreenBufferInfo(h, &info)) return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

}  // namespace dfu::platform
