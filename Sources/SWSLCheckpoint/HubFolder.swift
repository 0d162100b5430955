#if canImport(Glibc)
import Glibc
#endif
import SWSLCore

/// A Hugging Face hub folder as timm publishes the SWSL/SSL models (`timm/resnet50.fb_swsl_ig1b_ft_in1k`)
/// and timm's `save_for_hf` writes: `config.json` (`architecture`, `num_classes`, `pretrained_cfg`)
/// and the weights as `model.safetensors` and/or `pytorch_model.bin`. Folders that transformers'
/// `save_pretrained` writes (`microsoft/resnet-50`) are read too: their `config.json` describes the
/// network (`model_type`, `hidden_act`, `downsample_in_bottleneck`, `id2label`) and their
/// `preprocessor_config.json` the preprocessing.
public struct HubConfig: Sendable, Equatable {
    /// The folder as given.
    public let folder: String
    /// The weights file read: `model.safetensors` when there is one (no pickle to interpret), else
    /// `pytorch_model.bin`; a path inside `folder`.
    public let weightsPath: String
    /// `config.json`'s `architecture` (timm's model name, `resnet50`); nil when absent.
    public let architecture: String?
    /// `pretrained_cfg` entries (or, for transformers' folders, what `preprocessor_config.json` and
    /// `id2label` say), each nil when absent: `tag`, `license`, `input_size` ([C, H, W]),
    /// `interpolation`, `crop_pct`, `crop_mode`, `mean`, `std`, `num_classes`.
    public let tag: String?
    public let license: String?
    public let inputSize: [Int]?
    public let interpolation: String?
    public let cropPct: Double?
    public let cropMode: String?
    public let mean: [Double]?
    public let std: [Double]?
    public let numClasses: Int?
    /// Where the preprocessing came from: `config.json's pretrained_cfg` (timm),
    /// `preprocessor_config.json` (transformers), nil when the folder says nothing (ImageNet's is used).
    public let preprocessingSource: String?
    /// transformers' `config.json`: `hidden_act`, `downsample_in_bottleneck` (the stride on the first
    /// 1×1 instead of the 3×3), `downsample_in_first_stage`; nil when absent.
    public let hiddenAct: String?
    public let downsampleInBottleneck: Bool?
    public let downsampleInFirstStage: Bool?
    /// transformers' `config.json` `model_type` (`resnet`); nil when absent (timm's folders).
    public var modelType: String? = nil

    /// timm's name of the weights: `architecture.tag` (`resnet50.fb_swsl_ig1b_ft_in1k`), or either part alone.
    public var modelName: String? {
        switch (architecture, tag) {
        case let (a?, t?): "\(a).\(t)"
        case let (a?, nil): a
        case let (nil, t?): t
        default: nil
        }
    }
}

public enum HubFolder {
    /// The weights files a hub folder may hold, in the order one is chosen.
    public static let weightFiles = ["model.safetensors", "pytorch_model.bin"]

    /// Whether `path` names a folder (following symbolic links).
    public static func isFolder(_ path: String) -> Bool { kind(path) == S_IFDIR }

    /// `path` with symbolic links and `.`/`..` resolved (the path as given when that fails).
    public static func realName(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The file type bits of `path` (following symbolic links), nil when it does not exist.
    static func kind(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    /// Reads `folder/config.json` and picks the weights file. Every failure names the file at fault.
    public static func open(_ folder: String) throws(CheckpointError) -> HubConfig {
        var base = folder
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        let configPath = base + "/config.json"
        // The first weights file there is; one that is a folder, a FIFO or a device is refused, not read
        // (nor a folder taken for a nested hub folder).
        var found: String?
        for path in weightFiles.map({ base + "/" + $0 }) {
            switch kind(path) {
            case nil: continue
            case S_IFREG?: found = found ?? path
            default: throw CheckpointError(file: path, reason: .unreadable("not a regular file"))
            }
        }
        guard let weights = found else {
            if access(base + "/model.safetensors.index.json", F_OK) == 0 || access(base + "/pytorch_model.bin.index.json", F_OK) == 0 {
                throw CheckpointError(file: folder, reason: .noWeights("the weights are sharded (*.index.json); "
                    + "a ResNet's fit one file: model.safetensors or pytorch_model.bin"))
            }
            throw CheckpointError(file: folder, reason: .noWeights(
                "a folder is read as a Hugging Face hub folder, and this one has neither model.safetensors nor pytorch_model.bin"))
        }
        guard access(configPath, F_OK) == 0 else {
            throw CheckpointError(file: configPath, reason: .unreadable(
                "missing: a hub folder's config.json says how its images are prepared (pretrained_cfg)"))
        }
        let config = try JSONFile(configPath)
        let json = config.root
        let cfg = json["pretrained_cfg"] ?? .object([])
        guard case .object = cfg else { throw config.fail("pretrained_cfg", "not an object") }
        // The preprocessing: timm's pretrained_cfg, else transformers' preprocessor_config.json.
        var preprocessing: TransformersPreprocessor?
        if json["pretrained_cfg"] == nil, kind(base + "/preprocessor_config.json") != nil {
            preprocessing = try TransformersPreprocessor.read(base + "/preprocessor_config.json")
        }
        var inputSize: [Int]?
        if let sizes = try config.numbers(cfg["input_size"], "pretrained_cfg.input_size") {
            guard sizes.allSatisfy({ $0 >= 1 && $0 <= 65536 && $0.rounded() == $0 }) else {
                throw config.fail("pretrained_cfg.input_size", "not a list of sizes")
            }
            inputSize = sizes.map { Int($0) }
        }
        var cropPct: Double?
        if let value = cfg["crop_pct"], value != .null {
            guard let pct = JSONFile.number(value), pct > 0.1, pct <= 1 else {
                throw config.fail("pretrained_cfg.crop_pct", "not a number in (0.1, 1]")
            }
            cropPct = pct
        }
        var labels: Int?
        if case .object(let pairs)? = json["id2label"] { labels = pairs.count }
        var interpolation = try config.string(cfg["interpolation"], "pretrained_cfg.interpolation")
        var mean = try config.numbers(cfg["mean"], "pretrained_cfg.mean")
        var std = try config.numbers(cfg["std"], "pretrained_cfg.std")
        if let p = preprocessing {
            (inputSize, cropPct, interpolation, mean, std) = (p.inputSize.map { [3, $0, $0] }, p.cropPct, p.interpolation, p.mean, p.std)
        }
        return HubConfig(
            folder: base, weightsPath: weights, architecture: try config.string(json["architecture"], "architecture"),
            tag: try config.string(cfg["tag"], "pretrained_cfg.tag"),
            license: try config.string(cfg["license"], "pretrained_cfg.license"),
            inputSize: inputSize, interpolation: interpolation, cropPct: cropPct,
            cropMode: try config.string(cfg["crop_mode"], "pretrained_cfg.crop_mode"), mean: mean, std: std,
            numClasses: try config.count(cfg["num_classes"] ?? json["num_classes"], "num_classes") ?? labels,
            preprocessingSource: json["pretrained_cfg"] != nil ? "config.json's pretrained_cfg"
                : preprocessing != nil ? "preprocessor_config.json" : nil,
            hiddenAct: try config.string(json["hidden_act"], "hidden_act"),
            downsampleInBottleneck: try config.flag(json["downsample_in_bottleneck"], "downsample_in_bottleneck"),
            downsampleInFirstStage: try config.flag(json["downsample_in_first_stage"], "downsample_in_first_stage"),
            modelType: try config.string(json["model_type"], "model_type"))
    }
}
