/*
 * systick.h - a millisecond tick from the Cortex-M SysTick timer, for the responder's error
 * hold-off and idle timeout and the framer's partial-packet timeout.
 */
#ifndef SYSTICK_H
#define SYSTICK_H

#include <stdint.h>

/* Starts a 1 ms interrupt from the processor clock (cpu_hz). */
void systick_start(uint32_t cpu_hz);
/* Milliseconds since systick_start (wraps after 49 days, as the core expects). */
uint32_t systick_ms(void);
void systick_handler(void);

#endif /* SYSTICK_H */
