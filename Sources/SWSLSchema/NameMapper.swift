import SWSLCheckpoint

/// Maps a state dict's names (torchvision, timm, Hugging Face) onto canonical names, after
/// removing the prefixes that wrapping code adds to every name.
enum NameMapper {
    /// Prefixes added by DataParallel (`module.`), wrappers and Lightning (`model.`), `torch.compile`
    /// (`_orig_mod.`) and EMA copies; removed while every name carries one (`module.model.` too).
    static let wrapperPrefixes = ["module.", "model.", "_orig_mod.", "ema.", "model_ema.", "ema_model.", "shadow."]

    static func weights(_ checkpoint: Checkpoint) throws(SchemaError) -> SourceWeights {
        let names = checkpoint.weights.map(\.name)
        guard !names.isEmpty else { throw .notAResNet("the checkpoint holds no tensors") }
        let prefix = commonPrefix(names)
        let stripped = checkpoint.weights.map { (name: String($0.name.dropFirst(prefix.count)), shape: $0.tensor.shape) }
        if let cifar = UncoveredNetworks.cifarResNet(stripped) { throw .notCovered(cifar) }
        let table: NameTable
        do { table = try NameTable.detect(stripped.map(\.name)) } catch {
            if let plain = UncoveredNetworks.plainConvNet(stripped) { throw .notCovered(plain) }
            throw error
        }
        var weights = SourceWeights(convention: table.convention) { prefix + table.source($0) }
        weights.avgDown = table.avgDown
        var unmatched: [String] = []
        for named in checkpoint.weights {
            guard let canonical = table.canonical(String(named.name.dropFirst(prefix.count))) else {
                unmatched.append(named.name)
                continue
            }
            if canonical.hasSuffix(".num_batches_tracked") { continue }
            try weights.add(canonical, source: named.name, tensor: named.tensor)
        }
        if weights.entries.isEmpty {
            if let plain = UncoveredNetworks.plainConvNet(stripped) { throw .notCovered(plain) }
            let shown = names.prefix(4).map { "'\($0)'" }.joined(separator: ", ")
            let more = names.count > 4 ? ", …" : ""
            throw .notAResNet("none of its \(names.count) tensor names is a ResNet's (\(shown)\(more)); "
                + "expected torchvision/timm names such as 'conv1.weight', 'layer1.0.conv1.weight', 'fc.weight' "
                + "or Hugging Face names such as 'resnet.embedder.embedder.convolution.weight'")
        }
        if let first = unmatched.first { throw .unexpectedTensor(first) }
        return weights
    }

    /// The wrapper prefixes every name starts with, concatenated; "" when none.
    static func commonPrefix(_ names: [String]) -> String {
        var prefix = ""
        while let next = wrapperPrefixes.first(where: { p in names.allSatisfy { $0.hasPrefix(prefix + p) } }) {
            prefix += next
        }
        return prefix
    }
}
