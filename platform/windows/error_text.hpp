#pragma once
// The system's own words for a Win32 or Winsock error code, for messages.
#include <string>

namespace dfu::platform {

// FormatMessage's text without the trailing period and line break; "error N" when it has none.
std::string windows_error_text(unsigned long code);

}  // namespace dfu::platform
