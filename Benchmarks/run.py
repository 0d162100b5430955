#!/usr/bin/env python3
"""Runs every benchmark side by side and writes BENCHMARKS.md.

    Benchmarks/run.sh            (builds swsl-convert in release mode, then runs this with the venv)

1. makes the full-size random-weight checkpoints (Benchmarks/make_models.py) in $BENCH_DIR (/tmp/swsl-bench);
2. conversion: `swsl-convert IN OUT` against the same pipeline in Python with PyTorch
   (Benchmarks/pytorch_pipeline.py), whole processes, wall time and peak RSS (/usr/bin/time);
3. opening a .swm (map + validate, CRCs off);
4. inference: `swsl-convert bench` (int8 and fp32 .swm) against onnxruntime fp32 / int8 QDQ and OpenVINO fp32 /
   int8 (NNCF), interleaved in rounds (each figure: the median of 3 rounds, each round the median of its runs),
   batch 1 and 8, 1 and 2 threads; two-thread scaling, whole model and per layer kind; PyTorch eager from
   Benchmarks/peers.py;
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
sys.path.insert(0, str(ROOT / "Benchmarks"))
from openvino_peer import OpenVINO  # noqa: E402


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


def paired_ratio(a: list[str], b: list[str], pairs: int) -> dict:
    """A and B run in turn, `pairs` times: the median of the per-pair wall-time ratios A / B (with min and max), which
    holds while the machine's speed drifts, and each command's median seconds."""
    runs = [(timed_process(a)[0], timed_process(b)[0]) for _ in range(pairs)]
    ratios = [x / y for x, y in runs]
    return {"ratio": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
            "a_s": statistics.median(x for x, _ in runs), "b_s": statistics.median(y for _, y in runs)}


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


# What stands in the way of each kind of target, in a line (the measurements behind them: Benchmarks/notes.md).
OBSTACLES = {
    "int8 avx2": "exact 8-bit sums on AVX2 without VNNI: the saturating `vpmaddubsw` form (3 vector operations per 32 "
                 "products, the form the peers' AVX2 int8 uses) only where a reduction quad's activations stay below 128, "
                 "`vpmaddwd` + `vpaddd` (4) and widened weight panels for the others (`--int8 integer-7bit` takes the "
                 "fast form everywhere); then float activations between layers, a quantization pass and packing per layer",
    "int8": "float activations between layers, a quantization pass per layer and packing, where the peers keep "
            "blocked 8-bit activations for direct kernels",
    "fp32": "not the loop (80–98% of the FMA peak alone; single layers 76–88% at 224 px, "
            "`Benchmarks/layer_efficiency.c`) but what surrounds it: im2col packing, weights streamed per layer; "
            "onnxruntime runs all 53 convolutions as its blocked NCHWc kernels, OpenVINO blocked layouts too",
    "scaling": "not understood: at batch 1 every layer is cut into pieces claimed as threads come free (small planes "
               "four row pieces per thread, large ones three column pieces) with a barrier per layer and preparation "
               "stage; batches run image by image; this VM's speed swings by the minute, and the peers' figures in the "
               "same rounds move less than ours (notes)",
    "conversion": "the SHA-256 of the source (the provenance record) on the second core is the floor",
}


def layer_kind(step: str) -> str:
    """A ResNet-50 step's kind, from its plan name."""
    if step.startswith("stem"):
        return "stem"
    if "downsample" in step:
        return "downsample (1×1, stride 2)"
    if ".conv2" in step:
        return "3×3"
    if ".conv1" in step or ".conv3" in step:
        return "1×1"
    return "pools and fc"


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
    openvino = OpenVINO(BENCH)
    avx512 = "avx512f" in cpu_line()
    lines += ["## Inference, ResNet-50, 224×224", "",
              f"`swsl-convert bench MODEL --batch B --threads T --iterations K --json` against onnxruntime {onnx.version} "
              "(fp32 export, and its static int8 QDQ model: per-channel weights, MinMax over 16 calibration inputs) and "
              f"OpenVINO {openvino.version} (the same fp32 export, and NNCF's default post-training int8 quantization of it "
              "on the same 16 inputs; latency hint, one stream, T threads: `Benchmarks/openvino_peer.py`), timed in the "
              "same process loop: 3 rounds, each running swsl-convert, onnxruntime, then OpenVINO; a figure is the median "
              "of the 3 round medians (K = 20 runs at batch 1, 6 at batch 8, after 3 warm-up runs). The int8 files: "
              "`swsl-convert resnet50.pth OUT` (the default: no stored ranges, the integer path measures each input) and "
              "`--calibrate synthetic` (stored static ranges). With the AVX2 kernels forced, OpenVINO runs in its own "
              "process with `ONEDNN_MAX_CPU_ISA=AVX2` where the CPU has AVX-512 (on an AVX2 machine that is its default); "
              "onnxruntime has no such switch and runs its best kernels. The last column divides by the faster peer at "
              "that precision.", "",
              "| path | batch | threads | swsl-convert ms (rounds) | onnxruntime ms (rounds) | OpenVINO ms (rounds) | vs best peer |",
              "|---|---|---|---|---|---|---|"]
    default, fp32 = "int8 default (integer, ranges measured per input)", "fp32"
    forced = "int8 default, AVX2 kernels forced (`SWSL_KERNELS=avx2`)"
    configs = [
        (default, "resnet50.zip.int8.swm", (), {}, "resnet50.int8.onnx", "int8"),
        ("int8 integer, stored ranges (`--calibrate synthetic`)", "resnet50.zip.int8.calibrated.swm", (), {},
         "resnet50.int8.onnx", "int8"),
        ("int8 `--int8 integer-7bit` (7-bit activations)", "resnet50.zip.int8.swm", ("--int8", "integer-7bit"), {},
         "resnet50.int8.onnx", "int8"),
        (fp32, "resnet50.fp32.swm", (), {}, "resnet50.onnx", "resnet50.onnx"),
    ] + ([(forced, "resnet50.zip.int8.swm", (), {"SWSL_KERNELS": "avx2"}, "resnet50.int8.onnx", "int8")] if avx512 else [])

    def openvino_ms(model: str, batch: int, threads: int, iterations: int, capped: bool) -> float:
        if not capped:
            return openvino.median_ms(model, threads, batch, iterations)
        out = subprocess.run([PY, str(ROOT / "Benchmarks" / "openvino_peer.py"), str(BENCH), model, str(batch),
                              str(threads), str(iterations)], capture_output=True, text=True, check=True,
                             env={**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2"})
        return float(out.stdout.strip())

    results = {}
    for batch in (1, 8):
        for threads in (1, 2):
            for label, swm, extra, env, ort_model, ov_model in configs:
                iterations = 20 if batch == 1 else 6
                rounds = {"ours": [], "ort": [], "ov": []}
                for _ in range(3):
                    rounds["ours"].append(bench(BENCH / swm, batch, threads, iterations, *extra, env=env)["median_ms"])
                    rounds["ort"].append(onnx.median_ms(ort_model, threads, batch, iterations))
                    rounds["ov"].append(openvino_ms(ov_model, batch, threads, iterations, label == forced))
                m = {k: statistics.median(v) for k, v in rounds.items()}
                results[(label, batch, threads)] = m
                cell = lambda k: f"{m[k]:.1f} ({', '.join(f'{x:.1f}' for x in rounds[k])})"
                kind = "int8" if "int8" in ort_model else "fp32"
                lines.append(f"| {label} | {batch} | {threads} | {cell('ours')} | {cell('ort')} {kind} | {cell('ov')} "
                             f"{kind}{' (AVX2)' if label == forced else ''} | {m['ours'] / min(m['ort'], m['ov']):.2f}× |")
                print(lines[-1], flush=True)
    for p in peers:
        lines.append(f"| PyTorch eager fp32 | {p['batch']} | {p['threads']} | | {p['median_ms']:.1f} ({p['min_ms']:.1f}–{p['max_ms']:.1f}) | | |")

    # Two-thread scaling, whole model and per layer kind.
    lines += ["", "## Two-thread scaling (1-thread ms / 2-thread ms, from the table above)", "",
              "| path | batch | swsl-convert | onnxruntime | OpenVINO |", "|---|---|---|---|---|"]
    scaling = {}
    for label in (default, fp32):
        for batch in (1, 8):
            one, two = results[(label, batch, 1)], results[(label, batch, 2)]
            scaling[(label, batch)] = {k: one[k] / two[k] for k in one}
            sc = scaling[(label, batch)]
            lines.append(f"| {label} | {batch} | {sc['ours']:.2f}× | {sc['ort']:.2f}× | {sc['ov']:.2f}× |")
    kinds = {}
    for label, swm in ((default, "resnet50.zip.int8.swm"), (fp32, "resnet50.fp32.swm")):
        per_thread, waits = {}, {}
        for threads in (1, 2):
            layers = bench(BENCH / swm, 1, threads, 20, "--layers")["layers"]
            totals, waited = {}, {}
            for layer in layers:
                totals[layer_kind(layer["step"])] = totals.get(layer_kind(layer["step"]), 0) + layer["mean_ms"]
                waited[layer_kind(layer["step"])] = waited.get(layer_kind(layer["step"]), 0) + layer["wait_ms"]
            per_thread[threads], waits[threads] = totals, waited
        kinds[label] = (per_thread, waits)
    lines += ["", "Per layer kind, batch 1 (`swsl-convert bench MODEL --threads T --layers --json`, summed per kind; "
              "ResNet-50's conv1 and conv3 are 1×1, conv2 3×3; the wait is the time the average thread spent outside "
              "the layers' tasks: barriers, the caller's work between loops, a slower thread's last task):", "",
              "| path | layer kind | 1 thread ms | 2 threads ms | of which waiting | scaling |", "|---|---|---|---|---|---|"]
    for label, (per_thread, waits) in kinds.items():
        for kind in per_thread[1]:
            a, b = per_thread[1][kind], per_thread[2][kind]
            lines.append(f"| {label} | {kind} | {a:.2f} | {b:.2f} | {waits[2][kind]:.2f} | {a / b:.2f}× |")
    print("\n".join(lines[-12:]), flush=True)

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

    # Targets (issue 28), from the figures above.
    def mark(ok: bool) -> str:
        return "met" if ok else "not met"

    def peer_ms(label: str, batch: int, peer: str) -> float:
        m = results[(label, batch, 2)]
        return min(m["ort"], m["ov"]) if peer == "best" else m[peer]

    def ratio(label: str, batch: int, peer: str) -> float:
        return results[(label, batch, 2)]["ours"] / peer_ms(label, batch, peer)

    def against(label: str, batch: int, peer: str) -> str:
        return (f"{ratio(label, batch, peer):.2f}× ({results[(label, batch, 2)]['ours']:.1f} vs "
                f"{peer_ms(label, batch, peer):.1f} ms)")

    r50 = conversion["resnet50.zip.pth"][0]
    x16 = BENCH / "resnext101_32x16d.legacy.pth"
    x16_out = BENCH / "x16.paired.swm"
    x16_vs_sha = paired_ratio([str(BIN), str(x16), str(x16_out)], ["openssl", "dgst", "-sha256", str(x16)], 7)
    x16_out.unlink(missing_ok=True)
    lines += ["", "## Targets (issue 28), this run", "",
              "What stands in the way of a target not met is measured in the notes below (\"Issue 28 on an AVX2-only "
              "machine\"); the last column says it in a line.", "",
              "| target | measured | status | what stands in the way |", "|---|---|---|---|"]

    def row(target: str, measured: str, ok: bool, obstacle: str) -> str:
        return f"| {target} | {measured} | {mark(ok)} | {'' if ok else obstacle} |"

    for batch in (1, 8):
        lines.append(row(f"int8 default ≤ 1.0× OpenVINO int8, 2 threads, batch {batch}, this CPU's best kernels",
                         against(default, batch, "ov"), ratio(default, batch, "ov") <= 1.0, OBSTACLES["int8" if avx512 else "int8 avx2"]))
        if avx512:
            lines.append(row(f"AVX2 kernels forced ≤ 1.0× OpenVINO capped at AVX2, 2 threads, batch {batch}",
                             against(forced, batch, "ov"), ratio(forced, batch, "ov") <= 1.0, OBSTACLES["int8 avx2"]))
        lines.append(row(f"fp32 ≤ 1.0× the faster of onnxruntime and OpenVINO fp32, 2 threads, batch {batch}",
                         against(fp32, batch, "best"), ratio(fp32, batch, "best") <= 1.0, OBSTACLES["fp32"]))
    for (label, batch), sc in scaling.items():
        lines.append(row(f"two-thread scaling ≥ 1.85×, {label}, batch {batch}", f"{sc['ours']:.2f}×", sc["ours"] >= 1.85,
                         OBSTACLES["scaling"]))
    lines += [row("default conversion of ResNet-50 (zip) ≥ 17× the PyTorch pipeline", f"{r50:.1f}×", r50 >= 17,
                  OBSTACLES["conversion"]),
              row("default conversion of ResNeXt-101 32x16d ≤ 1.3× `openssl dgst -sha256` of the same file",
                  f"{x16_vs_sha['ratio']:.2f}× ({x16_vs_sha['min']:.2f}–{x16_vs_sha['max']:.2f}; {x16_vs_sha['a_s']:.3f} vs "
                  f"{x16_vs_sha['b_s']:.3f} s: median of 7 alternating pairs)", x16_vs_sha["ratio"] <= 1.3,
                  OBSTACLES["conversion"]),
              "", "Accuracy targets (trained models, no calibration data): README, \"Trained models\" "
              "(`Benchmarks/trained_accuracy.sh`).", ""]
    notes = (ROOT / "Benchmarks" / "notes.md").read_text()
    (ROOT / "BENCHMARKS.md").write_text("\n".join(l for l in lines if l is not None) + "\n\n" + notes)
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
