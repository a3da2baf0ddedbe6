#!/usr/bin/env python3
"""Measures dfuhost against the wire limit.

Programs images of several sizes through the real CLI into dfu-sim over a pty, with
dfu-sim pacing both directions at --baud, and reports per run: payload bytes, bytes on
the wire each way, packets, wire efficiency (payload / all wire bytes), wall time, the
line-rate minimum of the packet plan used (wire bytes x 10 / baud + flash time), and the
ratio of wall time to that minimum. Each image also runs through the published .mtbdfu
template (32 x 16-byte Send Data, then Program Data, per row) via `dfuhost run`, so the two
plans are compared in the same run. Every run checks the simulator's flash afterwards.

Two plans compare runs of one image within the same bench run (--line-plans):
  faulty line: a 40-row image on a clean line, then on dfu-sim --fault
    drop=0.01,corrupt=0.01,silence=0.01 over several seeds: the time ratio faulty / clean,
    with the default settings and with the old ones (--packet-size 64 --fixed-timeout);
    and against dfu-sim --turnaround-us 200000 (a slow, healthy device: no recovery allowed);
  auto packet: the default (--packet-size auto) against a responder that takes whole rows
    and against dfu-sim --max-packet 64, beside --packet-size 64 on the same responder
    (--repeat pairs of the last two, the median difference as the fallback's cost, and
    from dfu-sim's trace where that time goes).

    python3 bench/dfu_bench.py --build build --baud 115200 --sizes 64K,256K,1M --json out.json
    python3 bench/dfu_bench.py --build build --baud 115200 --line-plans --seeds 1,2,3,4,5
"""
import argparse
import json
import os
import pathlib
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
import make_samples  # noqa: E402  (the sample generator's CRC-32C and Intel HEX writer)
from make_samples import BASE, crc32c  # noqa: E402
FLASH_SIZE = 0x200000  # room for 1 MiB images and the metadata row


def write_hex(path, data):
    make_samples.write_hex(path, data, per_record=32)


def signed_image(size, seed):
    rng = random.Random(seed)
    body = bytes(rng.getrandbits(8) for _ in range(size - 4))
    return body + struct.pack("<I", crc32c(body))


class Sim:
    def __init__(self, build, work, args):
        self.flash = work / "flash.bin"
        self.trace = work / "trace.txt"
        for f in (self.flash, self.trace):
            if f.exists():
                f.unlink()
        self.proc = subprocess.Popen([str(build / "dfu-sim"), "--pty", "--flash", str(self.flash),
                                      "--flash-size", hex(FLASH_SIZE), "--trace", str(self.trace)] + args,
                                     stdout=subprocess.PIPE, text=True)
        self.pty = self.proc.stdout.readline().strip()

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def run_json(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0 or not lines:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    return lines[-1], wall


def measure(label, plan, payload, result, wall, args, rows, flash_writes):
    sent = result["wire"]["bytes_sent"]
    received = result["wire"]["bytes_received"]
    packets = result.get("packets_sent", result["wire"].get("commands"))
    flash_s = flash_writes * args.flash_write_us / 1e6
    minimum = (sent + received) * 10 / args.baud + flash_s
    return {
        "run": label, "plan": plan, "payload_bytes": payload, "bytes_to_device": sent,
        "bytes_from_device": received, "packets": packets, "packets_per_row": round(packets / rows, 2),
        "wire_efficiency": round(payload / (sent + received), 4),
        "wall_s": round(wall, 3), "dfuhost_elapsed_s": round(result["elapsed_s"], 3),
        "line_minimum_s": round(minimum, 3), "ratio": round(result["elapsed_s"] / minimum, 4),
        "rate_kib_s": round(payload / result["elapsed_s"] / 1024, 1),
    }


FAULTS = "drop=0.01,corrupt=0.01,silence=0.01"


def program_once(build, work, args, hexfile, expected, sim_args, extra, trace=None):
    """One `dfuhost program` into a fresh dfu-sim; exits unless the flash holds the image.
    With `trace` (a list), dfu-sim's trace lines are appended to it as (seconds, kind, hex)."""
    sim = Sim(build, work, ["--baud", str(args.baud)] + sim_args)
    try:
        cmd = [str(build / "dfuhost"), "program", str(hexfile), "--uart", sim.pty, "--baud", str(args.baud),
               "--product-id", "01020304", "--json"] + extra
        result, _ = run_json(cmd)
    finally:
        sim.close()
    if sim.flash.read_bytes()[:len(expected)] != expected:
        sys.exit(f"{' '.join(sim_args + extra)}: the simulator's flash does not hold the image")
    if trace is not None:
        for line in sim.trace.read_text().splitlines():
            at, kind, data = line.split()
            trace.append((float(at), kind, data))
    return result


def fallback_breakdown(trace, baud):
    """Where the fallback's time goes, from dfu-sim's trace of an auto run against --max-packet 64:
    the whole-row Program Data from its first byte to the device's 0x03, the rest of it on the
    line (and any answer to it), the host's wait before Enter DFU again, and Enter + Sync up to
    the first 64-byte Send Data's first byte. Times in ms; a packet's first byte is its last
    (the trace's time) minus its line time."""
    char = 10 / baud

    def first(pred, start=0):
        return next(i for i in range(start, len(trace)) if pred(trace[i]))

    cut = first(lambda t: t[1] == "rx" and t[2].startswith("0149"))
    answer = first(lambda t: t[1] == "tx" and t[2].startswith("0103"), cut)
    enter = first(lambda t: t[1] == "rx" and t[2].startswith("0138"), answer)
    send = first(lambda t: t[1] == "rx" and t[2].startswith("0137"), enter)
    start = trace[cut][0] - len(trace[cut][2]) / 2 * char
    line_clear = start + 527 * char
    enter_start = trace[enter][0] - len(trace[enter][2]) / 2 * char
    send_start = trace[send][0] - len(trace[send][2]) / 2 * char
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    return {"to_first_answer_ms": ms(trace[answer][0] - start),
            "rest_of_packet_on_line_ms": ms(line_clear - trace[answer][0]),
            "wait_before_enter_ms": ms(enter_start - line_clear),
            "enter_and_sync_ms": ms(send_start - enter_start),
            "total_ms": ms(send_start - start),
            "rest_answered": any(t[1] == "tx" for t in trace[answer + 1:enter])}


def line_plans(build, work, args):
    """The faulty-line and auto-packet plans: ratios between runs of one 40-row image."""
    rows = 40
    image = signed_image(rows * 512, 40)
    hexfile = work / "forty.hex"
    write_hex(hexfile, image)
    out = {"faulty_line": [], "slow_device": None, "auto_packet": []}
    seeds = [int(x) for x in args.seeds.split(",")]
    for label, extra, max_packet in (("default (auto packets, learned timeouts)", [], 527),
                                     ("old defaults (--packet-size 64 --fixed-timeout)",
                                      ["--packet-size", "64", "--fixed-timeout"], 64)):
        clean = program_once(build, work, args, hexfile, image, ["--max-packet", str(max_packet)], extra)
        for seed in seeds:
            faulty = program_once(build, work, args, hexfile, image,
                                  ["--max-packet", str(max_packet), "--fault", f"{FAULTS},seed={seed}"], extra)
            r = {"settings": label, "seed": seed, "clean_s": round(clean["elapsed_s"], 3),
                 "faulty_s": round(faulty["elapsed_s"], 3), "recoveries": faulty["recoveries"],
                 "ratio": round(faulty["elapsed_s"] / clean["elapsed_s"], 3)}
            out["faulty_line"].append(r)
            print(f"faulty line  {label:<48} seed {seed:>2}: clean {r['clean_s']:>6.3f} s  faulty "
                  f"{r['faulty_s']:>6.3f} s  ({r['recoveries']:>2} recoveries)  x{r['ratio']:.2f}", flush=True)
    slow = program_once(build, work, args, hexfile, image, ["--max-packet", "527", "--turnaround-us", "200000"], [])
    out["slow_device"] = {"elapsed_s": round(slow["elapsed_s"], 3), "recoveries": slow["recoveries"]}
    print(f"slow device  --turnaround-us 200000: {slow['elapsed_s']:.3f} s, {slow['recoveries']} recoveries",
          flush=True)
    differences, row_times = [], []
    plans = [("auto, device takes whole rows", [], 527)]
    for _ in range(args.repeat):  # the two 64-byte runs alternate, so load changes hit both alike
        plans += [("auto, dfu-sim --max-packet 64", [], 64),
                  ("--packet-size 64, dfu-sim --max-packet 64", ["--packet-size", "64"], 64)]
    trace = []
    for label, extra, max_packet in plans:
        first_fallback = label.startswith("auto, dfu-sim") and not trace
        r = program_once(build, work, args, hexfile, image, ["--max-packet", str(max_packet)], extra,
                         trace if first_fallback else None)
        sent, received = r["wire"]["bytes_sent"], r["wire"]["bytes_received"]
        row = {"run": label, "packet_size": r["packet_size"], "elapsed_s": round(r["elapsed_s"], 3),
               "packets_per_row": round(r["wire"]["commands"] / rows, 2),
               "wire_efficiency": round(len(image) / (sent + received), 4), "recoveries": r["recoveries"]}
        out["auto_packet"].append(row)
        print(f"auto packet  {label:<44} {row['packet_size']:>4}-byte packets  {row['packets_per_row']:>5}/row  eff "
              f"{row['wire_efficiency']:.3f}  {row['elapsed_s']:>6.3f} s", flush=True)
        if label.startswith("--packet-size 64"):
            differences.append(out["auto_packet"][-2]["elapsed_s"] - r["elapsed_s"])
            row_times.append(r["elapsed_s"] / rows)
    extra, row_time = sorted(differences)[len(differences) // 2], sorted(row_times)[len(row_times) // 2]
    out["auto_fallback_extra_rows"] = round(extra / row_time, 2)
    out["auto_fallback_extra_ms"] = [round(d * 1000) for d in differences]
    out["auto_fallback_breakdown"] = fallback_breakdown(trace, args.baud)
    print(f"auto packet  fallback cost against --max-packet 64 (median of {len(differences)}: "
          f"{', '.join(str(d) for d in out['auto_fallback_extra_ms'])} ms): {extra * 1000:.0f} ms = "
          f"{extra / row_time:.2f} row times of {row_time * 1000:.0f} ms", flush=True)
    print(f"auto packet  fallback from dfu-sim's trace: {out['auto_fallback_breakdown']}", flush=True)
    return out


def best_of(n, cmd):
    best = float("inf")
    for _ in range(n):
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.monotonic() - t0)
    return best


def host_cpu(build, work):
    """Parsing and planning a 16 MiB Intel HEX beside objcopy, and start-up time."""
    big = work / "big.hex"
    rng = random.Random(16)
    data = bytes(rng.getrandbits(8) for _ in range(7 * 1024 * 1024))
    write_hex(big, data)
    while big.stat().st_size < 16 * 1024 * 1024:  # top up to 16 MiB of text
        data += bytes(rng.getrandbits(8) for _ in range(256 * 1024))
        write_hex(big, data)
    return {
        "hex_file_bytes": big.stat().st_size,
        "dfuhost_inspect_s": round(best_of(5, [str(build / "dfuhost"), "inspect", str(big), "--json"]), 4),
        "objcopy_s": round(best_of(5, ["objcopy", "-I", "ihex", "-O", "binary", str(big), str(work / "big.bin")]), 4),
        "version_s": round(best_of(20, [str(build / "dfuhost"), "--version"]), 4),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build folder with dfuhost and dfu-sim")
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--sizes", default="64K,256K,1M")
    ap.add_argument("--packet-size", type=int, default=64)
    ap.add_argument("--flash-write-us", type=int, default=0, help="dfu-sim time to write a row")
    ap.add_argument("--no-template", action="store_true", help="skip the published .mtbdfu template runs")
    ap.add_argument("--quick", action="store_true", help="only the default plan and the template; no CPU timings")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--line-plans", action="store_true",
                    help="only the faulty-line and auto-packet plans (40-row image)")
    ap.add_argument("--seeds", default="1,2,3,4,5", help="dfu-sim --fault seeds for the faulty-line plan")
    ap.add_argument("--repeat", type=int, default=3,
                    help="pairs of --max-packet 64 runs (auto, then --packet-size 64) for the fallback's cost")
    args = ap.parse_args()
    build = (ROOT / args.build) if not os.path.isabs(args.build) else pathlib.Path(args.build)
    sim_args = ["--baud", str(args.baud)]
    cpu = None
    if args.flash_write_us:
        sim_args += ["--flash-write-us", str(args.flash_write_us)]
    results = []
    work = pathlib.Path(tempfile.mkdtemp(prefix="dfu-bench-"))
    if args.line_plans:
        try:
            plans = line_plans(build, work, args)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if args.json:
            pathlib.Path(args.json).write_text(json.dumps({"baud": args.baud, **plans}, indent=2))
        return
    try:
        for size_text in args.sizes.split(","):
            size = int(size_text[:-1]) * (1024 if size_text[-1] in "kK" else 1024 * 1024) \
                if size_text[-1] in "kKM" else int(size_text)
            image = signed_image(size, size)
            hexfile = work / "blinky_cm4_crc.hex"
            write_hex(hexfile, image)
            rows = (size + 511) // 512
            expected = image + bytes(-len(image) % 512)
            whole = 512 + 8 + 7
            runs = [("auto", "--packet-size auto (default): whole rows", None, [], whole),
                    ("program", f"{args.packet_size}-byte packets", None, ["--packet-size", str(args.packet_size)], 64)]
            if not args.quick:
                runs.append(("whole-row", f"{whole}-byte packets: one Program Data per row", None,
                             ["--packet-size", str(whole)], whole))
                runs.append(("0x47", "64-byte packets, Send Data Without Response + quiet gap", None,
                             ["--packet-size", "64", "--send-data-no-response"], 64))
            if not args.no_template:
                shutil.copy(ROOT / "samples/mtbdfu/program-basic.mtbdfu", work / "template.mtbdfu")
                runs.append(("template", "32 x 16 B Send Data + Program Data (published .mtbdfu)",
                             work / "template.mtbdfu", [], 64))
            for kind, plan, doc, extra, max_packet in runs:
                sim = Sim(build, work, sim_args + ["--max-packet", str(max_packet)])
                try:
                    if doc is None:
                        cmd = [str(build / "dfuhost"), "program", str(hexfile), "--uart", sim.pty, "--baud",
                               str(args.baud), "--product-id", "01020304", "--json"] + extra
                        flash_writes = rows + 1  # + the metadata row
                    else:
                        cmd = [str(build / "dfuhost"), "run", str(doc), "--uart", sim.pty, "--baud", str(args.baud),
                               "--json"]
                        flash_writes = rows
                    result, wall = run_json(cmd)
                finally:
                    sim.close()
                flash = sim.flash.read_bytes()
                if flash[:len(expected)] != expected:
                    sys.exit(f"{kind} {size_text}: the simulator's flash does not hold the image")
                results.append(measure(f"{kind} {size_text}", plan, size, result, wall, args, rows, flash_writes))
                r = results[-1]
                print(f"{r['run']:>15}  {r['payload_bytes']:>8} B  to {r['bytes_to_device']:>8} B  from "
                      f"{r['bytes_from_device']:>7} B  {r['packets']:>6} pkts ({r['packets_per_row']:>5}/row)  "
                      f"eff {r['wire_efficiency']:.3f}  {r['dfuhost_elapsed_s']:>8.3f} s  min {r['line_minimum_s']:>8.3f} s"
                      f"  x{r['ratio']:.3f}  {r['rate_kib_s']:>6} KiB/s", flush=True)
        if not args.quick:
            cpu = host_cpu(build, work)
            print(f"16 MiB Intel HEX: dfuhost inspect (parse + rows + CRC) best {cpu['dfuhost_inspect_s']:.3f} s, "
                  f"objcopy -I ihex -O binary best {cpu['objcopy_s']:.3f} s; dfuhost --version best "
                  f"{cpu['version_s'] * 1000:.1f} ms", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"baud": args.baud, "packet_size": args.packet_size,
                                                       "flash_write_us": args.flash_write_us, "runs": results,
                                                       "host_cpu": cpu}, indent=2))


if __name__ == "__main__":
    main()
