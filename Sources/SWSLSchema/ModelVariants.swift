/// What this converter knows of timm's and torchvision's ResNet-family model names (timm 1.0's model list,
/// torchvision 0.29's): the ones the schema computes, and the ones it does not, each with the reason. A
/// file that names its model (a hub folder's `config.json`) is held to this table; a bare state dict cannot
/// be, and `ModelVariants.bareStateDictAssumption` says what is assumed for it. Formats/resnet-schema.md
/// carries the same table for people.
public enum ModelVariants {
    /// Where a model name stands.
    public enum Status: Equatable, Sendable {
        /// The schema computes it: its tensors decide the architecture.
        case supported
        /// The schema does not compute it; the reason names what differs.
        case notCovered(String)
    }

    /// Name patterns (whole-name regular expressions over the name without its `.tag`), first match wins.
    static let table: [(pattern: String, status: Status)] = [
        // Same tensors as a plain ResNet, other computation: only the name tells.
        ("(se)?resnetaa.*|seresnextaa.*", .notCovered("anti-aliased downsampling: a 2×2 average pool after each strided 3×3 and in the stem")),
        ("resnetblur.*", .notCovered("blur-pool downsampling: a fixed [1, 2, 1] × [1, 2, 1] filter at each stride")),
        (".*_clip(_gap)?", .notCovered("CLIP's modified ResNet: a three-convolution stem, anti-aliased strides and attention pooling")),
        // Extra or other tensors: refused by them too, named here first.
        ("(legacy_)?se(resne|net).*|(gluon_)?senet.*|gluon_seresne.*", .notCovered("squeeze-and-excitation blocks")),
        ("ecaresnet.*", .notCovered("efficient channel attention (ECA) blocks")),
        ("skresne.*", .notCovered("selective-kernel blocks")),
        ("resnest.*", .notCovered("split-attention (ResNeSt) blocks")),
        ("res2ne.*", .notCovered("Res2Net's multi-scale blocks")),
        ("resnetrs.*", .notCovered("ResNet-RS: squeeze-and-excitation blocks and another stem")),
        ("resnetv2.*", .notCovered("pre-activation (ResNet v2) blocks")),
        ("gcresne.*|resnet\\d+ts|resnext26ts|seresnet33ts|seresnext26ts|resnet51q|resnet61q", .notCovered("timm's ByobNet layout (other blocks and stems)")),
        ("resnet\\d+_gn", .notCovered("group normalization instead of batch normalization")),
        ("resnet\\d+_mlp", .notCovered("an MLP head instead of one linear classifier")),
        ("resnet\\d+t|resnext\\d+t_\\d+x\\d+d", .supported),
        // Plain ResNets, ResNeXts and wide ResNets, with timm's stem and shortcut letters (c, d, s) and the
        // older timm names of the same weights (tv_, tv2_, gluon_, ig_, swsl_, ssl_, fb_).
        ("((tv2?|gluon|ig|swsl|ssl|fb)_)?resnet(10|14|18|26|34|50|101|152|200)[cds]?(_v1[bcds])?", .supported),
        ("((tv2?|gluon|ig|swsl|ssl|fb)_)?resnext(26|50|101|152)[de]?_\\d+x\\d+d", .supported),
        ("(tv_|gluon_)?wide_resnet(50|101)_2", .supported),
    ]

    /// The status of a model name (`resnetaa50d`, `resnet50.fb_swsl_ig1b_ft_in1k`: the `.tag` is ignored);
    /// nil for a name not in the table.
    public static func status(of name: String) -> Status? {
        let base = String(name.split(separator: ".", maxSplits: 1).first ?? Substring(name)).lowercased()
        return compiled.first { (try? $0.regex.wholeMatch(in: base)) != nil }?.status
    }

    /// `table`, its patterns compiled once (a pattern that does not compile is a programming error, not a skip).
    nonisolated(unsafe) private static let compiled: [(regex: Regex<AnyRegexOutput>, status: Status)] =
        table.map { (try! Regex($0.pattern), $0.status) }

    /// What a bare state dict of `name`'s names and shapes is taken for, and what it could also be.
    public static func bareStateDictAssumption(_ name: String?) -> String {
        "read as a plain \(name ?? "ResNet") from names and shapes alone: the file does not say its variant, and "
            + "anti-aliased (resnetaa*), blur-pool (resnetblur*) and dilated variants have the same tensors but compute "
            + "something else; verify with --expected outputs from your framework to rule them out"
    }
}
