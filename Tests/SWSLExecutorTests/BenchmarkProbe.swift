import Testing
import Foundation
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
import SWSLExecutor

/// Temporary timing probe (enabled by SWSL_BENCH_MODEL); to be replaced by `swsl-convert bench`.
@Suite struct BenchmarkProbe {
    static let model = ProcessInfo.processInfo.environment["SWSL_BENCH_MODEL"]

    @Test(.enabled(if: model != nil)) func resnetLatency() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = Int(env["SWSL_BENCH_THREADS"] ?? "2") ?? 2
        let batch = Int(env["SWSL_BENCH_BATCH"] ?? "1") ?? 1
        let iterations = Int(env["SWSL_BENCH_ITERATIONS"] ?? "20") ?? 20
        let size = Int(env["SWSL_BENCH_SIZE"] ?? "224") ?? 224
        let canonical = try SchemaMapper.map(CheckpointReader.read(path: Self.model!))
        let plan = try ExecutionPlan(reference: canonical)
        let executor = Executor(plan: plan, threads: threads)
        var input = [Float](repeating: 0, count: batch * 3 * size * size)
        for i in input.indices { input[i] = Float((i * 7919) % 1000) / 500 - 1 }
        for _ in 0..<3 { _ = try executor.run(input: input, batch: batch, height: size, width: size) }
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try executor.run(input: input, batch: batch, height: size, width: size)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        let flops = 2.0 * Double(plan.multiplyAccumulates(height: size, width: size)) * Double(batch)
        let median = times[times.count / 2]
        print(String(format: "BENCH fp32 reference threads=%d batch=%d median=%.2f ms min=%.2f max=%.2f  %.1f GFLOP/s",
                     threads, batch, median, times[0], times[times.count - 1], flops / median / 1e6))
    }
}
