#!/usr/bin/env python3
"""Measures what driving several boards at once costs: the same image programmed into one
dfu-sim, then into N dfu-sims by one dfuhost (`--uart` given N times), every simulator pacing
both directions at --baud. Reports both wall times and their ratio (goal: at most 1.1 for 8
boards at 115200 baud), and checks every simulator's flash afterwards.

    python3 bench/many_boards.py --build build --boards 8 --baud 115200 --size 64K
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from dfu_bench import ROOT, Sim, signed_image, write_hex


def program(build, hexfile, sims, baud):
    cmd = [str(build / "dfuhost"), "program", str(hexfile), "--baud", str(baud), "--product-id", "01020304", "-q"]
    for sim in sims:
        cmd += ["--uart", sim.pty]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    return wall


def run(build, work, boards, baud, image):
    hexfile = work / "app.hex"
    write_hex(hexfile, image)
    expected = image + bytes(-len(image) % 512)
    sims = []
    try:
        for i in range(boards):
            folder = work / f"board{i}"
            folder.mkdir()
            sims.append(Sim(build, folder, ["--baud", str(baud)]))
        wall = program(build, hexfile, sims, baud)
    finally:
        for sim in sims:
            sim.close()
    for i, sim in enumerate(sims):
        if sim.flash.read_bytes()[:len(expected)] != expected:
            sys.exit(f"board {i} of {boards}: the simulator's flash does not hold the image")
    return wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build folder with dfuhost and dfu-sim")
    ap.add_argument("--boards", type=int, default=8)
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--size", default="64K", help="image size: N, NK or NM")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    build = (ROOT / args.build) if not os.path.isabs(args.build) else pathlib.Path(args.build)
    text = args.size
    size = int(text[:-1]) * (1024 if text[-1] in "kK" else 1024 * 1024) if text[-1] in "kKM" else int(text)
    image = signed_image(size, size)
    one, many = [], []
    for _ in range(args.repeat):
        for count, times in ((1, one), (args.boards, many)):
            work = pathlib.Path(tempfile.mkdtemp(prefix="dfu-many-"))
            try:
                times.append(run(build, work, count, args.baud, image))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    result = {"boards": args.boards, "baud": args.baud, "image_bytes": size, "one_board_s": round(min(one), 3),
              "all_boards_s": round(min(many), 3), "ratio": round(min(many) / min(one), 3),
              "one_board_runs_s": [round(t, 3) for t in one], "all_boards_runs_s": [round(t, 3) for t in many]}
    print(f"{size} B at {args.baud} baud: 1 board {result['one_board_s']:.3f} s, {args.boards} boards at once "
          f"{result['all_boards_s']:.3f} s, ratio {result['ratio']:.3f} (best of {args.repeat})")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
