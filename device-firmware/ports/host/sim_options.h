/* sim_options.h - dfu-sim's command line. */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dfu_preset.h"
#include "dfu_responder.h"
#include "sim_fault.h"
#include "dfu_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char* link;       /* --link PATH or NULL */
    const char* flash_path; /* --flash FILE or NULL (memory only) */
    const char* trace_path; /* --trace FILE or NULL */
    dfu_preset preset;      /* --preset: the configuration the other options start from */
    dfu_config dfu;         /* metadata_addr = DFU_METADATA_ADDR_LAST_ROW unless given */
    uint8_t erased;
    dfu_framing framing;
    int split_oversize;      /* --split-oversize: length framing answers a cut packet's rest */
    uint32_t baud;           /* 8N1 line rate, both directions; 0: no line pacing */
    uint32_t turnaround_us;  /* request's last byte -> response's first byte */
    uint32_t flash_write_us; /* added per row programmed or erased */
    sim_fault_cfg fault;
} sim_options;

#define SIM_OPTIONS_OK 0
#define SIM_OPTIONS_HELP 1  /* usage printed: exit 0 */
#define SIM_OPTIONS_ERROR 2 /* message printed to err: exit 2 */

/* Parses argv into o (defaults first); messages go to err. */
int sim_options_parse(sim_options* o, int argc, char** argv, FILE* out, FILE* err);
void sim_options_usage(FILE* f);

#ifdef __cplusplus
}
#endif

#endif /* SIM_OPTIONS_H */
