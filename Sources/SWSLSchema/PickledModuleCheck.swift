import SWSLCheckpoint

/// Holds a whole pickled model's (or TorchScript module's) module tree against the schema: the file says
/// what the network computes, beyond its tensors, and is believed or refused by name. Inside the ResNet
/// (the module whose children include the first stage), every module must be one the schema's network
/// has; every convolution's dilation must be 1; the stride, padding and groups of the mapped convolutions
/// are checked against the architecture (`ModelAssembler`), and where a bottleneck's stride sits is read
/// from them.
enum PickledModuleCheck {
    /// Module classes (short names) a plain torchvision or timm ResNet is built of, or that compute nothing
    /// at inference (dropout, drop-path).
    static let plainClasses: Set<String> = [
        "ResNet", "BasicBlock", "Bottleneck", "Sequential", "ModuleList", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d",
        "AdaptiveAvgPool2d", "SelectAdaptivePool2d", "FastAdaptiveAvgPool", "Flatten", "Identity",
        "Linear", "Dropout", "DropPath", "DropBlock2d",
        // torchvision's detection backbones: BatchNorm with fixed statistics, the same computation at inference.
        "FrozenBatchNorm2d",
    ]

    /// Why a module class the schema lacks changes the network, for the refusal.
    static let knownClasses: [String: String] = [
        "AvgPool2d": "anti-aliased downsampling (timm's resnetaa*): an average pool inside the network",
        "BlurPool2d": "blur-pool downsampling (timm's resnetblur*)",
        "SEModule": "squeeze-and-excitation", "SqueezeExcite": "squeeze-and-excitation", "EffectiveSEModule": "squeeze-and-excitation",
        "EcaModule": "efficient channel attention", "CecaModule": "efficient channel attention",
        "SelectiveKernel": "selective-kernel convolutions", "SplitAttn": "split attention (ResNeSt)",
        "GroupNorm": "group normalization", "GroupNormAct": "group normalization", "BatchNormAct2d": "timm's fused norm-activation",
        "AdaptiveMaxPool2d": "global max pooling (the schema's ResNet averages)",
        "AdaptiveAvgMaxPool2d": "global average-plus-max pooling (the schema's ResNet averages)",
        "SiLU": "a SiLU activation (the schema's ResNet uses ReLU)", "GELU": "a GELU activation (the schema's ResNet uses ReLU)",
        "LeakyReLU": "a leaky ReLU (the schema's ResNet uses ReLU)", "ReLU6": "a ReLU6 (the schema's ResNet uses ReLU)",
    ]

    static func apply(_ modules: [PickledModule], to weights: inout SourceWeights) throws(SchemaError) {
        // Source tensor name → canonical name, to name each mapped convolution in the schema's terms.
        var canonical: [String: String] = [:]
        for entry in weights.entries { canonical[entry.source] = entry.canonical }
        // The ResNet itself: the module with a first stage among its children (torchvision's and timm's `layer1`).
        let root = modules.first { $0.children.contains("layer1") }
        for module in modules {
            let short = module.shortClassName
            let inside = root.map { r in r.path.isEmpty || module.path == r.path || module.path.hasPrefix(r.path + ".") } ?? false
            if inside, !plainClasses.contains(short) {
                let pooledShortcut = short == "AvgPool2d" && module.path.hasSuffix("downsample.0")
                if !pooledShortcut {
                    throw .notCovered("\(owner(module.className))'s '\(module.path)' is a \(module.className): "
                        + (knownClasses[short] ?? "a module the schema's ResNet does not have"))
                }
            }
            guard short == "Conv2d" else { continue }
            if let dilation = module.attributes["dilation"], dilation.contains(where: { $0 != 1 }) {
                throw .notCovered("\(owner(module.className))'s '\(module.path)' (\(module.className)) has dilation "
                    + "\(dilation) (a dilated ResNet: torchvision's replace_stride_with_dilation, timm's output_stride); "
                    + "the schema's convolutions have none")
            }
            // A whole module's state dict names are its attribute paths: `layer3.0.conv2` owns `layer3.0.conv2.weight`.
            guard let name = canonical[(module.path.isEmpty ? "" : module.path + ".") + "weight"] else { continue }
            let path = String(name.dropLast(".weight".count))
            let stride = module.attributes["stride"], padding = module.attributes["padding"]
            guard let stride, let padding, stride.count == 2, padding.count == 2, stride[0] == stride[1], padding[0] == padding[1] else {
                if stride != nil || padding != nil {
                    throw .notCovered("\(owner(module.className))'s '\(module.path)' (\(module.className)) has stride "
                        + "\(stride ?? []) and padding \(padding ?? []), not equal in both directions as the schema's are")
                }
                continue
            }
            weights.convAttributes[path] = SourceWeights.ConvAttributes(
                node: module.path, stride: stride[0], padding: padding[0], groups: module.attributes["groups"]?.first ?? 1,
                pickledClass: module.className)
        }
        // A bottleneck's stride: on the 3×3 (v1.5) or the first 1×1 (v1), as the first strided block says.
        if weights.strideOn3x3 == nil, let first = weights.convAttributes["stage2.block0.conv1"],
           weights["stage2.block0.conv3.weight"] != nil {
            weights.strideOn3x3 = first.stride == 1
        }
    }

    /// Whose module it is, for messages: a TorchScript archive's (`__torch__.` classes) or a pickled model's.
    static func owner(_ className: String) -> String {
        className.hasPrefix("__torch__.") ? "the TorchScript model" : "the pickled model"
    }
}
