/// How one naming convention spells the canonical module paths (Formats/resnet-schema.md): one
/// rule per kind of module, read both ways. Parameter leaves (`weight`, `running_mean`…) are the
/// same in every convention and are not part of the rules.
struct NameTable: Sendable {
    struct Rule: Sendable {
        let source: NamePattern
        let canonical: NamePattern
    }

    let convention: Convention
    /// The shortcut is `AvgPool, Conv, BN` (timm `avg_down`) rather than `Conv, BN`.
    let avgDown: Bool
    let rules: [Rule]

    private init(_ convention: Convention, avgDown: Bool = false, _ pairs: [(String, String)]) {
        self.convention = convention
        self.avgDown = avgDown
        rules = pairs.map { Rule(source: NamePattern($0.0), canonical: NamePattern($0.1)) }
    }

    private static let singleStem = [("conv1", "stem.conv1"), ("bn1", "stem.bn1")]
    private static let deepStem = [
        ("conv1.0", "stem.conv1"), ("conv1.1", "stem.bn1"), ("conv1.3", "stem.conv2"),
        ("conv1.4", "stem.bn2"), ("conv1.6", "stem.conv3"), ("bn1", "stem.bn3"),
    ]
    private static let blocks = [
        ("layer{s}.{b}.conv{k}", "stage{s}.block{b}.conv{k}"), ("layer{s}.{b}.bn{k}", "stage{s}.block{b}.bn{k}"),
    ]
    private static let projection = [
        ("layer{s}.{b}.downsample.0", "stage{s}.block{b}.downsample.conv"),
        ("layer{s}.{b}.downsample.1", "stage{s}.block{b}.downsample.bn"),
    ]
    private static let pooledProjection = [
        ("layer{s}.{b}.downsample.1", "stage{s}.block{b}.downsample.conv"),
        ("layer{s}.{b}.downsample.2", "stage{s}.block{b}.downsample.bn"),
    ]

    /// torchvision and torch.hub, and timm wherever its names are the same.
    static let torchvision = NameTable(.torchvision, singleStem + blocks + projection + [("fc", "fc")])

    /// timm where its names differ from torchvision's: deep stem and/or average-pool shortcut.
    static func timm(deepStem: Bool, avgDown: Bool) -> NameTable {
        NameTable(.timm, avgDown: avgDown, (deepStem ? Self.deepStem : singleStem) + blocks
            + (avgDown ? pooledProjection : projection) + [("fc", "fc")])
    }

    /// Hugging Face transformers' `ResNetForImageClassification`.
    static let huggingFace = NameTable(.huggingface, [
        ("resnet.embedder.embedder.convolution", "stem.conv1"),
        ("resnet.embedder.embedder.normalization", "stem.bn1"),
        ("resnet.encoder.stages.{s-1}.layers.{b}.layer.{k-1}.convolution", "stage{s}.block{b}.conv{k}"),
        ("resnet.encoder.stages.{s-1}.layers.{b}.layer.{k-1}.normalization", "stage{s}.block{b}.bn{k}"),
        ("resnet.encoder.stages.{s-1}.layers.{b}.shortcut.convolution", "stage{s}.block{b}.downsample.conv"),
        ("resnet.encoder.stages.{s-1}.layers.{b}.shortcut.normalization", "stage{s}.block{b}.downsample.bn"),
        ("classifier.1", "fc"),
    ])

    /// The table these (prefix-free) names follow. Names of both torchvision and Hugging Face are ambiguous.
    static func detect(_ names: [String]) throws(SchemaError) -> NameTable {
        let huggingFace = names.first { $0.hasPrefix("resnet.embedder.") || $0.hasPrefix("resnet.encoder.") }
        let torch = names.first { $0.hasPrefix("conv1.") || $0.hasPrefix("layer1.") }
        if let huggingFace, let torch {
            throw .ambiguous("the names mix Hugging Face ('\(huggingFace)') and torchvision/timm ('\(torch)') conventions")
        }
        if huggingFace != nil { return .huggingFace }
        let deepStem = names.contains("conv1.0.weight")
        let pooled = NamePattern("layer{s}.{b}.downsample.2")
        let avgDown = names.contains { pooled.match(module(of: $0)) != nil }
        return deepStem || avgDown ? timm(deepStem: deepStem, avgDown: avgDown) : .torchvision
    }

    /// The canonical name of a source tensor name, nil when no rule matches or the leaf does not
    /// belong to that kind of module.
    func canonical(_ name: String) -> String? {
        let (module, leaf) = Self.split(name)
        for rule in rules {
            if let values = rule.source.match(module), let path = rule.canonical.render(values),
               Self.leaves(of: path).contains(leaf) {
                return path + "." + leaf
            }
        }
        return nil
    }

    /// The source name of a canonical tensor name (the canonical name itself when no rule covers it).
    func source(_ canonical: String) -> String {
        let (module, leaf) = Self.split(canonical)
        for rule in rules {
            if let values = rule.canonical.match(module), let path = rule.source.render(values) { return path + "." + leaf }
        }
        return canonical
    }

    /// The parameter leaves a canonical module has: BatchNorm's four (and its step counter), or weight and bias.
    private static func leaves(of path: String) -> Set<String> {
        let last = path.split(separator: ".").last ?? ""
        guard last.hasPrefix("bn") else { return ["weight", "bias"] }
        return ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    }

    private static func module(of name: String) -> String { split(name).module }

    private static func split(_ name: String) -> (module: String, leaf: String) {
        guard let dot = name.lastIndex(of: ".") else { return ("", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }
}
