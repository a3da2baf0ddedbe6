/*
 * sim_fault.h - fault injection, per received packet (--fault drop=P,corrupt=P,silence=P,
 * reset=P,delay=MS,seed=N). Each P is a probability in [0, 1]:
 *   drop     the packet is lost before the device sees it (traced rx-flushed)
 *   reset    the device resets: state NONE, row buffer gone; the packet is lost (rx-flushed)
 *   silence  the packet is handled but its response is not sent
 *   corrupt  one byte of the response is altered (the tx trace shows what was sent)
 *   delay    every response is sent MS milliseconds late
 *   seed     the PRNG seed (default 1): the same seed gives the same faults
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double drop, corrupt, silence, reset;
    uint32_t delay_ms;
    uint64_t seed;
} sim_fault_cfg;

typedef struct {
    sim_fault_cfg cfg;
    uint64_t state;
} sim_fault;

void sim_fault_cfg_defaults(sim_fault_cfg* cfg);
/* Parses "key=value,..." into cfg (keys not given keep their value). 0 ok, -1 with err. */
int sim_fault_parse(const char* spec, sim_fault_cfg* cfg, char* err, size_t err_len);

void sim_fault_init(sim_fault* f, const sim_fault_cfg* cfg);
/* 1 with probability p (draws a number only when 0 < p < 1). */
int sim_fault_hit(sim_fault* f, double p);
uint32_t sim_fault_next(sim_fault* f);

#ifdef __cplusplus
}
#endif

#endif /* SIM_FAULT_H */
