#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SWSLCore
import SWSLFormat
import SWSLExecutor
import SWSLPipeline
import SWSLSchema

/// `verify OUT.swm --reference SRC --image FOLDER`: the dataset loop. Images stream through in batches
/// (memory bounded by the batch, not the folder), both models run on each batch, and the tally adds up
/// agreement, cosine, and with labels both models' accuracy and the paired flips.
extension Verify {
    func runDataset(folder root: String) throws {
        guard let reference else { throw CommandFailure(place: nil, "--image FOLDER needs --reference: the dataset loop runs both") }
        guard expected == nil, !layers else { throw CommandFailure(place: nil, "--image FOLDER takes neither --expected nor --layers") }
        guard batch >= 1 && batch <= 1024 else { throw CommandFailure(place: nil, "--batch must be in 1…1024") }
        let (shardIndex, shardCount) = try Self.parseShard(shard)
        let candidate = try loadModel(model, checkCRC: true, int8: options.int8Mode)
        let source = try loadModel(reference)
        let classes = candidate.architecture.numClasses
        guard classes == source.architecture.numClasses else {
            throw CommandFailure(place: model, "\(classes) classes, \(reference) has \(source.architecture.numClasses)")
        }
        let folder: ImageFolder
        let labelSet: DatasetLabels?
        do {
            folder = try ImageFolder(root)
            labelSet = try labels.map { path throws(RuntimeError) in try DatasetLabels.file(path, folder: folder, classes: classes) }
                ?? DatasetLabels.imageFolder(folder, classes: classes)
        } catch { throw CommandFailure(error) }
        let chosen = Array(stride(from: shardIndex, to: folder.images.count, by: shardCount))
        guard !chosen.isEmpty else { throw CommandFailure(place: root, "no .jpg, .jpeg or .png images\(shard.map { " in shard \($0)" } ?? "")") }

        let paths = folder.paths
        // The two models run one after the other on each batch, in one set of activation buffers.
        let memory = ActivationMemory()
        let a = PlanExecutor(plan: candidate.plan, threads: options.threads, memory: memory)
        let b = PlanExecutor(plan: source.plan, threads: options.threads, memory: memory)
        // The paper's number beside the user's, for an official release measured on ImageNet labels: whether the
        // reference is one (a hash of the whole file when its name or size could be) is found beside the loop.
        let release = labelSet?.isImageNet == true ? BackgroundWork { [reference] in Inspect.release(of: reference) } : nil
        var tally = DatasetTally()
        let progress = DatasetProgress(total: chosen.count, live: isatty(2) == 1 && !json)
        let batches = stride(from: 0, to: chosen.count, by: batch).map { Array(chosen[$0..<min($0 + batch, chosen.count)]) }
        var done = 0
        try forEachImageBatch(batches.map { $0.map { paths[$0] } }, for: candidate) { index, values, shape in
            let indices = batches[index]
            let (n, h, w) = (shape[0], shape[2], shape[3])
            let logitsA: [Float], logitsB: [Float]
            do {
                logitsA = try a.run(input: values, batch: n, height: h, width: w)
                logitsB = try b.run(input: values, batch: n, height: h, width: w)
            } catch { throw CommandFailure(place: model, error: error) }
            tally.add(candidate: logitsA, reference: logitsB, classes: classes,
                      labels: indices.map { labelSet?.labels[$0] ?? nil }, names: indices.map { folder.images[$0] })
            done += n
            progress.update(done: done)
        }
        progress.finish()
        let published = release?.wait().release
        let context = DatasetContext(model: model, reference: reference, precision: candidate.precisionName,
                                     computedIn: candidate.precision, folder: folder.root,
                                     imagesInFolder: folder.images.count, skipped: folder.skipped, shards: shard.map { [$0] } ?? [],
                                     labels: labelSet?.description, publishedTop1: published?.publishedTop1,
                                     publishedName: published?.hubEntry)
        try report(tally, context)
    }

    /// `verify --merge A.json B.json …`: shard results (`verify --image FOLDER --shard I/N --json`) added up
    /// exactly, counts not averages, and judged as one run.
    func runMerge() throws {
        var contexts: [DatasetContext] = [], sums: [JSONValue] = []
        for path in merge {
            let storage: ByteStorage
            do { storage = try ByteStorage.map(path: path) } catch { throw CommandFailure(place: path, error: error) }
            guard storage.count <= 256 << 20 else { throw CommandFailure(place: path, "a result file over 256 MB") }
            let json: JSONValue
            do { json = try withExtendedLifetime(storage) { () throws(JSONParser.ParseError) in try JSONParser.parse(storage.bytes) } } catch { throw CommandFailure(place: path, "not JSON: \(error)") }
            guard let context = DatasetContext(json: json), let part = json["sums"] else {
                throw CommandFailure(place: path, "not a result of verify --image FOLDER --json")
            }
            if let first = contexts.first, (first.model, first.reference, first.precision, first.folder)
                != (context.model, context.reference, context.precision, context.folder) {
                throw CommandFailure(place: path, "a result of another model, reference or folder than \(merge[0])'s")
            }
            contexts.append(context)
            sums.append(part)
        }
        guard var context = contexts.first, let tally = DatasetTally.merged(sums) else {
            throw CommandFailure(place: merge.first, "the results do not add up (a damaged file, or other class counts)")
        }
        context.shards = contexts.flatMap(\.shards)
        try report(tally, context)
    }

    /// `I/N` with 1 ≤ I ≤ N: (I − 1, N); (0, 1) without a shard.
    static func parseShard(_ text: String?) throws -> (Int, Int) {
        guard let text else { return (0, 1) }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1 << 20, (1...n).contains(i) else {
            throw CommandFailure(place: nil, "--shard must be I/N with 1 ≤ I ≤ N, got '\(text)'")
        }
        return (i - 1, n)
    }

    private func report(_ tally: DatasetTally, _ context: DatasetContext) throws {
        let comparison = tally.comparison
        let chosen = tally.images
        let limits = thresholds(precision: context.computedIn)
        let failures = limits.failures(comparison)
        let difference = tally.top1Difference
        let f = ConversionSummary.fixed
        if json {
            var pairs = context.json
            pairs += [("images", .int(Int64(chosen))), ("labelled", .int(Int64(tally.labelled))),
                      ("kernels", .string(KernelChoice.fromEnvironment.record))]
            if tally.labelled > 0 {
                pairs += [
                    ("counts", .object([("candidate_top1", .int(Int64(tally.candidateTop1))), ("candidate_top5", .int(Int64(tally.candidateTop5))),
                                        ("reference_top1", .int(Int64(tally.referenceTop1))), ("reference_top5", .int(Int64(tally.referenceTop5))),
                                        ("fixed", .int(Int64(tally.fixed))), ("broken", .int(Int64(tally.broken)))])),
                    ("candidate_top1", .double(tally.share(tally.candidateTop1))), ("candidate_top5", .double(tally.share(tally.candidateTop5))),
                    ("reference_top1", .double(tally.share(tally.referenceTop1))), ("reference_top5", .double(tally.share(tally.referenceTop5))),
                    ("top1_difference", .double(difference.difference)),
                    ("top1_difference_95", .array([.double(difference.low), .double(difference.high)])),
                    ("published_top1", context.publishedTop1.map { .double($0 / 100) } ?? .null),
                ]
            }
            pairs += [
                ("comparison", comparison.json), ("criterion", .string(limits.criterion(comparison))),
                ("flips", .int(Int64(tally.flipCount))),
                ("flipped", .array(tally.flips.map { flip in
                    .object([("image", .string(flip.image)), ("reference", .int(Int64(flip.reference))),
                             ("candidate", .int(Int64(flip.candidate))), ("label", flip.label.map { .int(Int64($0)) } ?? .null)])
                })),
                ("pass", .bool(failures.isEmpty)), ("failures", .array(failures.map(JSONValue.string))),
                ("sums", tally.sums),
            ]
            print(JSONValue.object(pairs).serialized(pretty: true))
        } else {
            print("\(context.model) (\(context.precision)) vs \(context.reference) on \(chosen) images of \(context.folder)"
                  + (context.shards.isEmpty ? "" : " (shard\(context.shards.count == 1 ? "" : "s") \(context.shards.joined(separator: ", ")))")
                  + (context.skipped > 0 ? ", \(context.skipped) other files skipped" : ""))
            if let labels = context.labels, tally.labelled > 0 {
                print("  labels           \(labels); \(tally.labelled) images labelled")
                print("  top-1 accuracy   converted \(f(tally.share(tally.candidateTop1) * 100, 2))%   reference \(f(tally.share(tally.referenceTop1) * 100, 2))%"
                      + "   difference \(f(difference.difference * 100, 2)) points (95%: \(f(difference.low * 100, 2)) to \(f(difference.high * 100, 2)))")
                print("  top-5 accuracy   converted \(f(tally.share(tally.candidateTop5) * 100, 2))%   reference \(f(tally.share(tally.referenceTop5) * 100, 2))%")
                print("  paired flips     \(tally.fixed) fixed, \(tally.broken) broken by the converted model")
                if let top1 = context.publishedTop1 {
                    print("  published top-1  \(f(top1, 1))% for \(context.publishedName ?? "this release") (the paper's table, "
                          + "ImageNet-1k validation, 50,000 images): beside the reference's and the converted model's above")
                }
            } else {
                print("  labels           none (images not in class folders; --labels FILE gives them)")
            }
            print("  top-1 agreement  \(f(comparison.top1Agreement * 100, 2))%   cosine min \(f(comparison.cosineMin, 6))   mean \(f(comparison.cosineMean, 6))")
            for flip in tally.flips.prefix(5) {
                print("  flipped          \(flip.image): reference \(flip.reference), converted \(flip.candidate)"
                      + (flip.label.map { ", label \($0)" } ?? ""))
            }
            print("  kernels          \(KernelChoice.fromEnvironment.record)")
            print(failures.isEmpty ? "PASS on \(chosen) images of \(context.folder), against this converter's own reading of the source"
                  : "FAIL: " + failures.joined(separator: "; "))
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

/// verify's progress over a folder, on stderr: a live line when stderr is a terminal, else a line every
/// few seconds (logs of long jobs); count, rate and ETA. Never on stdout.
final class DatasetProgress {
    let total: Int
    let live: Bool
    private let start = ContinuousClock.now
    private var lastLine = ContinuousClock.now
    private var done = 0

    init(total: Int, live: Bool) {
        self.total = total
        self.live = live
    }

    func update(done: Int) {
        self.done = done
        let now = ContinuousClock.now
        guard live || now - lastLine >= .seconds(5) else { return }
        lastLine = now
        write(line: text(now: now), final: false)
    }

    func finish() {
        write(line: text(now: ContinuousClock.now), final: true)
    }

    private func text(now: ContinuousClock.Instant) -> String {
        let seconds = (now - start).inSeconds
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        return "verify: \(done)/\(total) images, \(ConversionSummary.fixed(rate, 1)) images/s, ETA \(Int(eta.rounded())) s"
    }

    private func write(line: String, final: Bool) {
        if live {
            let bytes = Array(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8)
            bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        } else if final || done < total {
            printError(line)
        }
    }
}

/// What a dataset run was, for its report and for merging shards: the files, the folder and its labels.
struct DatasetContext {
    /// `precision`: the candidate's `LoadedModel.precisionName`.
    var model: String, reference: String, precision: String, folder: String
    var imagesInFolder: Int, skipped: Int
    /// The precision `precision` names, whose limits judge the run.
    let computedIn: Precision
    var shards: [String]
    var labels: String?
    var publishedTop1: Double?, publishedName: String?

    init(model: String, reference: String, precision: String, computedIn: Precision, folder: String, imagesInFolder: Int, skipped: Int,
         shards: [String], labels: String?, publishedTop1: Double?, publishedName: String?) {
        self.computedIn = computedIn
        (self.model, self.reference, self.precision, self.folder) = (model, reference, precision, folder)
        (self.imagesInFolder, self.skipped, self.shards, self.labels) = (imagesInFolder, skipped, shards, labels)
        (self.publishedTop1, self.publishedName) = (publishedTop1, publishedName)
    }

    /// From a result's JSON (nil when it is not one).
    init?(json: JSONValue) {
        guard case .string(let model)? = json["model"], case .string(let reference)? = json["reference"],
              case .string(let precision)? = json["precision"], case .string(let folder)? = json["folder"],
              case .int(let images)? = json["images_in_folder"], case .int(let skipped)? = json["skipped_files"],
              let computedIn = LoadedModel.precision(named: precision) else { return nil }
        var shards: [String] = []
        if case .array(let items)? = json["shards"] { shards = items.compactMap { if case .string(let s) = $0 { s } else { nil } } }
        var labels: String?, top1: Double?, name: String?
        if case .string(let l)? = json["labels"] { labels = l }
        if case .double(let p)? = json["published_top1"] { top1 = p * 100 }
        if case .string(let n)? = json["published_name"] { name = n }
        self.init(model: model, reference: reference, precision: precision, computedIn: computedIn, folder: folder, imagesInFolder: Int(images),
                  skipped: Int(skipped), shards: shards, labels: labels, publishedTop1: top1, publishedName: name)
    }

    var json: [(String, JSONValue)] {
        [("model", .string(model)), ("reference", .string(reference)), ("precision", .string(precision)),
         ("folder", .string(folder)), ("images_in_folder", .int(Int64(imagesInFolder))), ("skipped_files", .int(Int64(skipped))),
         ("shards", .array(shards.map(JSONValue.string))), ("labels", labels.map(JSONValue.string) ?? .null),
         ("published_name", publishedName.map(JSONValue.string) ?? .null)]
    }
}
