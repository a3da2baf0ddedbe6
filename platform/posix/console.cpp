#include "platform/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace dfu::platform {

bool is_terminal(std::FILE* f) {
    return f && ::isatty(::fileno(f)) == 1;
}

int terminal_columns(std::FILE* f) {
    // Asked at every redraw: the window may have been resized since the last one.
    winsize ws{};
    if (f && ::ioctl(::fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char* env = std::getenv("COLUMNS");
    int columns = 0;
    if (env && *env) {
        const char* end = env + std::strlen(env);
        const auto [p, ec] = std::from_chars(env, end, columns);
        if (ec != std::errc{} || p != end || columns < 0) columns = 0;
    }
    return columns;
}

}  // namespace dfu::platform
