import SWSLNetwork
/// Infers the architecture from canonical names and a handful of shapes; the shapes of all other
/// tensors are then checked against it (`ModelAssembler`). Shared by every convention.
enum ArchitectureInference {
    static func infer(_ w: SourceWeights) throws(SchemaError) -> ResNetArchitecture {
        let stemConvs = count { w["stem.conv\($0 + 1).weight"] != nil }
        guard stemConvs > 0 else {
            throw .notAResNet("it has no stem convolution ('\(w.name("stem.conv1.weight"))')")
        }
        guard stemConvs == 1 || stemConvs == 3 else {
            throw .notAResNet("its stem has \(stemConvs) convolutions; a ResNet stem has one 7×7 or three 3×3")
        }
        let layers = try blocksPerStage(w)
        // The .swm architecture and the executor's plans have four stages (every torchvision and timm ResNet
        // has); a network with another count is refused here, before anything is written, rather than written
        // into a file that run and verify then refuse.
        guard layers.count == 4 else {
            throw .notCovered("a ResNet with \(layers.count) stage\(layers.count == 1 ? "" : "s") of residual blocks "
                + "('\(w.name("stage1.block0.conv1.weight"))' …); the schema's ResNets have four")
        }
        let block: ResNetArchitecture.Block = w["stage1.block0.conv3.weight"] != nil ? .bottleneck : .basic
        let last = block == .bottleneck ? "conv3" : "conv2"
        var widths: [Int] = []
        for (s, count) in layers.enumerated() {
            let name = "\(CanonicalPath.block(s + 1, count - 1)).\(last).weight"
            guard w[name] != nil else { throw .missingTensor(w.name(name)) }
            widths.append(w.dim(name, 0))
        }
        guard w["fc.weight"] != nil else { throw .missingTensor(w.name("fc.weight")) }

        var groups = 1, widthPerGroup = 64
        if block == .bottleneck {
            // torchvision: width = planes × width_per_group / 64 × groups, planes = out / 4.
            let width = w.dim("stage1.block0.conv1.weight", 0)
            let perGroup = w.dim("stage1.block0.conv2.weight", 1)
            if perGroup > 0, width % perGroup == 0 { groups = width / perGroup }
            let planes = widths[0] / 4
            if planes > 0 { widthPerGroup = width * 64 / (planes * groups) }
        }
        // A deep stem whose first two convolutions differ in width is timm's tiered one (24, 32, 64);
        // its width is the second's, and the shapes check that the first has 3⌊w/4⌋.
        let tiered = stemConvs == 3 && w.dim("stem.conv1.weight", 0) != w.dim("stem.conv2.weight", 0)
        var architecture = ResNetArchitecture(
            block: block, layers: layers, widths: widths,
            stemWidth: w.dim(tiered ? "stem.conv2.weight" : "stem.conv1.weight", 0),
            stemType: stemConvs == 1 ? .single : tiered ? .tiered : .deep, groups: groups, widthPerGroup: widthPerGroup,
            avgDown: w.avgDown, numClasses: w.dim("fc.weight", 0), inputChannels: w.dim("stem.conv1.weight", 1),
            strideOn3x3: w.strideOn3x3 ?? true)
        architecture.name = KnownModels.name(for: architecture)
        return architecture
    }

    /// Blocks per stage from the `stage{s}.block{b}` names: stages 1…S, each with blocks 0…n−1;
    /// the first gap is a missing tensor.
    private static func blocksPerStage(_ w: SourceWeights) throws(SchemaError) -> [Int] {
        let pattern = NamePattern("stage{s}.block{b}")
        var blocks: [Int: Set<Int>] = [:]
        for entry in w.entries {
            let path = entry.canonical.split(separator: ".").prefix(2).joined(separator: ".")
            if let values = pattern.match(path), let s = values["s"], let b = values["b"] { blocks[s, default: []].insert(b) }
        }
        // Stage numbers below 1 cannot be mapped; their tensors are left over, so unexpected.
        let stages = blocks.keys.filter { $0 >= 1 }.count
        guard stages > 0 else {
            throw .notAResNet("it has no residual blocks ('\(w.name("stage1.block0.conv1.weight"))')")
        }
        return try (1...stages).map { s throws(SchemaError) in
            let present = blocks[s] ?? []
            if let gap = (0..<max(present.count, 1)).first(where: { !present.contains($0) }) {
                throw .missingTensor(w.name("\(CanonicalPath.block(s, gap)).conv1.weight"))
            }
            return present.count
        }
    }

    /// How many of 0, 1, 2… satisfy `present`, stopping at the first that does not.
    private static func count(_ present: (Int) -> Bool) -> Int {
        var n = 0
        while present(n) { n += 1 }
        return n
    }
}
