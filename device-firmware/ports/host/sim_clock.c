/* sim_clock.c - monotonic microseconds since start, absolute sleeps, the line model. */
#define _XOPEN_SOURCE 700

#include "sim_clock.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

static uint64_t g_start_us; /* process-wide epoch; the simulator is one process */
static int g_started;
static uint32_t g_spin_us; /* sim_clock_precise() */

static uint64_t raw_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t sim_now_us(void) {
    uint64_t now = raw_us();
    if (!g_started) {
        g_start_us = now;
        g_started = 1;
    }
    return now - g_start_us;
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

static void sleep_until_abs(uint64_t t_us, const volatile sig_atomic_t* stop) {
#if defined(_POSIX_CLOCK_SELECTION) && _POSIX_CLOCK_SELECTION > 0
    struct timespec ts;
    uint64_t abs_us = g_start_us + t_us;
    ts.tv_sec = (time_t)(abs_us / 1000000u);
    ts.tv_nsec = (long)(abs_us % 1000000u) * 1000L;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        if (stop != NULL && *stop) {
            return;
        }
    }
#else
    uint64_t now;
    while ((now = sim_now_us()) < t_us && (stop == NULL || !*stop)) {
        sim_sleep_us(t_us - now, stop);
    }
#endif
}

void sim_sleep_until_us(uint64_t t_us, const volatile sig_atomic_t* stop) {
    uint64_t now = sim_now_us(); /* also sets the epoch if nobody has yet */
    if (now >= t_us) {
        return;
    }
    if (t_us - now > g_spin_us) {
        sleep_until_abs(t_us - g_spin_us, stop);
    }
    while (sim_now_us() < t_us && (stop == NULL || !*stop)) {
        /* spin: the last spin_us (0 without sim_clock_precise) */
    }
}

void sim_clock_precise(uint32_t spin_us) {
#if defined(__linux__) && defined(PR_SET_TIMERSLACK)
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL); /* ns */
#endif
    g_spin_us = spin_us;
}

uint32_t sim_clock_spin_us(void) {
    return g_spin_us;
}

void sim_line_init(sim_line* l, uint32_t baud) {
    l->baud = baud;
    l->anchor_us = 0;
    l->count = 0;
    l->free_us = 0;
}

uint64_t sim_line_put(sim_line* l, uint64_t at_us, size_t n) {
    if (l->baud == 0) {
        return at_us;
    }
    if (n == 0) {
        return at_us;
    }
    if (at_us >= l->free_us) { /* idle: a new busy period starts now */
        l->anchor_us = at_us;
        l->count = 0;
    }
    l->count += n;
    l->free_us = l->anchor_us + (l->count * 10000000u + l->baud - 1u) / l->baud;
    return l->free_us;
}
