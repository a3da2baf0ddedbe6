#include "platform/utf8_console.hpp"

#include <windows.h>

namespace dfu::platform {

// The console's output code page decides how it decodes our bytes; without this, file names
// and the progress bar's block characters come out as ANSI-code-page mojibake.
void use_utf8_console() {
    ::SetConsoleOutputCP(CP_UTF8);
}

}  // namespace dfu::platform
