/// The twelve SSL and SWSL models of "Billion-scale semi-supervised learning for image
/// classification" (Yalniz et al., 2019) as released: the files torch.hub downloads (listed in
/// `hubconf.py` of facebookresearch/semi-supervised-ImageNet1K-models), their sizes (timm's model
/// cards), and the names the models go by in torch.hub and timm.
public struct OfficialRelease: Sendable, Equatable {
    /// torch.hub's entry point: `resnet50_swsl`.
    public let hubEntry: String
    /// timm's name until 0.9: `swsl_resnet50`.
    public let timmOldName: String
    /// timm's current name, also its Hugging Face hub repository under `timm/`: `resnet50.fb_swsl_ig1b_ft_in1k`.
    public let timmName: String
    /// The released file: `semi_weakly_supervised_resnet50-16a12f1b.pth`.
    public let fileName: String
    /// Its size in bytes.
    public let size: Int
    /// The architecture it holds (`KnownModels` names it so).
    public let architecture: String
    /// ImageNet-1k validation top-1 accuracy (%) the authors published for it (the paper's table, as the
    /// release's README gives it).
    public let publishedTop1: Double

    /// The hex digits after the last `-` of the file name: the start of the file's SHA-256.
    public var hashPrefix: String { OfficialReleases.hashPrefix(of: fileName) ?? "" }

    /// The release under all its names, as `inspect` and `convert` print it: `resnet50_swsl
    /// (semi_weakly_supervised_resnet50-16a12f1b.pth): torch.hub resnet50_swsl, timm swsl_resnet50, now
    /// resnet50.fb_swsl_ig1b_ft_in1k (Hugging Face timm/resnet50.fb_swsl_ig1b_ft_in1k)`.
    public var names: String {
        "\(hubEntry) (\(fileName)): torch.hub \(hubEntry), timm \(timmOldName), now \(timmName) (Hugging Face timm/\(timmName))"
    }
}

/// What a source file's name, size and SHA-256 say about it.
public struct ReleaseCheck: Sendable, Equatable {
    /// The release the file is: its name or its hash prefix and size match one, and nothing contradicts it.
    public let release: OfficialRelease?
    /// Contradictions, each one line: a hash that is not the one the name promises, a size that is
    /// not the release's.
    public let warnings: [String]

    /// Takes the fields as given.
    public init(release: OfficialRelease?, warnings: [String]) {
        self.release = release
        self.warnings = warnings
    }
}

public enum OfficialReleases {
    public static let all: [OfficialRelease] = {
        // (model, ssl file, swsl file, size, published top-1 % of SSL and SWSL): the two files of one architecture
        // have the same size.
        let models: [(String, String, String, String, Int, Double, Double)] = [
            ("resnet18", "resnet18", "semi_supervised_resnet18-d92f0530.pth", "semi_weakly_supervised_resnet18-118f1556.pth",
             46_811_375, 72.8, 73.4),
            ("resnet50", "resnet50", "semi_supervised_resnet50-08389792.pth", "semi_weakly_supervised_resnet50-16a12f1b.pth",
             102_480_594, 79.3, 81.2),
            ("resnext50_32x4d", "resnext50_32x4d", "semi_supervised_resnext50_32x4-ddb3e555.pth",
             "semi_weakly_supervised_resnext50_32x4-72679e44.pth", 100_428_550, 80.3, 82.2),
            ("resnext101_32x4d", "resnext101_32x4d", "semi_supervised_resnext101_32x4-dc43570a.pth",
             "semi_weakly_supervised_resnext101_32x4-3f87e46b.pth", 177_341_913, 81.0, 83.4),
            ("resnext101_32x8d", "resnext101_32x8d", "semi_supervised_resnext101_32x8-2cfe2f8b.pth",
             "semi_weakly_supervised_resnext101_32x8-b4712904.pth", 356_056_638, 81.7, 84.3),
            ("resnext101_32x16d", "resnext101_32x16d", "semi_supervised_resnext101_32x16-15fffa57.pth",
             "semi_weakly_supervised_resnext101_32x16-f3559a9c.pth", 777_518_664, 81.9, 84.8),
        ]
        var all: [OfficialRelease] = []
        for (model, architecture, ssl, swsl, size, sslTop1, swslTop1) in models {
            all.append(OfficialRelease(hubEntry: "\(model)_ssl", timmOldName: "ssl_\(model)",
                                       timmName: "\(model).fb_ssl_yfcc100m_ft_in1k", fileName: ssl, size: size,
                                       architecture: architecture, publishedTop1: sslTop1))
            all.append(OfficialRelease(hubEntry: "\(model)_swsl", timmOldName: "swsl_\(model)",
                                       timmName: "\(model).fb_swsl_ig1b_ft_in1k", fileName: swsl, size: size,
                                       architecture: architecture, publishedTop1: swslTop1))
        }
        return all
    }()

    /// The hash prefix a torch.hub-style file name carries (`-16a12f1b.pth`, as torch.hub's
    /// `check_hash` reads it): the lowercase hex digits between the last `-` and the following `.`.
    /// Nil when the name has none; when there are fewer than 8 (torchvision's and these releases'
    /// length); or when they are all decimal digits, unless the name is a release's, so that dates and
    /// counters (`resnet50-20240101.pth`, `checkpoint-000100.pth`) are not taken for hashes.
    public static func hashPrefix(of fileName: String) -> String? {
        guard let dash = fileName.lastIndex(of: "-") else { return nil }
        let rest = fileName[fileName.index(after: dash)...]
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let digits = rest[..<dot]
        guard digits.count >= 8, digits.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return nil }
        guard digits.contains(where: { ("a"..."f").contains($0) }) || all.contains(where: { $0.fileName == fileName }) else {
            return nil
        }
        return String(digits)
    }

    /// Checks a source file's name (without folders), size and hex SHA-256 (empty when not known).
    ///
    /// - A torch.hub-style name whose hash prefix is not the start of the SHA-256 is a damaged or
    ///   altered download: torch.hub would refuse it.
    /// - A file named like a release must have the release's size.
    /// - A file is a release when its name matches and nothing contradicts it, or (renamed) when its
    ///   size and SHA-256 prefix match one.
    public static func check(fileName: String, size: Int, sha256: String) -> ReleaseCheck {
        var warnings: [String] = []
        let digest = sha256.lowercased()
        if let prefix = hashPrefix(of: fileName), !digest.isEmpty, !digest.hasPrefix(prefix) {
            warnings.append("its name says its SHA-256 starts with \(prefix) (torch.hub's naming, which "
                + "load_state_dict_from_url(check_hash=True) enforces), but it starts with \(digest.prefix(prefix.count)): "
                + "a damaged or altered download, or another file under this name")
        }
        if let named = all.first(where: { $0.fileName == fileName }) {
            if size != named.size {
                warnings.append("it is named like the official \(named.hubEntry) release, which is \(named.size) bytes, but it is "
                    + "\(size) bytes: not that file (truncated, damaged or a different file)")
            }
            return ReleaseCheck(release: warnings.isEmpty ? named : nil, warnings: warnings)
        }
        if !digest.isEmpty, let renamed = all.first(where: { $0.size == size && digest.hasPrefix($0.hashPrefix) }) {
            return ReleaseCheck(release: renamed, warnings: warnings)
        }
        return ReleaseCheck(release: nil, warnings: warnings)
    }
}
