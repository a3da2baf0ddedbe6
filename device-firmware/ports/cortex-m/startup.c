/*
 * startup.c - vector table and reset handler for the Cortex-M3 of QEMU's mps2-an385.
 *
 * After reset the core loads SP from word 0 and PC from word 1 of the vector table at address 0
 * (ARMv7-M Architecture Reference Manual, B1.5.5 "Reset behavior"). The reset handler copies
 * .data from its load address in CODE to RAM and zeroes .bss (symbols from mps2_an385.ld), then
 * runs main(). External interrupt n is vector 16 + n; on mps2-an385 UART0 receive is IRQ 0.
 */
#include <stdint.h>

#include "systick.h"
#include "uart_cmsdk.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;

int main(void);
void reset_handler(void);
void default_handler(void);

void reset_handler(void) {
    const uint32_t* src = &__data_load;
    uint32_t* dst;
    for (dst = &__data_start; dst < &__data_end;) {
        *dst++ = *src++;
    }
    for (dst = &__bss_start; dst < &__bss_end;) {
        *dst++ = 0;
    }
    main();
    for (;;) {
        __asm__ volatile("wfi");
    }
}

/* Faults and unexpected interrupts: stop here (a debugger sees where). */
void default_handler(void) {
    for (;;) {
        __asm__ volatile("wfi");
    }
}

typedef void (*vector)(void);

/* 16 system exceptions, then the external interrupts up to UART0 RX. */
__attribute__((section(".vectors"), used)) static const vector vector_table[16 + 1] = {
    (vector)(uintptr_t)&__stack_top,
    reset_handler,
    default_handler, /* NMI */
    default_handler, /* HardFault */
    default_handler, /* MemManage */
    default_handler, /* BusFault */
    default_handler, /* UsageFault */
    0,
    0,
    0,
    0,
    default_handler, /* SVCall */
    default_handler, /* DebugMonitor */
    0,
    default_handler, /* PendSV */
    systick_handler, /* SysTick */
    uart0_rx_handler, /* IRQ 0: UART0 receive */
};
