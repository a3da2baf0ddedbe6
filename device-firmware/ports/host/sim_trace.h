/*
 * sim_trace.h - the --trace file: one line per packet (or run of stray bytes) received
 * or sent, and nothing else:
 *     <seconds since start, 6 decimals> <rx|tx|rx-stray|rx-flushed> <hex, lowercase>
 * Each line is flushed as it is written.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE* f; /* NULL: tracing off */
} sim_trace;

/* Opens (truncates) path; path NULL turns tracing off. 0 ok, -1 with errno. */
int sim_trace_open(sim_trace* t, const char* path);
void sim_trace_close(sim_trace* t);
/* kind: "rx", "tx", "rx-stray" or "rx-flushed". */
void sim_trace_line(sim_trace* t, uint64_t now_us, const char* kind, const uint8_t* bytes, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SIM_TRACE_H */
