// doctest main for the umockdev tests. The tests need libumockdev-preload in the
// process from its start; ctest sets LD_PRELOAD, and a direct run re-executes itself
// with it so `./umockdev_tests` works from a shell too.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "testbed.hpp"

int main(int argc, char** argv) {
    if (!umock::preload_active() && !std::getenv("DFU_UMOCKDEV_REEXEC")) {
        std::string preload = DFU_UMOCKDEV_PRELOAD;
        if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
        ::setenv("LD_PRELOAD", preload.c_str(), 1);
        ::setenv("DFU_UMOCKDEV_REEXEC", "1", 1);  // once: a preload that fails to load must not loop
        ::execv("/proc/self/exe", argv);
        std::perror("re-executing with libumockdev-preload");
        return 1;
    }
    if (!umock::preload_active()) {
        std::fprintf(stderr, "libumockdev-preload is not loaded (LD_PRELOAD=%s)\n", DFU_UMOCKDEV_PRELOAD);
        return 1;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
