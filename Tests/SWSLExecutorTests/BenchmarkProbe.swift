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
        let mode = env["SWSL_BENCH_MODE"] ?? "reference"
        let plan = mode == "reference" ? try ExecutionPlan(reference: canonical) : try Self.folded(canonical, mode: mode)
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
        print(String(format: "BENCH \(mode) threads=%d batch=%d median=%.2f ms min=%.2f max=%.2f  %.1f GFLOP/s",
                     threads, batch, median, times[0], times[times.count - 1], flops / median / 1e6))
    }

    /// BatchNorm folded in, weights stored as `mode` (fp32, fp16, int8 per-channel symmetric).
    static func folded(_ model: CanonicalModel, mode: String) throws -> ExecutionPlan {
        func fold(_ unit: ConvUnit) -> FoldedConv {
            var w = unit.weight.floats()
            let out = unit.outChannels
            let per = w.count / out
            var bias = unit.bias?.floats() ?? [Float](repeating: 0, count: out)
            if let bn = unit.batchNorm {
                let (g, b, m, v) = (bn.weight.floats(), bn.bias.floats(), bn.runningMean.floats(), bn.runningVar.floats())
                for o in 0..<out {
                    let alpha = g[o] / (v[o] + bn.epsilon).squareRoot()
                    for i in 0..<per { w[o * per + i] *= alpha }
                    bias[o] = b[o] + (bias[o] - m[o]) * alpha
                }
            }
            let shape = [out, unit.inChannels / unit.groups, unit.kernel, unit.kernel]
            let tensor: Tensor
            var scales: [Float]? = nil
            switch mode {
            case "int8":
                var q = [Int8](repeating: 0, count: w.count)
                scales = (0..<out).map { o in
                    let m = (0..<per).map { abs(w[o * per + $0]) }.max() ?? 0
                    let s = m > 0 ? m / 127 : 1
                    for i in 0..<per { q[o * per + i] = Int8((w[o * per + i] / s).rounded()) }
                    return s
                }
                tensor = try! Tensor(dtype: .int8, shape: shape, storage: q.withUnsafeBytes { ByteStorage.copying($0) })
            case "fp16":
                let h = w.map { Float16($0) }
                tensor = try! Tensor(dtype: .float16, shape: shape, storage: h.withUnsafeBytes { ByteStorage.copying($0) })
            default:
                tensor = try! Tensor(dtype: .float32, shape: shape, storage: w.withUnsafeBytes { ByteStorage.copying($0) })
            }
            return FoldedConv(weights: .plain(tensor), scales: scales, bias: bias, inChannels: unit.inChannels,
                              outChannels: out, kernel: unit.kernel, stride: unit.stride, padding: unit.padding,
                              groups: unit.groups)
        }
        let stages = model.stages.map { blocks in
            blocks.map { FoldedBlock(convs: $0.convs.map(fold), downsample: $0.downsample.map(fold), stride: $0.stride) }
        }
        let fcWeight = model.fcWeight.floats()
        let fc = FoldedConv(
            weights: .plain(try! Tensor(dtype: .float32, shape: model.fcWeight.shape,
                                        storage: fcWeight.withUnsafeBytes { ByteStorage.copying($0) })),
            bias: model.fcBias.floats(), inChannels: model.fcWeight.shape[1], outChannels: model.fcWeight.shape[0],
            kernel: 1)
        return try ExecutionPlan(architecture: model.architecture, stem: model.stem.map(fold), stages: stages, fc: fc)
    }
}
