#!/usr/bin/env python3
"""Runs every benchmark side by side and writes BENCHMARKS.md.

    Benchmarks/run.sh            (builds swsl-convert in release mode, then runs this with the venv)

1. makes the full-size random-weight checkpoints (Benchmarks/make_models.py) in $BENCH_DIR (/tmp/swsl-bench);
2. conversion: `swsl-convert IN OUT` against the same pipeline in Python with PyTorch
   (Benchmarks/pytorch_pipeline.py), whole processes, wall time and peak RSS (/usr/bin/time);
3. opening a .swm (map + validate, CRCs off);
4. inference: `swsl-convert bench` (int8 and fp32 .swm) against onnxruntime fp32 / int8 QDQ, interleaved in
   rounds (each figure: the median of 3 rounds, each round the median of its runs), batch 1 and 8, 1 and 2
   threads; PyTorch eager from Benchmarks/peers.py;
5. GFLOP/s against model size, and the issue's targets, each marked met or with its ratio.
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


def bench(model: Path, batch: int, threads: int, iterations: int, *extra: str, env: dict | None = None) -> dict:
    out = subprocess.run([str(BIN), "bench", str(model), "--batch", str(batch), "--threads", str(threads),
                          "--iterations", str(iterations), "--json", *extra], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout)


class Onnxruntime:
    """onnxruntime sessions, made once, timed in rounds between swsl-convert's."""

    def __init__(self) -> None:
        import onnxruntime
        self.ort = onnxruntime
        self.sessions = {}
        self.version = onnxruntime.__version__

    def median_ms(self, model: str, threads: int, batch: int, iterations: int) -> float:
        import numpy as np
        key = (model, threads)
        if key not in self.sessions:
            options = self.ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self.sessions[key] = self.ort.InferenceSession(str(BENCH / model), options, providers=["CPUExecutionProvider"])
        session = self.sessions[key]
        x = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), dtype=np.float32)
        for _ in range(3):
            session.run(None, {"input": x})
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            session.run(None, {"input": x})
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)


def main() -> None:
    subprocess.run([PY, str(ROOT / "Benchmarks" / "make_models.py"), str(BENCH)], check=True)
    lines = ["# Benchmarks", "",
             f"Machine: {cpu_line()}. Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
             "`Benchmarks/run.sh` (full-size torchvision models with random weights; timing only).", ""]

    # Conversion.
    lines += ["## Conversion: `swsl-convert IN OUT` vs the PyTorch pipeline", "",
              "Whole processes, same file, same run. PyTorch: `python Benchmarks/pytorch_pipeline.py IN OUT` "
              "(load, fold BatchNorm, per-channel int8, write). swsl-convert: the default `swsl-convert IN OUT` "
              "(int8, no activation ranges stored: the same job). Last columns: `--calibrate synthetic`, which also runs "
              "the model on 4 synthetic images to store static ranges.", "",
              "| checkpoint | size MB | PyTorch s | swsl-convert s (min–max) | speed-up | peak RSS PyTorch MB | peak RSS swsl MB | RSS / file | `--calibrate synthetic` s | its peak RSS MB |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    conversion = {}
    for name in ["resnet18.legacy.pth", "resnet50.zip.pth", "resnet50.legacy.pth", "resnext50_32x4d.zip.pth",
                 "resnext101_32x8d.zip.pth", "resnext101_32x16d.legacy.pth"]:
        src = BENCH / name
        size = src.stat().st_size / 1e6
        peer = median_runs([PY, str(ROOT / "Benchmarks" / "pytorch_pipeline.py"), str(src), str(BENCH / "peer.bin")], 2)
        ours = median_runs([str(BIN), str(src), str(BENCH / f"{src.stem}.int8.swm")], 5)
        calibrated = median_runs([str(BIN), str(src), str(BENCH / f"{src.stem}.int8.calibrated.swm"),
                                  "--calibrate", "synthetic"], 3)
        conversion[name] = (peer["median_s"] / ours["median_s"], ours["peak_rss_mb"] / size)
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
    peers = [json.loads(l) for l in subprocess.run([PY, str(ROOT / "Benchmarks" / "peers.py")],
                                                    capture_output=True, text=True, check=True).stdout.splitlines()]
    onnx = Onnxruntime()
    lines += ["## Inference, ResNet-50, 224×224", "",
              f"`swsl-convert bench MODEL --batch B --threads T --iterations K --json` against onnxruntime {onnx.version} "
              "(fp32 export, and its static int8 QDQ model: per-channel weights, MinMax over 16 calibration inputs), "
              "timed in the same process loop: 3 rounds, each running swsl-convert then onnxruntime; a figure is the median "
              "of the 3 round medians (K = 20 runs at batch 1, 6 at batch 8, after 3 warm-up runs). "
              "The int8 files: `swsl-convert resnet50.pth OUT` (the default: no stored ranges, the integer path measures "
              "each input) and `--calibrate synthetic` (stored static ranges).", "",
              "| path | batch | threads | swsl-convert ms (rounds) | onnxruntime ms (rounds) | ratio |", "|---|---|---|---|---|---|"]
    configs = [
        ("int8 default (integer, ranges measured per input)", "resnet50.zip.int8.swm", (), {}, "resnet50.int8.onnx"),
        ("int8 integer, stored ranges (`--calibrate synthetic`)", "resnet50.zip.int8.calibrated.swm", (), {}, "resnet50.int8.onnx"),
        ("int8 default, AVX2 kernels forced (`SWSL_KERNELS=avx2`)", "resnet50.zip.int8.swm", (), {"SWSL_KERNELS": "avx2"},
         "resnet50.int8.onnx"),
        ("int8 `--int8 dequantized` (float arithmetic)", "resnet50.zip.int8.swm", ("--int8", "dequantized"), {}, "resnet50.int8.onnx"),
        ("fp32", "resnet50.fp32.swm", (), {}, "resnet50.onnx"),
    ]
    results = {}
    for batch in (1, 8):
        for threads in (1, 2):
            for label, swm, extra, env, peer in configs:
                iterations = 20 if batch == 1 else 6
                ours, theirs = [], []
                for _ in range(3):
                    ours.append(bench(BENCH / swm, batch, threads, iterations, *extra, env=env)["median_ms"])
                    theirs.append(onnx.median_ms(peer, threads, batch, iterations))
                a, b = statistics.median(ours), statistics.median(theirs)
                results[(label, batch, threads)] = (a, b)
                peer_name = "int8 QDQ" if "int8" in peer else "fp32"
                lines.append(f"| {label} | {batch} | {threads} | {a:.1f} ({', '.join(f'{x:.1f}' for x in ours)}) | "
                             f"{b:.1f} ({', '.join(f'{x:.1f}' for x in theirs)}) {peer_name} | {a / b:.2f}× |")
                print(lines[-1], flush=True)
    for p in peers:
        lines.append(f"| PyTorch eager fp32 | {p['batch']} | {p['threads']} | | {p['median_ms']:.1f} ({p['min_ms']:.1f}–{p['max_ms']:.1f}) | |")

    # Scaling and grouped convolutions.
    lines += ["", "## Cost against model size (int8 .swm, batch 1, 2 threads)", "",
              "| model | GMAC | median ms | GFLOP/s |", "|---|---|---|---|"]
    gflops = {}
    for name in ["resnet18.legacy", "resnet50.zip", "resnext50_32x4d.zip", "resnext101_32x8d.zip"]:
        swm = BENCH / f"{name}.int8.swm"
        rounds = [bench(swm, 1, 2, 10) for _ in range(3)]
        r = sorted(rounds, key=lambda x: x["median_ms"])[1]
        gmac = r["gflops"] * r["median_ms"] / 1000 / 2
        gflops[name.split(".")[0]] = r["gflops"]
        lines.append(f"| {name.split('.')[0]} | {gmac:.2f} | {r['median_ms']:.1f} | {r['gflops']:.1f} |")
        print(lines[-1], flush=True)
    lines += ["", "The median of 3 rounds of 10 runs each, the default int8 file (integer arithmetic).", ""]

    # Targets (issue 14), from the figures above.
    def mark(ok: bool) -> str:
        return "met" if ok else "not met"
    int8_2 = results[("int8 default (integer, ranges measured per input)", 1, 2)]
    fp32_2 = results[("fp32", 1, 2)]
    avx2_2 = results[("int8 default, AVX2 kernels forced (`SWSL_KERNELS=avx2`)", 1, 2)]
    rx = gflops["resnext101_32x8d"] / gflops["resnet50"]
    r50, r18 = conversion["resnet50.zip.pth"][0], conversion["resnet18.legacy.pth"][0]
    rss = max(v[1] for v in conversion.values())
    lines += ["## Targets (issue 14), this run", "",
              "| target | measured | status |", "|---|---|---|",
              f"| default int8 ≤ 1.0× onnxruntime int8 QDQ (ResNet-50, batch 1, 2 threads) | {int8_2[0] / int8_2[1]:.2f}× "
              f"({int8_2[0]:.1f} vs {int8_2[1]:.1f} ms) | {mark(int8_2[0] <= int8_2[1])} |",
              f"| stretch: ≤ 0.8× | {int8_2[0] / int8_2[1]:.2f}× | {mark(int8_2[0] <= 0.8 * int8_2[1])} |",
              f"| the AVX2 kernels, forced, reported beside it | {avx2_2[0] / avx2_2[1]:.2f}× | reported: onnxruntime runs "
              "VNNI on this machine, so this ratio is not like for like (notes) |",
              f"| fp32 ≤ 1.0× onnxruntime fp32 (batch 1, 2 threads) | {fp32_2[0] / fp32_2[1]:.2f}× "
              f"({fp32_2[0]:.1f} vs {fp32_2[1]:.1f} ms) | {mark(fp32_2[0] <= fp32_2[1])} |",
              f"| ResNeXt-101 32x8d ≥ 0.8× ResNet-50's GFLOP/s | {rx:.2f}× | {mark(rx >= 0.8)} |",
              f"| default conversion ≥ 20× the PyTorch pipeline, ResNet-50 (zip) | {r50:.1f}× | {mark(r50 >= 20)} |",
              f"| default conversion ≥ 20× the PyTorch pipeline, ResNet-18 (legacy) | {r18:.1f}× | {mark(r18 >= 20)} |",
              f"| peak RSS ≤ 1.2× the checkpoint (default conversion, every model) | ≤ {rss:.2f}× | {mark(rss <= 1.2)} |",
              "", "Accuracy targets (trained models, no calibration data): README, \"Trained models\" "
              "(`Benchmarks/trained_accuracy.sh`): met.", ""]
    notes = (ROOT / "Benchmarks" / "notes.md").read_text()
    (ROOT / "BENCHMARKS.md").write_text("\n".join(l for l in lines if l is not None) + "\n\n" + notes)
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
