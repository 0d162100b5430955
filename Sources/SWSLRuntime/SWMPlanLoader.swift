import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLSchema

/// Where the integer path takes each layer's activation range from.
public enum ActivationRanges: String, Sendable, CaseIterable {
    /// The calibrated scales the file stores (`P.input_scale`); each input's own range where it has none.
    case calibrated
    /// Each input's own range, measured per image and layer at run time, ignoring stored scales.
    case dynamic
}

/// Builds an execution plan from a mapped `.swm`: every tensor the architecture implies must be
/// there with the implied shape (Formats/SWM.md rule 14); weights are used in place.
public enum SWMPlanLoader {
    public static func plan(_ file: SWMFile, int8: Int8Arithmetic = .dequantized,
                            activations: ActivationRanges = .calibrated) throws(RuntimeError) -> ExecutionPlan {
        let calibrated = activations == .calibrated
        let architecture: ResNetArchitecture
        do throws(SchemaError) {
            guard let json = file.metadata["architecture"] else { throw .notAResNet("metadata has no architecture") }
            architecture = try ResNetArchitecture(json: json)
        } catch { throw .schema(file: file.path, error) }
        let layout = ResNetLayout(architecture)
        do {
            let stem = try layout.stem.map { (c) throws(SWMError) in try conv(file, c, calibrated) }
            let stages = try layout.stages.map { (blocks) throws(SWMError) in
                try blocks.map { (b) throws(SWMError) in
                    FoldedBlock(convs: try b.convs.map { (c) throws(SWMError) in try conv(file, c, calibrated) },
                                downsample: try b.downsample.map { (c) throws(SWMError) in try conv(file, c, calibrated) },
                                stride: b.stride)
                }
            }
            let features = architecture.widths.last ?? 0
            let fc = try folded(file, path: "fc", shape: [architecture.numClasses, features], groups: 1,
                                kernel: 1, stride: 1, padding: 0, calibrated: calibrated)
            do {
                return try ExecutionPlan(architecture: architecture, stem: stem, stages: stages, fc: fc, int8: int8)
            } catch { throw RuntimeError.plan(file: file.path, error) }
        } catch let e as SWMError {
            throw .swm(file: file.path, e)
        } catch let e as RuntimeError {
            throw e
        } catch {
            throw .input("\(file.path): \(error)")
        }
    }

    private static func conv(_ file: SWMFile, _ c: ResNetLayout.Conv, _ calibrated: Bool) throws(SWMError) -> FoldedConv {
        try folded(file, path: c.conv, shape: c.shape, groups: c.groups, kernel: c.shape[2], stride: c.stride,
                   padding: c.padding, calibrated: calibrated)
    }

    private static func folded(_ file: SWMFile, path: String, shape: [Int], groups: Int, kernel: Int,
                               stride: Int, padding: Int, calibrated: Bool) throws(SWMError) -> FoldedConv {
        guard let w = file.entry("\(path).weight") else { throw .missingTensor("\(path).weight") }
        guard let b = file.entry("\(path).bias") else { throw .missingTensor("\(path).bias") }
        let out = shape[0]
        let reduction = shape.dropFirst().reduce(1, *)
        let weights: FoldedConv.Weights
        switch w.layout {
        case .packed:
            let count = PackedWeightLayout.elementCount(outChannels: out, groups: groups, reductionSize: reduction)
            guard w.shape == [count] else { throw .badEntry(w.name, "packed weights hold \(w.shape), the architecture implies [\(count)]") }
            weights = .packed(file.tensor(w))
        case .oihw, .plain:
            guard w.shape == shape else { throw .badEntry(w.name, "shape \(w.shape), the architecture implies \(shape)") }
            weights = .plain(file.tensor(w))
        }
        guard b.dtype == .float32, b.shape == [out] else { throw .badEntry(b.name, "must be float32 [\(out)]") }
        var scales: [Float]?
        if w.dtype == .int8 {
            guard let s = file.scale(of: w) else { throw .badEntry(w.name, "int8 weights without a scale tensor") }
            let values = file.floats(s)
            scales = values.count == out ? values : [Float](repeating: values[0], count: out)
        }
        // A calibrated activation scale, when the file carries one (`P.input_scale`).
        var inputScale: Float?
        if calibrated, let e = file.entry("\(path).input_scale") {
            guard e.dtype == .float32, e.shape == [1] else { throw .badEntry(e.name, "must be float32 [1]") }
            inputScale = file.floats(e)[0]
        }
        return FoldedConv(weights: weights, scales: scales, bias: file.floats(b), inChannels: shape[1] * groups,
                          outChannels: out, kernel: kernel, stride: stride, padding: padding, groups: groups,
                          activationScale: inputScale)
    }
}
