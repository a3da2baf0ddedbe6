/* sim_trace.c - the packet trace file. */
#define _XOPEN_SOURCE 700

#include "sim_trace.h"

int sim_trace_open(sim_trace* t, const char* path) {
    t->f = NULL;
    if (path == NULL) {
        return 0;
    }
    t->f = fopen(path, "w");
    return t->f == NULL ? -1 : 0;
}

void sim_trace_close(sim_trace* t) {
    if (t->f != NULL) {
        fclose(t->f);
        t->f = NULL;
    }
}

void sim_trace_line(sim_trace* t, uint64_t now_us, const char* kind, const uint8_t* bytes, size_t len) {
    static const char digits[] = "0123456789abcdef";
    char hex[512];
    size_t i = 0;
    if (t->f == NULL) {
        return;
    }
    fprintf(t->f, "%llu.%06llu %s ", (unsigned long long)(now_us / 1000000u), (unsigned long long)(now_us % 1000000u),
            kind);
    while (i < len) {
        size_t n = 0;
        for (; i < len && n + 2 <= sizeof hex; ++i) {
            hex[n++] = digits[bytes[i] >> 4];
            hex[n++] = digits[bytes[i] & 0x0F];
        }
        fwrite(hex, 1, n, t->f);
    }
    fputc('\n', t->f);
    fflush(t->f);
}
