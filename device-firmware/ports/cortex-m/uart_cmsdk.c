/*
 * uart_cmsdk.c - CMSDK APB UART driver.
 *
 * Registers (Arm Cortex-M System Design Kit TRM, "APB UART"): DATA +0x0, STATE +0x4 (bit 0 TX
 * buffer full, bit 1 RX buffer full), CTRL +0x8 (bit 0 TX enable, bit 1 RX enable, bit 3 RX
 * interrupt enable), INTSTATUS +0xC (bit 1 RX interrupt, write 1 to clear), BAUDDIV +0x10 (at
 * least 16). The receiver holds one byte: the interrupt drains it into a ring buffer so the
 * main loop can sleep (wfi) between bytes.
 *
 * QEMU specifics seen with mps2-an385: the baud rate is not modelled (any BAUDDIV >= 16 works);
 * after enabling the receiver, DATA is read once, otherwise QEMU may hold the first host bytes
 * for up to a second.
 */
#include "uart_cmsdk.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t*)(UART0_BASE + 0x0u))
#define UART_STATE (*(volatile uint32_t*)(UART0_BASE + 0x4u))
#define UART_CTRL (*(volatile uint32_t*)(UART0_BASE + 0x8u))
#define UART_INTSTATUS (*(volatile uint32_t*)(UART0_BASE + 0xCu))
#define UART_BAUDDIV (*(volatile uint32_t*)(UART0_BASE + 0x10u))

#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN 0x1u
#define CTRL_RX_EN 0x2u
#define CTRL_RX_INT_EN 0x8u
#define INT_RX 0x2u

#define NVIC_ISER0 (*(volatile uint32_t*)0xE000E100u)
#define UART0_RX_IRQ 0u

/* Single producer (the interrupt), single consumer (the main loop): no lock needed. */
#define RING_SIZE 512u /* a power of two */
static uint8_t ring[RING_SIZE];
static volatile uint32_t ring_head; /* written by the interrupt only */
static volatile uint32_t ring_tail; /* written by the main loop only */
static volatile uint32_t overruns;

void uart0_rx_handler(void) {
    /* Clear first: a byte arriving while DATA is read raises the interrupt again. */
    UART_INTSTATUS = INT_RX;
    while (UART_STATE & STATE_RX_FULL) {
        uint8_t b = (uint8_t)UART_DATA;
        uint32_t head = ring_head;
        if (head - ring_tail == RING_SIZE) {
            overruns = overruns + 1u;
            continue;
        }
        ring[head % RING_SIZE] = b;
        ring_head = head + 1u;
    }
}

void uart_start(void) {
    UART_BAUDDIV = 16u;
    UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
    (void)UART_DATA; /* see the QEMU note above */
    UART_INTSTATUS = INT_RX;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

size_t uart_read(uint8_t* dst, size_t cap) {
    uint32_t tail = ring_tail;
    size_t n = 0;
    while (n < cap && tail != ring_head) {
        dst[n++] = ring[tail % RING_SIZE];
        tail++;
    }
    ring_tail = tail;
    return n;
}

int uart_rx_empty(void) {
    return ring_tail == ring_head;
}

void uart_write(const uint8_t* src, size_t len) {
    size_t i;
    for (i = 0; i < len; ++i) {
        while (UART_STATE & STATE_TX_FULL) {
        }
        UART_DATA = src[i];
    }
}

uint32_t uart_rx_overruns(void) {
    return overruns;
}
