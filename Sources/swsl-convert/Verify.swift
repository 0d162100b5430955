import ArgumentParser
import SWSLCore
import SWSLFormat
import SWSLPipeline
import SWSLExecutor

/// `swsl-convert verify OUT.swm --reference SRC`: run both and compare the logits.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a .swm reproduces its source checkpoint's outputs.",
        discussion: """
            Runs the .swm and the float reference of SRC on the same inputs and reports top-1/top-5 agreement, \
            the cosine similarity of the logits (min, mean) and the largest absolute and relative differences. \
            Default limits by precision — fp32: cosine ≥ 0.99999, max relative difference ≤ 1e-4, same top-1; \
            fp16: cosine ≥ 0.9999, relative ≤ 1e-2; int8: cosine ≥ 0.99; all: the same top-1 on every input. \
            A top-1 change where the reference's class led by no more than the tie margin (a share of its largest \
            logit: fp32 0, fp16 0.001, int8 0.01) is a near tie: reported, counted as agreement. \
            Without --input or --image the inputs are three families unlike each other and unlike any calibration \
            data: the bundled photographs, drawn shapes and uniform noise, each reported on its own line. They \
            check the conversion, not the model on its task: the verdict says so, and a model trained on other \
            images than everyday photographs, or an int8 file with stored activation ranges, is certified only by \
            its own data (--image, --input). \
            With --expected (and --input), the reference is outside this converter: outputs you computed in \
            your own framework on the same inputs. Only such a reference certifies that the source was read \
            right; --reference alone compares with this converter's own float reading of the source, which a \
            misread file would share. A head with fewer than 8 outputs (a binary classifier, a regression) is \
            judged by its largest difference over the reference's largest |output| (int8 ≤ 0.05, fp16 ≤ 0.01, \
            fp32 ≤ 1e-4) instead of cosine, which one output cannot fail. \
            Exit status: 0 pass, 1 numerical failure, 2 input error.
            """)

    @Argument(help: "The converted model (not with --merge).")
    var model: String = ""

    @Option(help: "The source checkpoint it was converted from (its float reading by this converter is the reference).")
    var reference: String?

    @Option(help: "Outputs computed outside this converter on --input's inputs (float32 .npy [N, classes]): an outside reference, which certifies the reading of the source.")
    var expected: String?

    @Option(help: "Inputs: a float32 .npy [N, C, H, W]. Without it (or --image): the bundled photographs, drawn shapes and noise.")
    var input: String?

    @Option(help: "An image (JPEG or PNG) to use as input, preprocessed as the model's metadata says; repeatable.")
    var image: [String] = []

    @Option(help: "Default inputs: how many to generate beside the bundled photographs (a third noise, the rest shapes).")
    var samples: Int = 6

    @Option(help: "Default inputs: height and width (default: the model's input size).")
    var size: Int?

    @Option(help: "Pass only if the smallest cosine similarity is at least this.")
    var cosineMin: Double?

    @Option(help: "Pass only if this fraction of top-1 classes agree.")
    var top1Min: Double?

    @Option(help: "Pass only if max |a − b| / max |reference| stays below this.")
    var maxRelDiff: Double?

    @Option(help: "Count a top-1 change as a near tie (agreement) when the reference's class led by at most this share of its largest logit; 0 makes top-1 strict.")
    var tieMargin: Double?

    @Flag(help: "Also compare every layer's output (cosine, SQNR, max |Δ| over the layer's range, clipped share) and name the first layer where the error jumps.")
    var layers = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "With --image FOLDER: a label file of 'relative/path label' lines (else class sub-folders give the labels).")
    var labels: String?

    @Option(help: "With --image FOLDER: run only shard I of N (every N-th image from the I-th, I from 1), e.g. 2/4.")
    var shard: String?

    @Option(help: "With --image FOLDER: images per batch (memory grows with it, not with the folder).")
    var batch: Int = 16

    @Option(parsing: .upToNextOption, help: "Add up the results of verify --image FOLDER --shard I/N --json (files) exactly, and judge them as one run.")
    var merge: [String] = []

    @OptionGroup var options: RunOptions

    func validate() throws {
        if !merge.isEmpty {
            guard model.isEmpty, reference == nil, input == nil, image.isEmpty, expected == nil else {
                throw ValidationError("--merge takes only result files (and --json)")
            }
            return
        }
        guard !model.isEmpty else { throw ValidationError("give the converted model (or --merge RESULTS…)") }
        guard input == nil || image.isEmpty else { throw ValidationError("give --input or --image, not both") }
        guard reference != nil || expected != nil else { throw ValidationError("give --reference SRC, --expected OUTPUTS.npy, or both") }
        guard expected == nil || input != nil else {
            throw ValidationError("--expected needs --input: the inputs the expected outputs were computed on")
        }
        guard !layers || reference != nil else { throw ValidationError("--layers needs --reference: it compares layer by layer") }
        guard samples >= 0 else { throw ValidationError("--samples must be at least 0") }
        if let size, size < 1 { throw ValidationError("--size must be at least 1") }
        if let tieMargin, !(tieMargin >= 0 && tieMargin.isFinite) {
            throw ValidationError("--tie-margin must be a finite share ≥ 0, got \(tieMargin)")
        }
    }

    func run() throws {
        if !merge.isEmpty { return try runMerge() }
        if image.count == 1, ImageFolder.isFolder(image[0]) { return try runDataset(folder: image[0]) }
        guard labels == nil, shard == nil else { throw CommandFailure(place: nil, "--labels and --shard need --image FOLDER") }
        if let folder = image.first(where: ImageFolder.isFolder) {
            throw CommandFailure(place: folder, "a folder is taken alone: give --image FOLDER once")
        }
        let candidate = try loadModel(model, checkCRC: true, int8: options.int8Mode)
        let source = try reference.map { try loadModel($0) }
        if let source, let reference, candidate.architecture.numClasses != source.architecture.numClasses {
            throw CommandFailure(place: model, "\(candidate.architecture.numClasses) classes, \(reference) has \(source.architecture.numClasses)")
        }
        let (values, shape, origin, groups) = try image.isEmpty
            ? inputs(for: candidate)
            : { let (v, s) = try imageBatch(image, for: candidate); return (v, s, image.joined(separator: ", "), []) }()
        let (n, h, w) = (shape[0], shape[2], shape[3])
        let classes = candidate.architecture.numClasses
        let a = try execute(candidate, input: values, batch: n, height: h, width: w, threads: options.threads)
        let reading = try source.map { try execute($0, input: values, batch: n, height: h, width: w, threads: options.threads) }
        let outside = try expected.map { try Self.expectedOutputs($0, samples: n, classes: classes) }
        let b = outside ?? reading!
        let comparison = LogitComparison(candidate: a, reference: b, classes: classes)
        // With both references: the converter's float reading of the source against the outside outputs, at
        // fp32's limits — what certifies that the file was read as its framework reads it.
        var readingCheck: LogitComparison?
        if let reading, let outside { readingCheck = LogitComparison(candidate: reading, reference: outside, classes: classes) }
        let readingLimits = VerifyThresholds.defaults(precision: .fp32)
        let readingFailures = readingCheck.map { readingLimits.failures($0).map { "the float reading of \(reference!) against \(expected!): " + $0 } } ?? []
        let referenceKind = outside != nil ? "outside" : "own_reading"
        let referenceText = outside != nil
            ? "outside reference: \(expected!) (outputs computed outside this converter)"
            : "this converter's own float reading of \(reference!) (it cannot see a misreading it shares; --expected can)"
        let limits = thresholds(precision: candidate.precision)
        let nearTies = comparison.nearTies(tieMargin: limits.tieMargin)
        let failures = limits.failures(comparison) + readingFailures
        let perGroup = groups.map { group in
            (group, LogitComparison(candidate: Array(a[group.range.lowerBound * classes..<group.range.upperBound * classes]),
                                    reference: Array(b[group.range.lowerBound * classes..<group.range.upperBound * classes]),
                                    classes: classes))
        }
        let scope = VerifyScope(model: candidate, options: options, defaultInputs: !groups.isEmpty)
        let perLayer: [LayerComparison.Layer]
        do {
            perLayer = layers ? try LayerComparison.run(candidate: candidate.plan, reference: source!.plan, input: values,
                                                        images: n, channels: shape[1], height: h, width: w,
                                                        threads: options.threads) : []
        } catch {
            throw CommandFailure(place: model, error: error)
        }
        let jump = layers ? LayerComparison.firstJump(perLayer) : nil
        if json {
            var pairs: [(String, JSONValue)] = [
                ("model", .string(model)), ("reference", reference.map(JSONValue.string) ?? .null),
                ("expected", expected.map(JSONValue.string) ?? .null), ("reference_kind", .string(referenceKind)),
                ("reference_description", .string(referenceText)),
                ("reading_vs_expected", readingCheck.map(\.json) ?? .null),
                ("reference_assumption", source?.assumption.map(JSONValue.string) ?? .null),
                ("precision", .string(candidate.precisionName)),
                ("inputs", .string(origin)),
            ]
            pairs += [                ("input_groups", .array(perGroup.map { group, c in
                    .object([("name", .string(group.name)), ("description", .string(group.description)),
                             ("count", .int(Int64(group.range.count))), ("top1_agreement", .double(c.top1Agreement)),
                             ("cosine_min", .double(c.cosineMin))])
                })),
            ]
            pairs += [                ("int8", scope.int8.map(JSONValue.string) ?? .null),
                ("kernels", .string(KernelChoice.fromEnvironment.record)),
                ("covers", .string(scope.covers)),
                ("needs_own_inputs", .bool(scope.needsOwnInputs)), ("advice", scope.advice.map(JSONValue.string) ?? .null),
                ("comparison", comparison.json),
            ]
            pairs += [                ("layers", layers ? .array(perLayer.map { layer in
                    .object([("name", .string(layer.name)), ("cosine_min", .double(layer.cosineMin)),
                             ("sqnr_db", .double(layer.sqnr)), ("max_rel_diff", .double(layer.maxRelativeDifference)),
                             ("norm_ratio", .double(layer.normRatio)),
                             ("clipped_input_share", layer.clippedInputShare.map(JSONValue.double) ?? .null)])
                }) : .null),
                ("first_jump", jump.map { jump in
                    .object([("layer", .string(perLayer[jump.index].name)), ("kind", .string(jump.kind)),
                             ("sqnr_db", .double(jump.sqnr)), ("previous_min_sqnr_db", .double(jump.previousSQNR)),
                             ("explanation", .string(LayerComparison.explain(jump.kind)))])
                } ?? .null),
                ("top1_near_ties", .int(Int64(nearTies))),
                ("top1_agreement_counting_near_ties", .double(comparison.top1Agreement(tieMargin: limits.tieMargin))),
                ("criterion", .string(limits.criterion(comparison))),
                ("thresholds", .object([("cosine_min", .double(limits.cosineMin)), ("top1_min", .double(limits.top1Min)),
                                        ("scaled_diff_max", .double(limits.scaledDiffMax)),
                                        ("tie_margin", .double(limits.tieMargin)),
                                        ("max_rel_diff", limits.maxRelDiff.isFinite ? .double(limits.maxRelDiff) : .null)])),
                ("pass", .bool(failures.isEmpty)), ("failures", .array(failures.map(JSONValue.string))),
            ]
            print(JSONValue.object(pairs).serialized(pretty: true))
        } else {
            let f = ConversionSummary.fixed
            print("""
                \(model) (\(candidate.precisionName)), \(comparison.samples) inputs (\(origin))
                  reference        \(referenceText)
                  top-1 agreement  \(f(comparison.top1Agreement * 100, 1))%   top-5 agreement \(f(comparison.top5Agreement * 100, 1))%
                  cosine           min \(f(comparison.cosineMin, 6))   mean \(f(comparison.cosineMean, 6))
                  max difference   abs \(comparison.maxAbsDiff)   relative \(comparison.maxRelDiff)
                """)
            for (group, c) in perGroup {
                let name = group.name.rightPadded(16)
                print("  \(name) \(group.range.count) inputs: top-1 \(f(c.top1Agreement * 100, 1))%, cosine min \(f(c.cosineMin, 6))")
            }
            if comparison.hasFewOutputs {
                print("  judged by        \(limits.criterion(comparison)): \(comparison.scaledMaxDiff)")
            }
            if let assumption = source?.assumption, outside == nil {
                print("  reading          \(assumption)")
            }
            if let readingCheck {
                print("  source reading   \(reference!) read by this converter against \(expected!): cosine min "
                      + "\(f(readingCheck.cosineMin, 6)), max relative difference \(readingCheck.maxRelDiff)")
            }
            if let int8 = scope.int8 { print("  int8             \(int8)") }
            print("  kernels          \(KernelChoice.fromEnvironment.record) (the result holds for these; SWSL_KERNELS chooses)")
            if layers { printLayers(perLayer, jump: jump) }
            if let lead = comparison.top1DisagreementLead {
                let changes = comparison.top1Leads.compactMap { $0 }.count
                let tieNote = nearTies == 0 ? "none a near tie"
                    : nearTies == changes ? (changes == 1 ? "a near tie" : "all near ties")
                    : "\(nearTies) of \(changes) near ties"
                print("  top-1 changes    \(changes), where the reference led by at most \(f(lead * 100, 2))% of its largest logit"
                      + " (\(tieNote); tie margin \(f(limits.tieMargin * 100, 2))%)")
            }
            let against = outside != nil ? "against an outside reference (\(expected!))"
                : "against this converter's own reading of the source (not a check of that reading: --expected is)"
            print(failures.isEmpty ? "PASS on \(scope.covers), \(against)" : "FAIL: " + failures.joined(separator: "; "))
            if let advice = scope.advice { print(advice) }
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// The per-layer table and the first jump, for people.
    private func printLayers(_ layers: [LayerComparison.Layer], jump: LayerComparison.Jump?) {
        let f = ConversionSummary.fixed
        let width = max(24, (layers.map(\.name.count).max() ?? 0) + 2)
        print("  " + "layer".rightPadded(width) + "cosine min   SQNR dB   max|Δ|/range   norm ratio   clipped input")
        for (index, layer) in layers.enumerated() {
            let clipped = layer.clippedInputShare.map { f($0 * 100, 3) + "%" } ?? "-"
            let mark = jump?.index == index ? "  <- first jump" : ""
            let columns: [String] = [layer.name.rightPadded(width), f(layer.cosineMin, 6).rightPadded(13),
                                     f(layer.sqnr, 1).rightPadded(10), f(layer.maxRelativeDifference, 4).rightPadded(15),
                                     f(layer.normRatio, 3).rightPadded(13), clipped, mark]
            print("  " + columns.joined())
        }
        if let jump {
            print("  first jump: \(layers[jump.index].name), SQNR \(f(jump.sqnr, 1)) dB against ≥ \(f(jump.previousSQNR, 1)) dB before it "
                  + "(\(jump.kind): \(LayerComparison.explain(jump.kind)))")
        } else {
            print("  first jump: none (no layer falls \(Int(LayerComparison.jumpDecibels)) dB below the layers before it)")
        }
    }

    /// The outside reference's outputs: a float .npy of `samples × classes` values ([N, classes] or [N]
    /// for one output), refused by name when its shape does not fit the inputs and the model.
    static func expectedOutputs(_ path: String, samples: Int, classes: Int) throws -> [Float] {
        do {
            let array = try NPYArray.read(path: path)
            let fits = array.shape == [samples, classes] || (classes == 1 && array.shape == [samples])
            guard fits else {
                throw CommandFailure(place: path, "expected outputs must be [\(samples), \(classes)] (one row per input, "
                                     + "one value per class), got \(array.shape)")
            }
            guard array.values.allSatisfy(\.isFinite) else { throw CommandFailure(place: path, "expected outputs hold a NaN or infinity") }
            return array.values
        } catch let e as NPYArray.FormatError {
            throw CommandFailure(place: path, "\(e)")
        }
    }

    /// The precision's default limits with the flags' overrides.
    func thresholds(precision: Precision) -> VerifyThresholds {
        var limits = VerifyThresholds.defaults(precision: precision)
        if let cosineMin { limits.cosineMin = cosineMin }
        if let top1Min { limits.top1Min = top1Min }
        if let maxRelDiff { limits.maxRelDiff = maxRelDiff }
        if let tieMargin { limits.tieMargin = tieMargin }
        return limits
    }

    private func inputs(for model: LoadedModel) throws -> ([Float], [Int], String, [VerificationInputs.Group]) {
        let channels = model.architecture.inputChannels
        guard let input else {
            let preprocessing = model.preprocessing
            let side = size ?? preprocessing.inputSize
            let set: VerificationInputs
            do { set = try VerificationInputs.defaults(channels: channels, size: side, generated: samples, preprocessing: preprocessing) }
            catch { throw CommandFailure(place: model.path, error: error) }
            return (set.values, set.shape, "default: " + set.groups.map(\.description).joined(separator: ", ") + ", \(side)×\(side)",
                    set.groups)
        }
        do {
            let array = try NPYArray.read(path: input)
            guard array.shape.count == 4, array.shape[1] == channels else {
                throw CommandFailure(place: input, "input must be [N, \(channels), H, W], got \(array.shape)")
            }
            return (array.values, array.shape, input, [])
        } catch let e as NPYArray.FormatError {
            throw CommandFailure(place: input, "\(e)")
        }
    }
}

/// What a verify run covers, and when only the user's own inputs can certify the result.
struct VerifyScope {
    /// How int8 ran, for int8 files: the arithmetic and where activation ranges came from.
    let int8: String?
    /// What the verdict covers.
    let covers: String
    /// Whether the verdict falls short of certifying the model on its own data.
    let needsOwnInputs: Bool
    /// What to do about it; nil when the user's own inputs were used.
    let advice: String?

    init(model: LoadedModel, options: RunOptions, defaultInputs: Bool) {
        let isInt8 = model.precision == .int8
        let stored = model.metadata?.quantization.activations
        let mode = options.int8Mode
        if isInt8 {
            var text = mode.summary(fileHasRanges: stored != nil)
            if let stored, mode.usesStoredRanges(fileHasRanges: true) {
                text += " (calibrated on \(stored.samples) inputs from \(stored.source))"
            }
            int8 = text
        } else {
            int8 = nil
        }
        let architecture = model.architecture
        let photoModel = architecture.inputChannels == 3 && architecture.numClasses == 1000
        covers = defaultInputs ? "generic inputs (photographs, shapes, noise): the conversion matches its source"
            : "your inputs"
        guard defaultInputs else {
            needsOwnInputs = false
            advice = nil
            return
        }
        needsOwnInputs = true
        var reasons: [String] = []
        if !photoModel {
            reasons.append("this model takes \(architecture.inputChannels)-channel inputs into \(architecture.numClasses) classes, "
                           + "not ImageNet photographs, so the default inputs are outside its domain")
        }
        if isInt8 && mode.usesStoredRanges(fileHasRanges: stored != nil) {
            reasons.append("its stored activation ranges clip whatever exceeds the calibration data, so they hold only for inputs like it")
        }
        advice = reasons.isEmpty
            ? "These are not your data: to certify the model on its task, verify with inputs from it (--image FILE, --input X.npy)."
            : "Real inputs needed: " + reasons.joined(separator: "; ") + ". Certify with inputs from the model's own data (--image FILE, --input X.npy)."
    }
}
