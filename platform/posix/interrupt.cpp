#include "platform/interrupt.hpp"

#include <csignal>

namespace dfu::platform {
namespace {

// A signal handler can reach no argument: the flag it sets lives here.
std::atomic<bool>* g_flag = nullptr;

extern "C" void on_signal(int) {
    if (g_flag) g_flag->store(true);
}

}  // namespace

void install_interrupt_handlers(std::atomic<bool>& interrupted) {
    g_flag = &interrupted;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking wait returns so the flag is seen sooner
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace dfu::platform
