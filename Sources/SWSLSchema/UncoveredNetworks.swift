import SWSLCheckpoint

/// Networks that a ResNet checkpoint is often mistaken for, recognised so that the refusal says what
/// they are (Formats/resnet-schema.md, "Not covered") instead of naming the first tensor that does
/// not fit.
enum UncoveredNetworks {
    /// Names without their wrapper prefix, with shapes.
    typealias Named = (name: String, shape: [Int])

    /// A CIFAR-style ResNet (He et al.'s CIFAR-10 nets, e.g. resnet20/32/44/56 of `resnet_cifar10`,
    /// or kuangliu's pytorch-cifar): one 3×3 stem convolution `conv1` (at stride 1, without max-pool,
    /// for 32×32 images), `layerN.M` blocks whose shortcuts are parameter-free ("option A": subsample
    /// and zero-pad) or named `shortcut`, and often a `linear` head. Nil when the tensors are not one.
    static func cifarResNet(_ tensors: [Named]) -> String? {
        let byName = Dictionary(tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        guard let stem = byName["conv1.weight"], stem.count == 4, stem[2] == 3, stem[3] == 3,
              byName["layer1.0.conv1.weight"] != nil else { return nil }
        var traits = ["one 3×3 stem convolution (conv1.weight \(stem)) where an ImageNet ResNet has a 7×7 one "
            + "or a deep stem: CIFAR ResNets run it at stride 1 and have no max-pool"]
        let names = tensors.map(\.name)
        if names.contains(where: { $0.contains(".shortcut.") }) {
            traits.append("projection shortcuts named 'shortcut'")
        } else if !names.contains(where: { $0.contains(".downsample.") }) {
            traits.append("no shortcut weights: parameter-free (option A) shortcuts that subsample and zero-pad")
        }
        if byName["linear.weight"] != nil { traits.append("a 'linear' classifier") }
        return "a CIFAR-style ResNet: " + traits.joined(separator: "; ")
            + "; the schema covers ImageNet ResNets"
    }

    /// Convolutions but no residual blocks (VGG's `features.N`, AlexNet, a small CNN). Nil when some
    /// name is a residual block's, or when there are no convolution weights.
    static func plainConvNet(_ tensors: [Named]) -> String? {
        let convs = tensors.filter { $0.shape.count == 4 && $0.name.hasSuffix("weight") }
        let blockWords = ["layer1.", "stages.", "blocks.", "downsample", "shortcut", "encoder.stages"]
        guard !convs.isEmpty, !tensors.contains(where: { t in blockWords.contains { t.name.contains($0) } }) else { return nil }
        let linears = tensors.filter { $0.shape.count == 2 && $0.name.hasSuffix("weight") }
        let first = convs[0]
        return "a plain convolutional network: \(convs.count) convolution weights ('\(first.name)' \(first.shape)"
            + "\(convs.count > 1 ? ", …" : "")) and \(linears.count) linear layer\(linears.count == 1 ? "" : "s"), and no residual blocks "
            + "(no layerN.M or stages.N.blocks.M names)"
    }
}
