/*
 * sim_fault.h - fault injection, per packet (--fault drop=P,corrupt=P,silence=P,lose=P,
 * reset=P,delay=MS,seed=N). Each P is a probability in [0, 1], drawn on its own for each
 * packet received and, where it applies, for each response sent:
 *   drop     one byte of the packet goes missing on the line (both directions); the rx
 *            trace shows what the device got, the tx trace what the host was sent
 *   corrupt  one byte of the packet is altered on the line (both directions)
 *   silence  the packet is handled but its response is not sent
 *   lose     the whole packet is lost before the device sees it (traced rx-flushed)
 *   reset    the device resets: state NONE, row buffer gone; the packet is lost (rx-flushed)
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
    double drop, corrupt, silence, lose, reset;
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
/* Applies drop and corrupt to one packet in place (buf holds len bytes); returns the new
 * length. Draws nothing when both probabilities are 0. */
size_t sim_fault_damage(sim_fault* f, uint8_t* buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SIM_FAULT_H */
