#pragma once
// The terminal dfuhost writes to: whether there is one (progress bars only then) and how
// wide it is.
#include <cstdio>

namespace dfu::platform {

// True when `f` is an interactive terminal (a console window on Windows).
bool is_terminal(std::FILE* f);
// The terminal's width in columns; 0 when `f` is not a terminal or the system does not say.
int terminal_columns(std::FILE* f);

}  // namespace dfu::platform
