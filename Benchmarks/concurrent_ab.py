#!/usr/bin/env python3
"""Two builds of swsl-convert timed at the same moment, one per core: on a VM whose speed swings by the minute,
alternating runs disagree by more than a few percent, but two single-thread runs started together see the same
machine. Each round runs OLD on one core and NEW on the other (`taskset`), cores swapped every round, and takes
NEW / OLD of `bench`'s own median; per-stage ratios come from `--layers` (summed per stage).

    python3 Benchmarks/concurrent_ab.py OLD_BINARY NEW_BINARY MODEL.swm [--rounds 8] [-- BENCH ARGS...]

Prints the median ratio (min–max) for the whole model and per stage. Run with the same binary twice to see the
two cores' own spread.
"""
import argparse
import json
import statistics
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument("old")
parser.add_argument("new")
parser.add_argument("model")
parser.add_argument("--rounds", type=int, default=8)
parser.add_argument("extra", nargs="*", help="more `bench` arguments, after --")
args = parser.parse_args()


def stage(step: str) -> str:
    return step.split(".")[0] if step.startswith("stage") else "stem, pools and fc"


def start(binary: str, core: int) -> subprocess.Popen:
    return subprocess.Popen(["taskset", "-c", str(core), binary, "bench", args.model, "--threads", "1",
                             "--iterations", "10", "--layers", "--json", *args.extra], stdout=subprocess.PIPE, text=True)


def per_stage(report: dict) -> dict:
    sums = {}
    for layer in report["layers"]:
        sums[stage(layer["step"])] = sums.get(stage(layer["step"]), 0) + layer["mean_ms"]
    return sums


whole, stages = [], {}
for r in range(args.rounds):
    old, new = start(args.old, r % 2), start(args.new, 1 - r % 2)
    a, b = json.loads(old.communicate()[0]), json.loads(new.communicate()[0])
    whole.append(b["median_ms"] / a["median_ms"])
    sa, sb = per_stage(a), per_stage(b)
    for key in sa:
        stages.setdefault(key, []).append(sb[key] / sa[key])
    print(f"round {r + 1}: old {a['median_ms']:.1f} ms, new {b['median_ms']:.1f} ms, new/old {whole[-1]:.3f}", flush=True)
show = lambda v: f"{statistics.median(v):.3f} ({min(v):.3f}–{max(v):.3f})"
print(f"whole model, new/old: {show(whole)}")
for key, values in stages.items():
    print(f"  {key}: {show(values)}")
