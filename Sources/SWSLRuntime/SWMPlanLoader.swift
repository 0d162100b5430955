import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLSchema

/// Builds an execution plan from a mapped `.swm`: every tensor the architecture implies must be
/// there with the implied shape (Formats/SWM.md rule 14); weights are used in place.
public enum SWMPlanLoader {
    public static func plan(_ file: SWMFile, int8: Int8Arithmetic = .dequantized) throws(RuntimeError) -> ExecutionPlan {
        let architecture: ResNetArchitecture
        do throws(SchemaError) {
            guard let json = file.metadata["architecture"] else { throw .notAResNet("metadata has no architecture") }
            architecture = try ResNetArchitecture(json: json)
        } catch { throw .schema(file: file.path, error) }
        let layout = ResNetLayout(architecture)
        do {
            let stem = try layout.stem.map { (c) throws(SWMError) in try conv(file, c) }
            let stages = try layout.stages.map { (blocks) throws(SWMError) in
                try blocks.map { (b) throws(SWMError) in
                    FoldedBlock(convs: try b.convs.map { (c) throws(SWMError) in try conv(file, c) },
                                downsample: try b.downsample.map { (c) throws(SWMError) in try conv(file, c) },
                                stride: b.stride)
                }
            }
            let features = architecture.widths.last ?? 0
            let fc = try folded(file, path: "fc", shape: [architecture.numClasses, features], groups: 1,
                                kernel: 1, stride: 1, padding: 0)
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

    private static func conv(_ file: SWMFile, _ c: ResNetLayout.Conv) throws(SWMError) -> FoldedConv {
        try folded(file, path: c.conv, shape: c.shape, groups: c.groups, kernel: c.shape[2], stride: c.stride, padding: c.padding)
    }

    private static func folded(_ file: SWMFile, path: String, shape: [Int], groups: Int, kernel: Int,
                               stride: Int, padding: Int) throws(SWMError) -> FoldedConv {
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
        let inputScale = file.entry("\(path).input_scale").flatMap { e in e.dtype == .float32 && e.elementCount == 1 ? file.floats(e)[0] : nil }
        return FoldedConv(weights: weights, scales: scales, bias: file.floats(b), inChannels: shape[1] * groups,
                          outChannels: out, kernel: kernel, stride: stride, padding: padding, groups: groups,
                          activationScale: inputScale)
    }
}
