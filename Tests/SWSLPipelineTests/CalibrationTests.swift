import Foundation
import Testing
import SWSLCheckpoint
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLPipeline
import SWSLSchema
import SWSLTransform
import SWSLTestSupport
import SWMRuntime

/// Activation calibration against PyTorch: every layer's input maximum, as forward pre-hooks on the
/// timm model record it (Fixtures/generate_calibration.py → golden/calibration/*.json); then the
/// scales' trip into the `.swm` and the integer path that uses them.
@Suite struct CalibrationTests {
    static let models = ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"]
    static let fixtures = EndToEndAccuracyTests.fixtures

    struct Golden {
        let inputs: [String]
        /// Canonical path → the input maximum of each sample, in input order.
        let maxima: [String: [Float]]
    }

    static func golden(_ model: String) throws -> Golden {
        let bytes = try Data(contentsOf: fixtures.appendingPathComponent("golden/calibration/\(model).json"))
        let json = try JSONParser.parse(Array(bytes))
        guard case .array(let inputs)? = json["inputs"], case .object(let layers)? = json["input_max"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var maxima: [String: [Float]] = [:]
        for (path, values) in layers {
            guard case .array(let list) = values else { throw CocoaError(.fileReadCorruptFile) }
            maxima[path] = list.compactMap { v -> Float? in
                switch v {
                case .double(let d): Float(d)
                case .int(let i): Float(i)
                default: nil
                }
            }
        }
        return Golden(inputs: inputs.compactMap { if case .string(let s) = $0 { s } else { nil } }, maxima: maxima)
    }

    static func npy(_ relative: String) throws -> NPYArray {
        try NPYArray.read(path: fixtures.appendingPathComponent("golden/\(relative)").path)
    }

    static func reference(_ model: String) throws -> LoadedModel {
        try LoadedModel.load(path: fixtures.appendingPathComponent("models/\(model).zip.pth").path)
    }

    /// Batches of 1 and 3: the classifier's input is feature-major across the batch, so this also checks
    /// each image's own maximum is taken from its own features.
    @Test(arguments: models, [1, 3])
    func rangesMatchPyTorchInputMaxima(model: String, batchSize: Int) throws {
        let golden = try Self.golden(model)
        let plan = try Self.reference(model).plan
        var sample = 0
        for input in golden.inputs {
            let x = try Self.npy(input)
            let n = x.shape[0]
            let result = try Calibration.run(plan: plan, inputs: x.values, samples: n, height: x.shape[2], width: x.shape[3],
                                             threads: 2, batchSize: batchSize)
            // Every layer but the stem (whose input is the normalised image) gets a range.
            let expectedLayers = Set(golden.maxima.keys.filter { !$0.hasPrefix("stem.") })
            #expect(Set(result.ranges.keys) == expectedLayers, "\(model) \(input)")
            for (path, perSample) in golden.maxima where !path.hasPrefix("stem.") {
                let want = perSample[sample..<sample + n].max()!
                let got = result.ranges[path] ?? -1
                #expect(abs(got - want) <= 1e-4 * max(1, abs(want)), "\(model) \(input) \(path): \(got) vs PyTorch \(want)")
                let spread = perSample[sample..<sample + n].min()! / want
                #expect(abs((result.spread[path] ?? -1) - spread) <= 1e-4, "\(model) \(path) spread")
            }
            sample += n
        }
    }

    /// Converted with scales from the two photos, written, read back: each stored `input_scale`
    /// is the PyTorch maximum over 255, and the integer path on those scales keeps the reference's
    /// answers.
    @Test(arguments: models)
    func calibratedScalesTravelThroughTheFileAndKeepAccuracy(model: String) throws {
        let golden = try Self.golden(model)
        let photos = try ["images/photo.npy", "images/shapes.npy"].map(Self.npy)
        let values = photos.flatMap(\.values)
        let reference = try Self.reference(model)
        let result = try Calibration.run(plan: reference.plan, inputs: values, samples: 2, height: 224, width: 224)

        let path = Self.fixtures.appendingPathComponent("models/\(model).zip.pth").path
        let canonical = try SchemaMapper.map(try CheckpointReader.read(path: path))
        let source = SourceInfo(fileName: model, size: 0, sha256: "", format: "test", wrapper: nil, prefix: nil)
        let options = ConversionOptions(activationScales: result.inputScales,
                                        calibration: .init(method: "max", samples: 2, source: "golden", inputSize: [64, 64],
                                                                     scale: "range / 255"))
        let conversion = Converter.convert(canonical, source: source, options: options)
        let out = TemporaryFiles.root.appendingPathComponent("calib-\(UUID().uuidString).swm").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try SWMWriter.write(to: out, metadata: conversion.metadata, tensors: conversion.tensors)

        let file = try SWMFile.open(path: out, checkCRC: true)
        #expect(file.metadata.quantization.activations?.samples == 2)
        let photoStart = golden.inputs.firstIndex(of: "images/photo.npy")! + 1  // the 64×64 file holds 2 samples
        for (layer, perSample) in golden.maxima where !layer.hasPrefix("stem.") {
            let want = perSample[photoStart..<photoStart + 2].max()! / 255
            guard let entry = file.entry("\(layer).input_scale") else {
                Issue.record("\(model): \(layer).input_scale missing")
                continue
            }
            let got = file.floats(entry)[0]
            #expect(abs(got - want) <= 1e-4 * want, "\(model) \(layer): \(got) vs \(want)")
        }
        #expect(file.entry("stem.conv1.input_scale") == nil)

        let x = values
        let floatLogits = try PlanExecutor(plan: reference.plan, threads: 2).run(input: x, batch: 2, height: 224, width: 224)
        let calibrated = try LoadedModel.load(path: out, int8: Int8Mode(.integer, activations: .calibrated))
        let dynamic = try LoadedModel.load(path: out, int8: Int8Mode(.integer, activations: .dynamic))
        let calibratedLogits = try PlanExecutor(plan: calibrated.plan, threads: 2).run(input: x, batch: 2, height: 224, width: 224)
        let dynamicLogits = try PlanExecutor(plan: dynamic.plan, threads: 2).run(input: x, batch: 2, height: 224, width: 224)
        let classes = reference.architecture.numClasses
        let comparison = LogitComparison(candidate: calibratedLogits, reference: floatLogits, classes: classes)
        #expect(comparison.cosineMin >= 0.99, "\(model): calibrated integer cosine \(comparison.cosineMin)")
        #expect(comparison.top1Agreement == 1, "\(model): top-1 \(comparison.top1Agreement)")
        // The stored scales are really used: on the same inputs, they give other logits than per-input ranges.
        #expect(calibratedLogits != dynamicLogits, "\(model): calibrated scales made no difference")
    }

    @Test func calibrationInputsFromAFolderOfPhotos() throws {
        let preprocessor = ImagePreprocessor(resizeSize: 256, cropSize: 224, mean: [0.485, 0.456, 0.406],
                                             std: [0.229, 0.224, 0.225])
        // A folder walked recursively, in byte order of the relative paths: photo.jpg, shapes.png, sub/photo.jpg;
        // the text file skipped.
        let dir = try TemporaryFiles.directory()
        let manager = FileManager.default
        try manager.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for (source, target) in [("images/photo.jpg", "photo.jpg"), ("images/shapes.png", "shapes.png"), ("images/photo.jpg", "sub/photo.jpg")] {
            try manager.copyItem(at: Self.fixtures.appendingPathComponent(source), to: dir.appendingPathComponent(target))
        }
        try Data("notes".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let inputs = try CalibrationInputs.load(path: dir.path, channels: 3, preprocessor: preprocessor, limit: 64)
        // Decoded and preprocessed as torchvision does.
        #expect(inputs.samples == 3 && inputs.height == 224 && inputs.width == 224)
        let want = try ["images/photo.npy", "images/shapes.npy", "images/photo.npy"].map(Self.npy).flatMap(\.values)
        let worst = zip(inputs.values, want).map { abs($0 - $1) }.max() ?? 1
        #expect(inputs.values.count == want.count && worst <= 1e-5, "largest difference \(worst)")
        let limited = try CalibrationInputs.load(path: dir.path, channels: 3, preprocessor: preprocessor, limit: 1)
        #expect(limited.samples == 1)
    }

    @Test func unusableCalibrationInputsAreRefusedByName() throws {
        let preprocessor = ImagePreprocessor(resizeSize: 256, cropSize: 224, mean: [0, 0, 0], std: [1, 1, 1])
        let dir = TemporaryFiles.root.appendingPathComponent("calib-in-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrongShape = dir.appendingPathComponent("flat.npy").path
        try NPYArray(shape: [2, 12], values: [Float](repeating: 0, count: 24)).write(path: wrongShape)
        let nan = dir.appendingPathComponent("nan.npy").path
        try NPYArray(shape: [1, 3, 2, 2], values: [Float](repeating: .nan, count: 12)).write(path: nan)
        let empty = dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for path in [wrongShape, nan, empty, dir.appendingPathComponent("missing.npy").path] {
            #expect {
                _ = try CalibrationInputs.load(path: path, channels: 3, preprocessor: preprocessor, limit: 8)
            } throws: { error in
                "\(error)".hasPrefix(path)
            }
        }
    }

    /// A stored scale that is not a positive number (or not float32 [1]) is refused by name when
    /// the file is opened (rule 14), whichever arithmetic and activation ranges are asked for.
    @Test(arguments: [Float(-1), 0, .nan, .infinity])
    func badStoredScalesAreRefusedByName(value: Float) throws {
        let path = Self.fixtures.appendingPathComponent("models/resnet18_tiny.zip.pth").path
        let canonical = try SchemaMapper.map(try CheckpointReader.read(path: path))
        let source = SourceInfo(fileName: "resnet18_tiny", size: 0, sha256: "", format: "test", wrapper: nil, prefix: nil)
        var conversion = Converter.convert(canonical, source: source, options: ConversionOptions())
        conversion.setActivationScales(["stage3.block1.conv2": value, "fc": 0.5])
        let out = TemporaryFiles.root.appendingPathComponent("badscale-\(UUID().uuidString).swm").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try SWMWriter.write(to: out, metadata: conversion.metadata, tensors: conversion.tensors)
        for int8 in Int8Arithmetic.allCases {
            for activations in ActivationRanges.allCases {
                #expect {
                    _ = try LoadedModel.load(path: out, int8: Int8Mode(int8, activations: activations))
                } throws: { error in
                    "\(error)".hasPrefix(out) && "\(error)".contains("stage3.block1.conv2.input_scale")
                }
            }
        }
    }
}
