/*
 * systick.c - SysTick registers (ARMv7-M ARM, B3.3 "The system timer, SysTick"):
 * SYST_CSR 0xE000E010 (bit 0 ENABLE, bit 1 TICKINT, bit 2 CLKSOURCE = processor clock),
 * SYST_RVR 0xE000E014 (reload: ticks per period - 1), SYST_CVR 0xE000E018 (write clears).
 */
#include "systick.h"

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)

static volatile uint32_t ticks_ms;

void systick_start(uint32_t cpu_hz) {
    SYST_RVR = cpu_hz / 1000u - 1u;
    SYST_CVR = 0u;
    SYST_CSR = 0x7u;
}

uint32_t systick_ms(void) {
    return ticks_ms; /* one aligned word: read atomically */
}

void systick_handler(void) {
    ticks_ms = ticks_ms + 1u;
}
