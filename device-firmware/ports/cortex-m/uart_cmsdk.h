/*
 * uart_cmsdk.h - the Arm CMSDK APB UART (UART0 of mps2-an385 at 0x40004000): interrupt-driven
 * receive into a ring buffer, polled transmit.
 */
#ifndef UART_CMSDK_H
#define UART_CMSDK_H

#include <stddef.h>
#include <stdint.h>

/* Enables transmitter, receiver and the receive interrupt (NVIC IRQ 0). */
void uart_start(void);
/* Moves up to cap received bytes to dst; returns how many. */
size_t uart_read(uint8_t* dst, size_t cap);
/* 1 when nothing received is waiting. Call with interrupts masked before sleeping. */
int uart_rx_empty(void);
/* Sends len bytes, waiting for room in the transmit holding register. */
void uart_write(const uint8_t* src, size_t len);
/* Bytes lost because the ring buffer was full (0 unless the main loop fell behind). */
uint32_t uart_rx_overruns(void);
void uart0_rx_handler(void);

#endif /* UART_CMSDK_H */
