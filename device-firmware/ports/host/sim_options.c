/* sim_options.c - dfu-sim's command line: parsing, validation, usage. */
#define _XOPEN_SOURCE 700

#include "sim_options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sim_options_usage(FILE* f) {
    fputs(
        "usage: dfu-sim [options]\n"
        "Simulated DFU device on a pseudo-terminal; answers until SIGTERM/SIGINT.\n"
        "The pty slave path is printed as the first line of stdout.\n"
        "\n"
        "  --preset NAME          default, or middleware: the layout of Infineon's DFU middleware\n"
        "                         templates (see docs/protocol.md); later options change it\n"
        "  --pty                  serve on a new pty (implied)\n"
        "  --link PATH            also make PATH a symlink to the pty (removed on exit)\n"
        "  --flash FILE           flash image file: --flash-size bytes from --flash-base, then the\n"
        "                         EEPROM window; created fresh (erased, plus the preset's metadata)\n"
        "                         when missing or empty; persists across runs. Without it the flash\n"
        "                         is fresh on every start\n"
        "  --flash-base ADDR      flash start address (0x10000000)\n"
        "  --flash-size N         flash size in bytes, k/M suffixes allowed (1M)\n"
        "  --row-size N           flash row size (512)\n"
        "  --erased HEX           value of an erased byte (00)\n"
        "  --metadata-addr ADDR   address of the metadata row (the last row)\n"
        "  --metadata-writable    Program/Erase Data may write the metadata row (refused: 0x0A)\n"
        "  --max-apps N           applications in the metadata row (as many as fit)\n"
        "  --protect ADDR+SIZE    rows the loader refuses to write (0x0A); up to 2 times\n"
        "  --eeprom ADDR+SIZE     a writable EEPROM window outside the flash (none)\n"
        "  --product-id HEX       product ID expected by Enter DFU (01020304)\n"
        "  --silicon-id HEX       silicon ID reported by Enter DFU (0)\n"
        "  --silicon-rev HEX      silicon revision reported by Enter DFU (0)\n"
        "  --checksum sum|crc16   packet checksum type (sum)\n"
        "  --max-packet N         largest packet accepted, 7 framing bytes included (64)\n"
        "  --framing length|gap   cut packets by their length field or by a 1 ms gap (length;\n"
        "                         gap with --preset middleware)\n"
        "  --split-oversize       length framing: the rest of a packet cut at --max-packet is a\n"
        "                         packet of its own (answered 0x04), as the middleware answers;\n"
        "                         without it the rest is skipped\n"
        "  --baud N               receive and send as over an N baud 8N1 line (0 = no pacing)\n"
        "  --turnaround-us T      response starts T us after the request's last byte (0)\n"
        "  --flash-write-us T     plus T us per row programmed or erased (0)\n"
        "  --fault SPEC           drop=P,corrupt=P,silence=P,lose=P,reset=P,delay=MS,seed=N\n"
        "  --transport uart       the only transport a pty can model\n"
        "  --no-eiv               Set EI Vector is compiled out (answers 0x05)\n"
        "  --error-holdoff MS     input discarded after an error while updating (20)\n"
        "  --idle-timeout MS      no command for this long while updating -> NONE (5000; 0 = never)\n"
        "  --trace FILE           one line per packet/stray run: <seconds> <rx|tx|rx-stray|rx-flushed> <hex>\n"
        "  -h, --help             this text\n"
        "ADDR and N: decimal or 0x-hex. HEX: hexadecimal, 0x prefix optional.\n"
        "Exit status: 0 after SIGTERM/SIGINT, 1 setup failure (pty, flash file, trace), 2 bad options.\n",
        f);
}

/* Decimal, or hexadecimal with a 0x prefix; hex_only: hexadecimal with optional 0x. */
static int parse_number(const char* s, int hex_only, int allow_suffix, uint64_t max, uint64_t* out) {
    int base = hex_only ? 16 : 10;
    unsigned long long v;
    char* end;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)s[0])) {
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno != 0 || v > max) {
        return -1;
    }
    if (allow_suffix && (*end == 'k' || *end == 'K') && end[1] == '\0') {
        v *= 1024u;
        ++end;
    } else if (allow_suffix && *end == 'M' && end[1] == '\0') {
        v *= 1024u * 1024u;
        ++end;
    }
    if (*end != '\0' || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static const char* init_error(int code) {
    switch (code) {
        case -2:
            return "bad checksum type";
        case -3:
            return "--row-size must be a multiple of 4 between 16 and 4096";
        case -4:
            return "--flash-size must be a non-zero multiple of --row-size, and the flash must end by 4 GiB";
        case -5:
            return "--metadata-addr must be the start of a row inside the flash";
        case -6:
            return "--max-packet must be between 15 and --row-size + 23";
        case -7:
            return "--max-apps: the entries must end before the metadata row's CRC ((row size - 4) / 8 at most)";
        case -8:
            return "--eeprom must be whole rows, end by 4 GiB and not overlap the flash";
        default:
            return "bad configuration";
    }
}

static int dummy_read(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len) {
    (void)ctx, (void)addr, (void)dst, (void)len;
    return -1;
}

static int dummy_write(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len) {
    (void)ctx, (void)addr, (void)src, (void)len;
    return -1;
}

static int dummy_erase(void* ctx, uint32_t addr) {
    (void)ctx, (void)addr;
    return -1;
}

static int validate(const sim_options* o, FILE* err) {
    static dfu_responder probe; /* only to run dfu_init's checks */
    dfu_flash_port port = {NULL, dummy_read, dummy_write, dummy_erase};
    int rc = dfu_init(&probe, &o->dfu, &port);
    if (rc != 0) {
        fprintf(err, "dfu-sim: %s\n", init_error(rc));
        return -1;
    }
    return 0;
}

enum { T_FLAG, T_STR, T_NUM, T_HEX };

/* "ADDR+SIZE", both decimal or 0x-hex (SIZE with k/M), inside 4 GiB. */
static int parse_region(const char* s, dfu_region* out) {
    char buf[64];
    const char* plus = strchr(s, '+');
    uint64_t start, size;
    if (plus == NULL || (size_t)(plus - s) >= sizeof buf) {
        return -1;
    }
    memcpy(buf, s, (size_t)(plus - s));
    buf[plus - s] = '\0';
    if (parse_number(buf, 0, 0, 0xFFFFFFFFu, &start) != 0 || parse_number(plus + 1, 0, 1, 0xFFFFFFFFu, &size) != 0 ||
        size == 0 || start + size > 0x100000000ull) {
        return -1;
    }
    out->start = (uint32_t)start;
    out->size = (uint32_t)size;
    return 0;
}

/* --preset is applied before every other option, wherever it stands. */
static int find_preset(int argc, char** argv, dfu_preset* preset, FILE* err) {
    int i;
    *preset = DFU_PRESET_DEFAULT;
    for (i = 1; i < argc; ++i) {
        const char* val = NULL;
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) {
            val = argv[++i];
        } else if (strncmp(argv[i], "--preset=", 9) == 0) {
            val = argv[i] + 9;
        } else {
            continue;
        }
        if (strcmp(val, "middleware") == 0) {
            *preset = DFU_PRESET_MIDDLEWARE;
        } else if (strcmp(val, "default") == 0) {
            *preset = DFU_PRESET_DEFAULT;
        } else {
            fprintf(err, "dfu-sim: --preset: '%s' is not default or middleware\n", val);
            return -1;
        }
    }
    return 0;
}

int sim_options_parse(sim_options* o, int argc, char** argv, FILE* out, FILE* err) {
    static const struct {
        const char* name;
        int type;
    } known[] = {
        {"--preset", T_STR},
        {"--metadata-writable", T_FLAG},
        {"--max-apps", T_NUM},
        {"--protect", T_STR},
        {"--eeprom", T_STR},
        {"--pty", T_FLAG},
        {"--link", T_STR},
        {"--flash", T_STR},
        {"--flash-base", T_NUM},
        {"--flash-size", T_NUM},
        {"--row-size", T_NUM},
        {"--erased", T_HEX},
        {"--metadata-addr", T_NUM},
        {"--product-id", T_HEX},
        {"--silicon-id", T_HEX},
        {"--silicon-rev", T_HEX},
        {"--checksum", T_STR},
        {"--max-packet", T_NUM},
        {"--framing", T_STR},
        {"--split-oversize", T_FLAG},
        {"--baud", T_NUM},
        {"--turnaround-us", T_NUM},
        {"--flash-write-us", T_NUM},
        {"--fault", T_STR},
        {"--transport", T_STR},
        {"--no-eiv", T_FLAG},
        {"--error-holdoff", T_NUM},
        {"--idle-timeout", T_NUM},
        {"--trace", T_STR},
        {"--help", T_FLAG},
        {"-h", T_FLAG},
    };
    int i, protects = 0;

    memset(o, 0, sizeof *o);
    if (find_preset(argc, argv, &o->preset, err) != 0) {
        return SIM_OPTIONS_ERROR;
    }
    dfu_preset_config(o->preset, &o->dfu);
    if (o->preset == DFU_PRESET_DEFAULT) {
        o->dfu.metadata_addr = DFU_METADATA_ADDR_LAST_ROW;
    }
    /* The middleware's UART transport ends a packet at an idle gap. */
    o->framing = o->preset == DFU_PRESET_MIDDLEWARE ? DFU_FRAMING_GAP : DFU_FRAMING_LENGTH;
    sim_fault_cfg_defaults(&o->fault);

    for (i = 1; i < argc; ++i) {
        const char *arg = argv[i], *val = NULL, *eq;
        size_t name_len, k;
        int type = -1;
        uint64_t num = 0;
        char msg[256];

        eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        for (k = 0; k < sizeof known / sizeof known[0]; ++k) {
            if (strlen(known[k].name) == name_len && strncmp(arg, known[k].name, name_len) == 0) {
                type = known[k].type;
                break;
            }
        }
        if (type < 0) {
            fprintf(err, "dfu-sim: unknown option '%s' (see --help)\n", arg);
            return SIM_OPTIONS_ERROR;
        }
        if (type == T_FLAG) {
            if (eq != NULL) {
                fprintf(err, "dfu-sim: %.*s takes no value\n", (int)name_len, arg);
                return SIM_OPTIONS_ERROR;
            }
        } else if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(err, "dfu-sim: %s needs a value\n", arg);
            return SIM_OPTIONS_ERROR;
        }
        if (type == T_NUM || type == T_HEX) {
            int suffix = strncmp(arg, "--flash-size", name_len) == 0;
            if (parse_number(val, type == T_HEX, suffix, 0xFFFFFFFFu, &num) != 0) {
                fprintf(err, "dfu-sim: %.*s: '%s' is not a %s\n", (int)name_len, arg, val,
                        type == T_HEX ? "hexadecimal number" : "number (decimal or 0x-hex) up to 2^32-1");
                return SIM_OPTIONS_ERROR;
            }
        }

#define IS(n) (strlen(n) == name_len && strncmp(arg, n, name_len) == 0)
        if (IS("--help") || IS("-h")) {
            sim_options_usage(out);
            return SIM_OPTIONS_HELP;
        } else if (IS("--pty") || IS("--preset")) {
            /* --pty: the only mode, implied; --preset: applied first (find_preset) */
        } else if (IS("--metadata-writable")) {
            o->dfu.protect_metadata_row = 0;
        } else if (IS("--max-apps")) {
            o->dfu.max_apps = (uint32_t)num;
        } else if (IS("--protect") || IS("--eeprom")) {
            dfu_region reg;
            if (parse_region(val, &reg) != 0) {
                fprintf(err, "dfu-sim: %.*s: '%s' is not ADDR+SIZE (a non-empty range inside 4 GiB)\n", (int)name_len,
                        arg, val);
                return SIM_OPTIONS_ERROR;
            }
            if (IS("--eeprom")) {
                o->dfu.eeprom = reg;
            } else if (protects == DFU_MAX_PROTECTED) {
                fprintf(err, "dfu-sim: --protect: at most %d regions\n", DFU_MAX_PROTECTED);
                return SIM_OPTIONS_ERROR;
            } else {
                if (protects == 0) { /* the first --protect replaces the preset's regions */
                    memset(o->dfu.protected_regions, 0, sizeof o->dfu.protected_regions);
                }
                o->dfu.protected_regions[protects++] = reg;
            }
        } else if (IS("--link")) {
            o->link = val;
        } else if (IS("--flash")) {
            o->flash_path = val;
        } else if (IS("--trace")) {
            o->trace_path = val;
        } else if (IS("--flash-base")) {
            o->dfu.flash_base = (uint32_t)num;
        } else if (IS("--flash-size")) {
            o->dfu.flash_size = (uint32_t)num;
        } else if (IS("--row-size")) {
            o->dfu.row_size = (uint32_t)num;
        } else if (IS("--metadata-addr")) {
            o->dfu.metadata_addr = (uint32_t)num;
        } else if (IS("--product-id")) {
            o->dfu.product_id = (uint32_t)num;
        } else if (IS("--silicon-id")) {
            o->dfu.silicon_id = (uint32_t)num;
        } else if (IS("--max-packet")) {
            o->dfu.max_packet = (uint32_t)num;
        } else if (IS("--baud")) {
            o->baud = (uint32_t)num;
        } else if (IS("--turnaround-us")) {
            o->turnaround_us = (uint32_t)num;
        } else if (IS("--flash-write-us")) {
            o->flash_write_us = (uint32_t)num;
        } else if (IS("--error-holdoff")) {
            o->dfu.error_holdoff_ms = (uint32_t)num;
        } else if (IS("--idle-timeout")) {
            o->dfu.idle_timeout_ms = (uint32_t)num;
        } else if (IS("--no-eiv")) {
            o->dfu.eiv_supported = 0;
        } else if (IS("--erased") || IS("--silicon-rev")) {
            if (num > 0xFFu) {
                fprintf(err, "dfu-sim: %.*s: '%s' does not fit in a byte\n", (int)name_len, arg, val);
                return SIM_OPTIONS_ERROR;
            }
            if (IS("--erased")) {
                o->erased = (uint8_t)num;
            } else {
                o->dfu.silicon_rev = (uint8_t)num;
            }
        } else if (IS("--checksum")) {
            if (strcmp(val, "sum") == 0) {
                o->dfu.checksum_type = DFU_CHECKSUM_SUM;
            } else if (strcmp(val, "crc16") == 0) {
                o->dfu.checksum_type = DFU_CHECKSUM_CRC16;
            } else {
                fprintf(err, "dfu-sim: --checksum: '%s' is not sum or crc16\n", val);
                return SIM_OPTIONS_ERROR;
            }
        } else if (IS("--split-oversize")) {
            o->split_oversize = 1;
        } else if (IS("--framing")) {
            if (strcmp(val, "length") == 0) {
                o->framing = DFU_FRAMING_LENGTH;
            } else if (strcmp(val, "gap") == 0) {
                o->framing = DFU_FRAMING_GAP;
            } else {
                fprintf(err, "dfu-sim: --framing: '%s' is not length or gap\n", val);
                return SIM_OPTIONS_ERROR;
            }
        } else if (IS("--transport")) {
            if (strcmp(val, "uart") != 0) {
                fprintf(err, "dfu-sim: --transport: '%s' cannot be served on a pty (only uart)\n", val);
                return SIM_OPTIONS_ERROR;
            }
        } else if (IS("--fault")) {
            if (sim_fault_parse(val, &o->fault, msg, sizeof msg) != 0) {
                fprintf(err, "dfu-sim: %s\n", msg);
                return SIM_OPTIONS_ERROR;
            }
        }
#undef IS
    }
    return validate(o, err) == 0 ? SIM_OPTIONS_OK : SIM_OPTIONS_ERROR;
}
