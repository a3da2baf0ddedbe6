/*
 * sim_clock.h - monotonic time for the simulator, relative to its start, and the serial
 * line model behind --baud.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Microseconds since the first call (CLOCK_MONOTONIC). */
uint64_t sim_now_us(void);

/* Sleeps for us microseconds (restarts after signals unless *stop becomes nonzero). */
void sim_sleep_us(uint64_t us, const volatile sig_atomic_t* stop);

/* Sleeps until sim_now_us() >= t_us, on an absolute deadline (clock_nanosleep
 * TIMER_ABSTIME where the system has it), so a series of deadlines never drifts; after
 * sim_clock_precise(), sleeps until spin_us before it and spins on the clock for the rest.
 * Returns early only when *stop becomes nonzero. */
void sim_sleep_until_us(uint64_t t_us, const volatile sig_atomic_t* stop);

/* For deadlines kept to a few microseconds: asks the OS for a minimal timer slack (Linux:
 * 1 us instead of 50 us) and makes sim_sleep_until_us() wake spin_us early and spin, as a
 * timer wake-up can come 50-100 us late (more in a VM). Costs up to spin_us of CPU per
 * deadline. */
void sim_clock_precise(uint32_t spin_us);
/* The spin_us set by sim_clock_precise(); 0 before. */
uint32_t sim_clock_spin_us(void);

/*
 * One direction of an 8N1 serial line at baud bits/s: 10 bits per byte, bytes leave one
 * after another, a FIFO that drains at baud / 10 bytes per second. While the line is busy
 * every deadline is computed from the moment it became busy (the anchor) and the number of
 * bytes since, rounded up to the next microsecond: rounding never accumulates, so
 * thousands of packets do not drift. baud 0: no line, every byte is done when handed over.
 */
typedef struct {
    uint32_t baud;
    uint64_t anchor_us; /* when the line last went from idle to busy */
    uint64_t count;     /* bytes handed over since the anchor */
    uint64_t free_us;   /* when the last of them has left the line */
} sim_line;

void sim_line_init(sim_line* l, uint32_t baud);
/* n bytes are handed to the line at at_us (they start when the line is free): returns the
 * time the last of them has left it (at_us when n is 0 or baud is 0). */
uint64_t sim_line_put(sim_line* l, uint64_t at_us, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SIM_CLOCK_H */
