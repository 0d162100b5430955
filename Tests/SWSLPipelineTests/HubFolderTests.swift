import Foundation
import Testing
import SWSLCore
import SWSLFormat
import SWSLPipeline
import SWSLTestSupport
import SWSLTransform
import SWMRuntime

/// A Hugging Face hub folder written by timm's `save_for_hf` (Fixtures/generate_real_world.py):
/// the weights come from its weights file, the preprocessing from its `pretrained_cfg`.
@Suite struct HubFolderTests {
    static let folder = "models/hub/resnet50_tiny.fb_swsl_ig1b_ft_in1k"

    static func convert(_ path: String) throws -> (LoadedModel, String) {
        let out = try TemporaryFiles.directory().appendingPathComponent("hub.swm").path
        let request = ConversionRequest(input: path, output: out, options: ConversionOptions(precision: .fp32))
        _ = try ConversionPipeline.run(request, sourceDigest: { _ in String(repeating: "cd", count: 32) })
        return (try LoadedModel.load(path: out, checkCRC: true), out)
    }

    static func refusal(_ path: String) -> String? {
        do { _ = try convert(path); return nil } catch { return "\(error)" }
    }

    /// A copy of a fixture folder (timm's by default) holding only `files`, and `edited` (its
    /// `config.json` by default) rewritten by `edit`.
    static func copy(_ source: String = folder, keeping files: [String], edited: String = "config.json",
                     editing edit: (inout String) -> Void = { _ in }) throws -> String {
        let target = try TemporaryFiles.directory()
        for name in files {
            try FileManager.default.copyItem(at: FixtureFiles.url("\(source)/\(name)"), to: target.appendingPathComponent(name))
        }
        var text = String(decoding: try FixtureFiles.bytes("\(source)/\(edited)"), as: UTF8.self)
        edit(&text)
        try Data(text.utf8).write(to: target.appendingPathComponent(edited))
        return target.path
    }

    static let transformers = "models/hub/hf_resnet_tiny"

    @Test func folderTakesItsPreprocessingFromPretrainedCfg() throws {
        let golden = try JSONParser.parse(FixtureFiles.bytes("golden/hub__resnet50_tiny.fb_swsl_ig1b_ft_in1k.json"))
        let cfg = try #require(golden["config"]?["pretrained_cfg"])
        let (model, _) = try Self.convert(FixtureFiles.path(Self.folder))
        let metadata = try #require(model.metadata)
        func doubles(_ v: JSONValue?) -> [Double] {
            guard case .array(let items)? = v else { return [] }
            return items.compactMap { if case .double(let d) = $0 { d } else if case .int(let i) = $0 { Double(i) } else { nil } }
        }
        #expect(metadata.preprocessing.inputSize == Int(doubles(cfg["input_size"]).last ?? 0))
        #expect(metadata.preprocessing.cropRatio == doubles(.array([cfg["crop_pct"] ?? .null])).first)
        #expect(metadata.preprocessing.mean == doubles(cfg["mean"]) && metadata.preprocessing.std == doubles(cfg["std"]))
        #expect(metadata.provenance.sourceFile == "resnet50_tiny.fb_swsl_ig1b_ft_in1k/model.safetensors")
        #expect(metadata.provenance.details.modelTag == "resnet50.fb_swsl_ig1b_ft_in1k")
        #expect(metadata.provenance.details.license == "cc-by-nc-4.0")
        // The weights are PyTorch's: the logits on the shared input match its golden.
        let x = try NPYArray.read(path: FixtureFiles.path("golden/input_2x3x64x64.npy"))
        let want = try NPYArray.read(path: FixtureFiles.path("golden/resnet50_tiny_logits.npy")).values
        let got = try EndToEndAccuracyTests.run(model, x)
        let peak = want.map { abs($0) }.max()!
        #expect(zip(got, want).map { abs($0 - $1) }.max()! <= 1e-4 * peak)
    }

    /// Folders transformers' `save_pretrained` wrote: weights by Hugging Face's names, the network's
    /// stride placement from `config.json`, preprocessing from `preprocessor_config.json`; logits
    /// against transformers' own.
    @Test(arguments: ["hf_resnet_tiny", "hf_resnet_tiny_stride1x1"])
    func transformersFolderMatchesTransformers(_ name: String) throws {
        let (model, _) = try Self.convert(FixtureFiles.path("models/hub/\(name)"))
        let x = try NPYArray.read(path: FixtureFiles.path("golden/input_2x3x64x64.npy"))
        let want = try NPYArray.read(path: FixtureFiles.path("golden/hub__\(name)_logits.npy")).values
        let got = try EndToEndAccuracyTests.run(model, x)
        let peak = want.map { abs($0) }.max()!
        #expect(zip(got, want).map { abs($0 - $1) }.max()! <= 1e-4 * peak, "\(name)")
        let preprocessing = try #require(model.metadata?.preprocessing)
        #expect(preprocessing.inputSize == 64 && preprocessing.cropRatio == 0.9 && preprocessing.mean == [0.5, 0.5, 0.5]
                && preprocessing.interpolation == "bilinear")
        #expect(model.architecture.strideOn3x3 == (name == "hf_resnet_tiny"))
    }

    /// `downsample_in_bottleneck` is what puts the stride on the first 1×1: without it the same
    /// weights compute something else, so the flag is read, not assumed.
    @Test func strideFlagDecidesTheLogits() throws {
        let name = "hf_resnet_tiny_stride1x1"
        let flipped = try Self.copy("models/hub/\(name)", keeping: ["model.safetensors", "preprocessor_config.json"]) {
            $0 = $0.replacingOccurrences(of: "\"downsample_in_bottleneck\": true", with: "\"downsample_in_bottleneck\": false")
        }
        let (model, _) = try Self.convert(flipped)
        let x = try NPYArray.read(path: FixtureFiles.path("golden/input_2x3x64x64.npy"))
        let want = try NPYArray.read(path: FixtureFiles.path("golden/hub__\(name)_logits.npy")).values
        let got = try EndToEndAccuracyTests.run(model, x)
        #expect(zip(got, want).map { abs($0 - $1) }.max()! > 1e-2)
    }

    @Test func transformersConfigsTheSchemaDoesNotCoverAreRefused() throws {
        func edited(_ edit: @escaping (String) -> String) throws -> String {
            try Self.copy(Self.transformers, keeping: ["model.safetensors"]) { $0 = edit($0) }
        }
        let gelu = try edited { $0.replacingOccurrences(of: "\"hidden_act\": \"relu\"", with: "\"hidden_act\": \"gelu\"") }
        #expect(Self.refusal(gelu)?.contains("hidden_act is 'gelu'") == true, "\(String(describing: Self.refusal(gelu)))")
        let first = try edited { $0.replacingOccurrences(of: "\"downsample_in_first_stage\": false", with: "\"downsample_in_first_stage\": true") }
        #expect(Self.refusal(first)?.contains("downsample_in_first_stage") == true)
    }

    /// transformers' preprocessor configs: what run can follow is recorded, the rest refused by name.
    @Test func transformersPreprocessorConfigs() throws {
        func folder(_ edit: @escaping (String) -> String) throws -> String {
            try Self.copy(Self.transformers, keeping: ["model.safetensors", "config.json"], edited: "preprocessor_config.json") {
                $0 = edit($0)
            }
        }
        let bicubic = try Self.convert(try folder { $0.replacingOccurrences(of: "\"resample\": 2", with: "\"resample\": 3") }).0
        #expect(bicubic.metadata?.preprocessing.interpolation == "bicubic")
        let bit = try Self.convert(try folder {
            $0.replacingOccurrences(of: "\"ConvNextImageProcessor\"", with: "\"BitImageProcessor\", \"crop_size\": {\"height\": 56, \"width\": 56}")
        }).0
        #expect(bit.metadata?.preprocessing.inputSize == 56 && bit.metadata?.preprocessing.resizeSize == 64)
        let warp = Self.refusal(try folder { $0.replacingOccurrences(of: "\"shortest_edge\": 64", with: "\"shortest_edge\": 384") })
        #expect(warp?.contains("warps to a square") == true, "\(String(describing: warp))")
        let huge = Self.refusal(try folder { $0.replacingOccurrences(of: "\"resample\": 2", with: "\"resample\": 1e300") })
        #expect(huge?.contains("resample") == true, "\(String(describing: huge))")
        let vit = Self.refusal(try folder { $0.replacingOccurrences(of: "\"ConvNextImageProcessor\"", with: "\"ViTImageProcessor\"") })
        #expect(vit?.contains("'ViTImageProcessor' is not read") == true, "\(String(describing: vit))")
    }

    @Test func pickleWeightsAreReadWhenTheyAreTheOnlyOnes() throws {
        let (model, _) = try Self.convert(try Self.copy(keeping: ["pytorch_model.bin"]))
        #expect(model.metadata?.provenance.sourceFile.hasSuffix("/pytorch_model.bin") == true)
        #expect(model.metadata?.provenance.sourceFormat == "pytorch-zip")
    }

    @Test func inconsistentOrIncompleteFoldersAreRefused() throws {
        let noWeights = try Self.copy(keeping: [])
        #expect(Self.refusal(noWeights)?.contains("neither model.safetensors nor pytorch_model.bin") == true)
        let classes = try Self.copy(keeping: ["model.safetensors"]) { $0 = $0.replacingOccurrences(of: "\"num_classes\": 10", with: "\"num_classes\": 1000") }
        let message = Self.refusal(classes)
        #expect(message?.contains("config.json") == true && message?.contains("num_classes 1000") == true, "\(String(describing: message))")
        let squash = try Self.copy(keeping: ["model.safetensors"]) { $0 = $0.replacingOccurrences(of: "\"center\"", with: "\"squash\"") }
        #expect(Self.refusal(squash)?.contains("crop_mode 'squash'") == true)
        let broken = try Self.copy(keeping: ["model.safetensors"]) { $0 = String($0.prefix(40)) }
        #expect(Self.refusal(broken)?.contains("config.json") == true)
        let crop = try Self.copy(keeping: ["model.safetensors"]) { $0 = $0.replacingOccurrences(of: "\"crop_pct\": 0.95", with: "\"crop_pct\": 0") }
        #expect(Self.refusal(crop)?.contains("crop_pct") == true, "\(String(describing: Self.refusal(crop)))")
        let gray = try Self.copy(keeping: ["model.safetensors"]) { $0 = $0.replacingOccurrences(of: "\"input_size\": [\n      3,", with: "\"input_size\": [\n      1,") }
        #expect(Self.refusal(gray)?.contains("input_size") == true, "\(String(describing: Self.refusal(gray)))")
        // A weights "file" that is a folder is refused, not read as a nested hub folder.
        let nested = try Self.copy(keeping: [])
        try FileManager.default.createDirectory(atPath: nested + "/model.safetensors", withIntermediateDirectories: false)
        #expect(Self.refusal(nested)?.contains("model.safetensors: not a regular file") == true, "\(String(describing: Self.refusal(nested)))")
    }

    /// A folder whose pretrained_cfg asks for bicubic resizing (as most of timm's do): the converted file
    /// records it, and run, verify's default inputs and calibration all resize bicubic (they used to resize
    /// bilinear while `run --image` refused the file); a filter none of them applies is refused when converting.
    @Test func theFolderInterpolationIsAppliedEverywhereOrRefused() throws {
        let bicubic = try Self.copy(keeping: ["model.safetensors"]) {
            $0 = $0.replacingOccurrences(of: "\"interpolation\": \"bilinear\"", with: "\"interpolation\": \"bicubic\"")
        }
        let (model, _) = try Self.convert(bicubic)
        #expect(model.preprocessing.interpolation == "bicubic")
        let preprocessor = try ImagePreprocessor(model.preprocessing)
        #expect(preprocessor.resampling == .bicubic)
        let inputs = try VerificationInputs.defaults(channels: 3, size: 64, generated: 0, preprocessing: model.preprocessing)
        let bilinear = try VerificationInputs.defaults(channels: 3, size: 64, generated: 0,
                                                       preprocessing: { var p = model.preprocessing; p.interpolation = "bilinear"; return p }())
        #expect(inputs.values != bilinear.values, "the photographs must be resized with the model's own filter")
        let lanczos = try Self.copy(keeping: ["model.safetensors"]) {
            $0 = $0.replacingOccurrences(of: "\"interpolation\": \"bilinear\"", with: "\"interpolation\": \"lanczos\"")
        }
        let refused = try #require(Self.refusal(lanczos))
        #expect(refused.contains("config.json") && refused.contains("'lanczos'"), "\(refused)")
    }
}
