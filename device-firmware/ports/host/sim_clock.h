/* sim_clock.h - monotonic time for the simulator, relative to its start. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Microseconds since the first call (CLOCK_MONOTONIC). */
uint64_t sim_now_us(void);

/* Sleeps for us microseconds (restarts after signals unless *stop becomes nonzero). */
void sim_sleep_us(uint64_t us, const volatile sig_atomic_t* stop);

#ifdef __cplusplus
}
#endif

#endif /* SIM_CLOCK_H */
