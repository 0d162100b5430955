import Testing
import Foundation
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
@testable import SWSLExecutor

/// Temporary per-step timing probe (enabled by SWSL_BENCH_LAYERS).
@Suite struct BenchmarkLayers {
    static let model = ProcessInfo.processInfo.environment["SWSL_BENCH_LAYERS"]

    @Test(.enabled(if: model != nil)) func stepTimes() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = Int(env["SWSL_BENCH_THREADS"] ?? "1") ?? 1
        let size = 224
        let canonical = try SchemaMapper.map(CheckpointReader.read(path: Self.model!))
        let mode = env["SWSL_BENCH_MODE"] ?? "reference"
        let plan = mode == "reference" ? try ExecutionPlan(reference: canonical) : try TestFolding.plan(canonical, weights: TestFolding.WeightType(rawValue: mode) ?? .fp32,
                                   int8: Int8Arithmetic(rawValue: env["SWSL_BENCH_INT8"] ?? "dequantized") ?? .dequantized)
        let executor = Executor(plan: plan, threads: threads,
                                kernels: KernelChoice(rawValue: env["SWSL_BENCH_KERNELS"] ?? "automatic") ?? .automatic)
        let schedule = try Schedule(plan: plan, batch: 1, height: size, width: size)
        let buffers = schedule.bufferSizes.map { AlignedFloats(count: $0) }
        for i in 0..<buffers[schedule.buffers[0]].count { buffers[schedule.buffers[0]].base[i] = Float(i % 255) / 255 }
        var best = [Double](repeating: .infinity, count: plan.steps.count)
        for _ in 0..<15 {
            for (index, step) in plan.steps.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                executor.execute(step, schedule: schedule, buffers: buffers)
                best[index] = min(best[index], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        var byKind: [String: Double] = [:]
        for (index, step) in plan.steps.enumerated() {
            let kind: String
            switch step {
            case .conv(let layer, let input, _, _):
                let s = schedule.shapes[input]
                kind = "conv k\(layer.kernel) s\(layer.stride) \(layer.inChannels)->\(layer.outChannels) @\(s.height)"
            case .maxPool: kind = "maxpool"
            case .averagePool: kind = "avgpool"
            case .globalAveragePool: kind = "global pool"
            case .linear: kind = "fc"
            }
            byKind[kind, default: 0] += best[index]
        }
        for (kind, time) in byKind.sorted(by: { $0.value > $1.value }) {
            print(String(format: "LAYER %-36@ %7.3f ms", kind as NSString, time))
        }
        print(String(format: "LAYER total %.2f ms", best.reduce(0, +)))
    }
}
