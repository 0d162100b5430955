import Testing
import Foundation
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
import SWSLExecutor

/// Temporary timing probe (enabled by SWSL_BENCH_MODEL); to be replaced by `swsl-convert bench`.
/// SWSL_BENCH_MODE: reference | fp32 | fp16 | int8 (folded here, per-channel symmetric int8),
/// SWSL_BENCH_INT8: dequantized | integer, SWSL_BENCH_KERNELS, _THREADS, _BATCH, _ITERATIONS, _SIZE,
/// SWSL_BENCH_INPUT: an .npy input (else a deterministic pattern).
@Suite struct BenchmarkProbe {
    static let model = ProcessInfo.processInfo.environment["SWSL_BENCH_MODEL"]

    @Test(.enabled(if: model != nil)) func resnetLatency() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = Int(env["SWSL_BENCH_THREADS"] ?? "2") ?? 2
        let batch = Int(env["SWSL_BENCH_BATCH"] ?? "1") ?? 1
        let iterations = Int(env["SWSL_BENCH_ITERATIONS"] ?? "20") ?? 20
        let size = Int(env["SWSL_BENCH_SIZE"] ?? "224") ?? 224
        let canonical = try SchemaMapper.map(CheckpointReader.read(path: Self.model!))
        let mode = env["SWSL_BENCH_MODE"] ?? "reference"
        let int8 = Int8Arithmetic(rawValue: env["SWSL_BENCH_INT8"] ?? "dequantized") ?? .dequantized
        let reference = try ExecutionPlan(reference: canonical)
        let plan = mode == "reference" ? reference
            : try TestFolding.plan(canonical, weights: TestFolding.WeightType(rawValue: mode) ?? .fp32, int8: int8)
        let kernels = KernelChoice(rawValue: env["SWSL_BENCH_KERNELS"] ?? "automatic") ?? .automatic
        let executor = Executor(plan: plan, threads: threads, kernels: kernels)
        var input = [Float](repeating: 0, count: batch * 3 * size * size)
        if let path = env["SWSL_BENCH_INPUT"] {
            input = Array(try NPYArray.read(path: path).values.prefix(input.count))
        } else {
            for i in input.indices { input[i] = Float((i * 7919) % 1000) / 500 - 1 }
        }
        for _ in 0..<3 { _ = try executor.run(input: input, batch: batch, height: size, width: size) }
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try executor.run(input: input, batch: batch, height: size, width: size)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        if env["SWSL_BENCH_TRACE"] != nil { print("TIMES", times.map { String(format: "%.1f", $0) }.joined(separator: " ")) }
        times.sort()
        let flops = 2.0 * Double(plan.multiplyAccumulates(height: size, width: size)) * Double(batch)
        let median = times[times.count / 2]
        let logits = try executor.run(input: input, batch: batch, height: size, width: size)
        let expected = try Executor(plan: reference, threads: threads).run(input: input, batch: batch, height: size, width: size)
        let cosine = Metrics.cosine(logits[...], expected[...])
        print(String(format: "BENCH %@ %@ %@ threads=%d batch=%d median=%.2f ms min=%.2f max=%.2f  %.1f GFLOP/s  cosine %.5f top1 %@",
                     mode, int8.rawValue, executor.kernels.rawValue, threads, batch, median, times[0],
                     times[times.count - 1], flops / median / 1e6, cosine,
                     Metrics.argmax(logits[...]) == Metrics.argmax(expected[...]) ? "same" : "differs"))
    }
}
