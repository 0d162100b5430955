#!/usr/bin/env python3
"""Runs every benchmark side by side and writes BENCHMARKS.md.

    Benchmarks/run.sh            (builds swsl-convert in release mode, then runs this with the venv)

1. makes the full-size random-weight checkpoints (Benchmarks/make_models.py) in $BENCH_DIR (/tmp/swsl-bench);
2. conversion: `swsl-convert IN OUT` against the same pipeline in Python with PyTorch
   (Benchmarks/pytorch_pipeline.py), whole processes, wall time and peak RSS (/usr/bin/time);
3. opening a .swm (map + validate, CRCs off);
4. inference: `swsl-convert bench` (int8 and fp32 .swm) against onnxruntime fp32 / int8 QDQ and PyTorch eager
   (Benchmarks/peers.py), batch 1 and 8, 1 and 2 threads.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".build" / "release" / "swsl-convert"
BENCH = Path(os.environ.get("BENCH_DIR", "/tmp/swsl-bench"))
PY = sys.executable


def timed_process(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KB and stdout of one whole process."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    rss = int(out.stderr.strip().splitlines()[-1])
    return wall, rss, out.stdout


def median_runs(cmd: list[str], runs: int) -> dict:
    results = [timed_process(cmd) for _ in range(runs)]
    walls = [r[0] for r in results]
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "peak_rss_mb": max(r[1] for r in results) / 1024}


def cpu_line() -> str:
    info = Path("/proc/cpuinfo").read_text().splitlines()
    field = lambda key: next((l.split(":", 1)[1].strip() for l in info if l.split(":", 1)[0].strip() == key), "?")
    flags = set(field("flags").split())
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile") if f in flags]
    name = field("model name")
    if name != "?":
        # The kernels the executor picks follow these flags (SWSL_KERNELS=avx2 forces the AVX2 path).
        return (f"{name} (family {field('cpu family')}, model {field('model')}; {' '.join(isa) or 'no AVX2'}), "
                f"{os.cpu_count()} cores, {platform.system()} {platform.release()}")
    return platform.processor()


def bench(model: Path, batch: int, threads: int, iterations: int, *extra: str) -> dict:
    out = subprocess.run([str(BIN), "bench", str(model), "--batch", str(batch), "--threads", str(threads),
                          "--iterations", str(iterations), "--json", *extra], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    subprocess.run([PY, str(ROOT / "Benchmarks" / "make_models.py"), str(BENCH)], check=True)
    lines = ["# Benchmarks", "",
             f"Machine: {cpu_line()}. Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
             "`Benchmarks/run.sh` (full-size torchvision models with random weights; timing only).", ""]

    # Conversion.
    lines += ["## Conversion: `swsl-convert IN OUT` vs the PyTorch pipeline", "",
              "Whole processes, same file, same run. PyTorch: `python Benchmarks/pytorch_pipeline.py IN OUT` "
              "(load, fold BatchNorm, per-channel int8, write). swsl-convert, the same job: `swsl-convert IN OUT --calibrate none` "
              "(int8 default). Last columns: the default conversion, which also calibrates activations on 4 synthetic images.", "",
              "| checkpoint | size MB | PyTorch s | swsl-convert s (min–max) | speed-up | peak RSS PyTorch MB | peak RSS swsl MB | RSS / file | default (calibrated) s | its peak RSS MB |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for name in ["resnet18.legacy.pth", "resnet50.zip.pth", "resnet50.legacy.pth", "resnext50_32x4d.zip.pth",
                 "resnext101_32x8d.zip.pth", "resnext101_32x16d.legacy.pth"]:
        src = BENCH / name
        size = src.stat().st_size / 1e6
        peer = median_runs([PY, str(ROOT / "Benchmarks" / "pytorch_pipeline.py"), str(src), str(BENCH / "peer.bin")], 2)
        ours = median_runs([str(BIN), str(src), str(BENCH / f"{src.stem}.int8.swm"), "--calibrate", "none"], 5)
        calibrated = median_runs([str(BIN), str(src), str(BENCH / f"{src.stem}.int8.swm")], 3)
        lines.append(f"| {name} | {size:.1f} | {peer['median_s']:.3f} | {ours['median_s']:.3f} "
                     f"({ours['min_s']:.3f}–{ours['max_s']:.3f}) | {peer['median_s'] / ours['median_s']:.1f}× | "
                     f"{peer['peak_rss_mb']:.0f} | {ours['peak_rss_mb']:.0f} | {ours['peak_rss_mb'] / size:.2f} | "
                     f"{calibrated['median_s']:.3f} | {calibrated['peak_rss_mb']:.0f} |")
        print(lines[-1], flush=True)
    subprocess.run([str(BIN), str(BENCH / "resnet50.zip.pth"), str(BENCH / "resnet50.fp32.swm"), "--precision", "fp32"],
                   check=True, capture_output=True)

    # Opening.
    opens = [bench(BENCH / "resnet50.zip.int8.swm", 1, 1, 1)["validate_ms"] for _ in range(5)]
    lines += ["", "## Opening a .swm", "",
              f"`swsl-convert bench resnet50.int8.swm --json` → `validate_ms` (map + validate every rule, CRCs off): "
              f"median {statistics.median(opens):.2f} ms over 5 runs (min {min(opens):.2f}, max {max(opens):.2f}).", ""]

    # Inference.
    peers = [json.loads(l) for l in subprocess.run([PY, str(ROOT / "Benchmarks" / "peers.py"), str(BENCH)],
                                                    capture_output=True, text=True, check=True).stdout.splitlines()]
    lines += ["## Inference, ResNet-50, 224×224", "",
              "`swsl-convert bench MODEL --batch B --threads T --iterations K --json` vs onnxruntime 1.32 "
              "(fp32 export, and its static int8 QDQ model: per-channel weights, 16 calibration inputs) and PyTorch eager. "
              "Medians after 3 warm-up runs; min–max in brackets.", "",
              "| engine | precision | batch | threads | median ms (min–max) | ratio to onnxruntime same precision |", "|---|---|---|---|---|---|"]
    def peer_ms(label, threads, batch):
        return next((p["median_ms"] for p in peers if p["peer"] == label and p["threads"] == threads and p["batch"] == batch), None)
    for batch in (1, 8):
        for threads in (1, 2):
            for swm, label, peer_label, extra in [
                    ("resnet50.zip.int8.swm", "int8", "onnxruntime int8 QDQ", ()),
                    ("resnet50.zip.int8.swm", "int8 integer, calibrated", "onnxruntime int8 QDQ", ("--int8", "integer")),
                    ("resnet50.zip.int8.swm", "int8 integer, dynamic", "onnxruntime int8 QDQ",
                     ("--int8", "integer", "--activations", "dynamic")),
                    ("resnet50.fp32.swm", "fp32", "onnxruntime fp32", ())]:
                r = bench(BENCH / swm, batch, threads, 20 if batch == 1 else 6, *extra)
                ort = peer_ms(peer_label, threads, batch)
                lines.append(f"| swsl-convert | {label} | {batch} | {threads} | {r['median_ms']:.1f} ({r['min_ms']:.1f}–{r['max_ms']:.1f}) | "
                             f"{r['median_ms'] / ort:.2f}× |" if ort else "")
                print(lines[-1], flush=True)
    for p in peers:
        lines.append(f"| {p['peer']} | | {p['batch']} | {p['threads']} | {p['median_ms']:.1f} ({p['min_ms']:.1f}–{p['max_ms']:.1f}) | |")

    # Scaling and grouped convolutions.
    lines += ["", "## Cost against model size (int8 .swm, batch 1, 2 threads)", "",
              "| model | GMAC | median ms | GFLOP/s |", "|---|---|---|---|"]
    for name in ["resnet18.legacy", "resnet50.zip", "resnext50_32x4d.zip", "resnext101_32x8d.zip"]:
        swm = BENCH / f"{name}.int8.swm"
        r = bench(swm, 1, 2, 10)
        gmac = r["gflops"] * r["median_ms"] / 1000 / 2
        lines.append(f"| {name.split('.')[0]} | {gmac:.2f} | {r['median_ms']:.1f} | {r['gflops']:.1f} |")
        print(lines[-1], flush=True)
    lines += ["", "Grouped convolutions: compare the GFLOP/s of the ResNeXt rows with ResNet-50's "
              "(the target is ResNeXt time within 1.5× of a dense model of the same FLOPs, i.e. ≥ 0.67× its GFLOP/s).", ""]
    notes = (ROOT / "Benchmarks" / "notes.md").read_text()
    (ROOT / "BENCHMARKS.md").write_text("\n".join(l for l in lines if l is not None) + "\n\n" + notes)
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
