/* sim_fault.c - seeded fault injection (xorshift64*). */
#define _XOPEN_SOURCE 700

#include "sim_fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_fault_cfg_defaults(sim_fault_cfg* cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
}

static int parse_probability(const char* v, double* out) {
    char* end;
    double d;
    errno = 0;
    d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d >= 0.0 && d <= 1.0)) {
        return -1;
    }
    *out = d;
    return 0;
}

static int parse_unsigned(const char* v, unsigned long long max, unsigned long long* out) {
    char* end;
    unsigned long long u;
    if (*v == '\0' || *v == '-' || *v == '+') {
        return -1;
    }
    errno = 0;
    u = strtoull(v, &end, (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? 16 : 10);
    if (errno != 0 || *end != '\0' || u > max) {
        return -1;
    }
    *out = u;
    return 0;
}

int sim_fault_parse(const char* spec, sim_fault_cfg* cfg, char* err, size_t err_len) {
    char buf[512];
    char *item, *save = NULL;
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, err_len, "--fault: specification too long");
        return -1;
    }
    strcpy(buf, spec);
    for (item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        char* eq = strchr(item, '=');
        const char *key = item, *val;
        unsigned long long u;
        int bad = 0;
        if (eq == NULL) {
            snprintf(err, err_len, "--fault: '%s' is not key=value", item);
            return -1;
        }
        *eq = '\0';
        val = eq + 1;
        if (strcmp(key, "drop") == 0) {
            bad = parse_probability(val, &cfg->drop);
        } else if (strcmp(key, "corrupt") == 0) {
            bad = parse_probability(val, &cfg->corrupt);
        } else if (strcmp(key, "silence") == 0) {
            bad = parse_probability(val, &cfg->silence);
        } else if (strcmp(key, "lose") == 0) {
            bad = parse_probability(val, &cfg->lose);
        } else if (strcmp(key, "reset") == 0) {
            bad = parse_probability(val, &cfg->reset);
        } else if (strcmp(key, "delay") == 0) {
            bad = parse_unsigned(val, 600000u, &u);
            cfg->delay_ms = bad ? 0u : (uint32_t)u;
        } else if (strcmp(key, "seed") == 0) {
            bad = parse_unsigned(val, ~0ull, &u);
            cfg->seed = bad ? 1u : (uint64_t)u;
        } else {
            snprintf(err, err_len, "--fault: unknown key '%s' (drop, corrupt, silence, lose, reset, delay, seed)", key);
            return -1;
        }
        if (bad) {
            snprintf(err, err_len, "--fault: bad value '%s' for %s (probabilities 0..1, delay in ms)", val, key);
            return -1;
        }
    }
    return 0;
}

void sim_fault_init(sim_fault* f, const sim_fault_cfg* cfg) {
    f->cfg = *cfg;
    f->state = cfg->seed != 0 ? cfg->seed : 0x9E3779B97F4A7C15ull;
}

uint32_t sim_fault_next(sim_fault* f) {
    uint64_t x = f->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

int sim_fault_hit(sim_fault* f, double p) {
    if (p <= 0.0) {
        return 0;
    }
    if (p >= 1.0) {
        return 1;
    }
    return (double)sim_fault_next(f) / 4294967296.0 < p;
}

size_t sim_fault_damage(sim_fault* f, uint8_t* buf, size_t len) {
    if (len > 1 && sim_fault_hit(f, f->cfg.drop)) {
        size_t at = sim_fault_next(f) % len;
        memmove(buf + at, buf + at + 1, len - at - 1);
        --len;
    }
    if (len > 0 && sim_fault_hit(f, f->cfg.corrupt)) {
        uint32_t r = sim_fault_next(f);
        buf[r % len] ^= (uint8_t)(1u + (r >> 8) % 255u); /* never 0: the byte changes */
    }
    return len;
}
