#include "platform/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace dfu::platform {

bool is_terminal(std::FILE* f) {
    return ::isatty(::fileno(f)) == 1;
}

int terminal_columns(std::FILE* f) {
    winsize ws{};
    if (!is_terminal(f) || ::ioctl(::fileno(f), TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

}  // namespace dfu::platform
