import SWSLCore
import SWSLSchema
import SWSLExecutor
import SWSLNetwork
import SWSLFormat

/// A minimal BatchNorm folder and per-channel symmetric int8 quantizer, standing in for the real
/// transform stage so the folded-plan initializer can be tested on its own.
enum TestFolding {
    enum WeightType: String, CaseIterable, Sendable { case fp32, fp16, int8 }

    /// The model with BatchNorm folded into every convolution, weights stored as `weights`; the
    /// classifier stays float32. `packed` hands the weights over pre-packed.
    /// `activationMaxima` (by canonical path, as `Calibration` reports them) become the convolutions' activation scales.
    static func plan(_ model: CanonicalModel, weights: WeightType, packed: Bool = false,
                     int8: Int8Arithmetic = .dequantized, activationMaxima: [String: Float] = [:]) throws -> ExecutionPlan {
        func fold(_ unit: ConvUnit) throws -> LayerSpec {
            try foldedConv(unit, weights: weights, packed: packed, activationScale: activationMaxima[unit.path].map { $0 / 255 })
        }
        let fc = LayerSpec(name: "fc", weights: .plain(tensor(model.fcWeight.floats(), shape: model.fcWeight.shape)),
                            bias: model.fcBias.floats(), inChannels: model.fcWeight.shape[1],
                            outChannels: model.fcWeight.shape[0], kernel: 1)
        return try ExecutionPlan(backbone: try model.backbone.map(fold), fc: fc,
                                 avgDown: model.architecture.avgDown, int8: int8)
    }

    static func foldedConv(_ unit: ConvUnit, weights type: WeightType, packed: Bool,
                           activationScale: Float? = nil) throws -> LayerSpec {
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
        var plain: Tensor
        var scales: [Float]?
        switch type {
        case .int8:
            var q = [Int8](repeating: 0, count: w.count)
            scales = (0..<out).map { o in
                let peak = (0..<per).map { abs(w[o * per + $0]) }.max() ?? 0
                let s = peak > 0 ? peak / 127 : 1
                for i in 0..<per { q[o * per + i] = Int8((w[o * per + i] / s).rounded()) }
                return s
            }
            plain = try Tensor(dtype: .int8, shape: shape, storage: q.withUnsafeBytes { ByteStorage.copying($0) })
        case .fp16:
            let h = w.map { Float16($0) }
            plain = try Tensor(dtype: .float16, shape: shape, storage: h.withUnsafeBytes { ByteStorage.copying($0) })
        case .fp32:
            plain = tensor(w, shape: shape)
        }
        let weights: LayerSpec.Weights = packed
            ? .packed(try PackedWeightLayout.pack(plain, groups: unit.groups)) : .plain(plain)
        return LayerSpec(name: unit.path, weights: weights, scales: scales, bias: bias, inChannels: unit.inChannels, outChannels: out,
                          kernel: unit.kernel, stride: unit.stride, padding: unit.padding, groups: unit.groups,
                          activationScale: activationScale)
    }

    /// A float32 tensor over a copy of `values`.
    static func tensor(_ values: [Float], shape: [Int]) -> Tensor {
        try! Tensor(dtype: .float32, shape: shape, storage: values.withUnsafeBytes { ByteStorage.copying($0) })
    }
}
