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

/// Builds an execution plan from `.swm` tensors: every tensor the architecture implies must be
/// there with the implied shape (Formats/SWM.md rule 14); weights are used in place. The tensors
/// come from a mapped file or from a conversion still in memory (calibration runs those).
public enum SWMPlanLoader {
    /// The plan for an opened `.swm` (rule 14 checked, weights used in place); `int8` picks how int8
    /// weights run, and `.dynamic` activations leave the stored `P.input_scale`s unread.
    public static func plan(_ file: SWMFile, int8: Int8Arithmetic = .integer,
                            activations: ActivationRanges = .calibrated) throws(RuntimeError) -> ExecutionPlan {
        try plan(file, architecture: try architecture(of: file), int8: int8, activations: activations)
    }

    /// The same, with the file's architecture already decoded (`architecture(of:)`).
    public static func plan(_ file: SWMFile, architecture: ResNetArchitecture, int8: Int8Arithmetic = .integer,
                            activations: ActivationRanges = .calibrated) throws(RuntimeError) -> ExecutionPlan {
        try plan(Source(file), architecture: architecture, int8: int8, calibrated: activations == .calibrated)
    }

    /// The architecture a `.swm` file's metadata describes.
    public static func architecture(of file: SWMFile) throws(RuntimeError) -> ResNetArchitecture {
        do { return try ResNetArchitecture(json: file.metadata.architecture) } catch { throw .schema(file: file.path, error) }
    }

    /// A plan over a conversion's tensors before they are written (`what` names them in errors).
    public static func plan(tensors: [SWMTensor], architecture: ResNetArchitecture, what: String,
                            int8: Int8Arithmetic) throws(RuntimeError) -> ExecutionPlan {
        try plan(Source(tensors, what: what), architecture: architecture, int8: int8, calibrated: true)
    }

    private static func plan(_ source: Source, architecture: ResNetArchitecture, int8: Int8Arithmetic,
                             calibrated: Bool) throws(RuntimeError) -> ExecutionPlan {
        let layout = ResNetLayout(architecture)
        do {
            let stem = try layout.stem.map { (c) throws(SWMError) in try conv(source, c, calibrated) }
            let stages = try layout.stages.map { (blocks) throws(SWMError) in
                try blocks.map { (b) throws(SWMError) in
                    FoldedBlock(convs: try b.convs.map { (c) throws(SWMError) in try conv(source, c, calibrated) },
                                downsample: try b.downsample.map { (c) throws(SWMError) in try conv(source, c, calibrated) },
                                stride: b.stride)
                }
            }
            let features = architecture.widths.last ?? 0
            let fc = try folded(source, path: "fc", shape: [architecture.numClasses, features], groups: 1,
                                kernel: 1, stride: 1, padding: 0, calibrated: calibrated)
            do {
                return try ExecutionPlan(stem: stem, stages: stages, fc: fc, avgDown: architecture.avgDown, int8: int8)
            } catch { throw RuntimeError.plan(file: source.path, error) }
        } catch let e as SWMError {
            throw .swm(file: source.path, e)
        } catch let e as RuntimeError {
            throw e
        } catch {
            throw .input("\(source.path): \(error)")
        }
    }

    /// One tensor as the plan needs it: directory facts, the bytes as a tensor, f32 values.
    private struct Item {
        let name: String
        let dtype: SWMDType
        let layout: SWMLayout
        let shape: [Int]
        let tensor: () -> Tensor
        let floats: () -> [Float]
        let scale: () -> Item?

        var elementCount: Int { shape.reduce(1, *) }
    }

    /// Tensors by name: a mapped file's entries, or a conversion's tensors.
    private struct Source {
        let path: String
        let item: (String) -> Item?

        init(_ file: SWMFile) {
            path = file.path
            func item(_ e: SWMEntry) -> Item {
                Item(name: e.name, dtype: e.dtype, layout: e.layout, shape: e.shape, tensor: { file.tensor(e) },
                     floats: { file.floats(e) }, scale: { file.scale(of: e).map(item) })
            }
            self.item = { name in file.entry(name).map(item) }
        }

        init(_ tensors: [SWMTensor], what: String) {
            path = what
            var byName: [String: SWMTensor] = [:]
            for t in tensors { byName[t.name] = t }
            func item(_ t: SWMTensor) -> Item {
                Item(name: t.name, dtype: t.dtype, layout: t.layout, shape: t.shape,
                     tensor: { try! Tensor(dtype: t.dtype.tensorType, shape: t.shape, storage: t.storage) },
                     floats: { t.bytes.withMemoryRebound(to: Float.self) { Array($0) } },
                     scale: { t.scaleName.flatMap { byName[$0] }.map(item) })
            }
            self.item = { [byName] name in byName[name].map(item) }
        }
    }

    private static func conv(_ source: Source, _ c: ResNetLayout.Conv, _ calibrated: Bool) throws(SWMError) -> FoldedConv {
        try folded(source, path: c.conv, shape: c.shape, groups: c.groups, kernel: c.shape[2], stride: c.stride,
                   padding: c.padding, calibrated: calibrated)
    }

    private static func folded(_ source: Source, path: String, shape: [Int], groups: Int, kernel: Int,
                               stride: Int, padding: Int, calibrated: Bool) throws(SWMError) -> FoldedConv {
        guard let w = source.item("\(path).weight") else { throw .missingTensor("\(path).weight") }
        guard let b = source.item("\(path).bias") else { throw .missingTensor("\(path).bias") }
        let out = shape[0]
        let reduction = shape.dropFirst().reduce(1, *)
        let weights: FoldedConv.Weights
        switch w.layout {
        case .packed:
            let count = PackedWeightLayout.elementCount(outChannels: out, groups: groups, reductionSize: reduction)
            guard w.shape == [count] else { throw .badEntry(w.name, "packed weights hold \(w.shape), the architecture implies [\(count)]", rule: 14) }
            weights = .packed(w.tensor())
        case .oihw, .plain:
            guard w.shape == shape else { throw .badEntry(w.name, "shape \(w.shape), the architecture implies \(shape)", rule: 14) }
            weights = .plain(w.tensor())
        }
        guard b.dtype == .float32, b.shape == [out] else { throw .badEntry(b.name, "must be float32 [\(out)]", rule: 14) }
        var scales: [Float]?
        if w.dtype == .int8 {
            guard let s = w.scale() else { throw .badEntry(w.name, "int8 weights without a scale tensor", rule: 14) }
            let values = s.floats()
            guard values.count == out || values.count == 1 else {
                throw .badEntry(s.name, "holds \(values.count) scales, the architecture implies \(out) (or 1)", rule: 14)
            }
            scales = values.count == out ? values : [Float](repeating: values[0], count: out)
        }
        // A calibrated activation scale, when the file carries one (`P.input_scale`).
        var inputScale: Float?
        if calibrated, let e = source.item("\(path).input_scale") {
            guard e.dtype == .float32, e.shape == [1] else { throw .badEntry(e.name, "must be float32 [1]", rule: 14) }
            let value = e.floats()[0]
            guard value > 0, value.isFinite else { throw .badEntry(e.name, "must be a positive number, holds \(value)", rule: 14) }
            inputScale = value
        }
        return FoldedConv(name: path, weights: weights, scales: scales, bias: b.floats(), inChannels: shape[1] * groups,
                          outChannels: out, kernel: kernel, stride: stride, padding: padding, groups: groups,
                          activationScale: inputScale)
    }
}
