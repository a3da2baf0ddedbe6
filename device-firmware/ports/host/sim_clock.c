/* sim_clock.c - monotonic microseconds since start. */
#define _XOPEN_SOURCE 700

#include "sim_clock.h"

#include <errno.h>
#include <time.h>

static uint64_t raw_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t sim_now_us(void) {
    static uint64_t start; /* process-wide epoch; the simulator is one process */
    static int started;
    uint64_t now = raw_us();
    if (!started) {
        start = now;
        started = 1;
    }
    return now - start;
}

void sim_sleep_us(uint64_t us, const volatile sig_atomic_t* stop) {
    struct timespec ts;
    ts.tv_sec = (time_t)(us / 1000000u);
    ts.tv_nsec = (long)(us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        if (stop != NULL && *stop) {
            return;
        }
    }
}
