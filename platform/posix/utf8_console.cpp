#include "platform/utf8_console.hpp"

namespace dfu::platform {

// POSIX terminals take the bytes as they are; the locale is the terminal's business.
void use_utf8_console() {}

}  // namespace dfu::platform
