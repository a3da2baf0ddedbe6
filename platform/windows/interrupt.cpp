#include "platform/interrupt.hpp"

#include <windows.h>

namespace dfu::platform {
namespace {

std::atomic<bool>* g_flag = nullptr;

// Runs on a thread of its own that the system starts for each console event. Returning TRUE
// for Ctrl-C and Ctrl-Break keeps the process alive so the engine can stop at a packet
// boundary; for close, logoff and shutdown the system ends the process after the handler
// anyway, so those only set the flag on the way.
BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
        case CTRL_C_EVENT:
        case CTRL_BREAK_EVENT:
            if (g_flag) g_flag->store(true);
            return TRUE;
        default:
            if (g_flag) g_flag->store(true);
            return FALSE;
    }
}

}  // namespace

void install_interrupt_handlers(std::atomic<bool>& interrupted) {
    g_flag = &interrupted;
    ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

}  // namespace dfu::platform
