import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// `verify --image FOLDER`, the dataset loop, on a labelled folder built in a temporary directory from the
/// fixture images (Fixtures/generate_dataset_golden.py's layout): PyTorch's accuracy on the same images is
/// the golden; shards add up to the whole; labels from a file; the tree's oddities are skipped and counted.
@Suite struct DatasetVerifyTests {
    static let model = CLI.fixture("models/resnet18_tiny.zip.pth")
    static let golden: JSONValue = try! JSONParser.parse(FixtureFiles.bytes("golden/dataset_resnet18_tiny.json"))

    /// The golden's layout, a non-image file, a hidden folder, an empty folder and a link back up (a loop).
    static func folder() throws -> String {
        let root = try CLI.temporaryDirectory().appendingPathComponent("data")
        let manager = FileManager.default
        guard case .array(let layout)? = golden["layout"] else { throw CocoaError(.fileReadCorruptFile) }
        for item in layout {
            guard case .string(let path)? = item["path"], case .string(let source)? = item["source"] else { continue }
            let target = root.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(at: CLI.fixtures.appendingPathComponent(source), to: target)
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("dog/notes.txt"))
        try manager.createDirectory(at: root.appendingPathComponent(".cache"), withIntermediateDirectories: true)
        try manager.copyItem(at: CLI.fixtures.appendingPathComponent("images/photo.jpg"),
                             to: root.appendingPathComponent(".cache/hidden.jpg"))
        try manager.createDirectory(at: root.appendingPathComponent("zzz_empty"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("dog/loop").path, withDestinationPath: "..")
        return root.path
    }

    static func converted(_ precision: String) throws -> String {
        try RunVerifyCommandTests.converted("models/resnet18_tiny.zip.pth", precision)
    }

    static func verify(_ swm: String, _ folder: String, _ extra: [String] = []) throws -> (CLI.Result, JSONValue) {
        let result = try CLI.run(["verify", swm, "--reference", model, "--image", folder, "--json", "--batch", "4"] + extra)
        return (result, (try? JSONParser.parse(Array(result.stdout.utf8))) ?? .null)
    }

    static func int(_ value: JSONValue?) -> Int { if case .int(let n)? = value { Int(n) } else { -1 } }

    @Test func accuracyOfBothModelsMatchesPyTorch() throws {
        let folder = try Self.folder()
        let (result, report) = try Self.verify(try Self.converted("fp32"), folder)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(Self.int(report["images"]) == 6 && Self.int(report["labelled"]) == 6)
        #expect(Self.int(report["skipped_files"]) == 1, "notes.txt; the loop, the hidden and the empty folders are not files")
        // The float reference (and the fp32 file) reproduce PyTorch's classes on every image.
        #expect(Self.int(report["counts"]?["reference_top1"]) == Self.int(Self.golden["top1_correct"]))
        #expect(Self.int(report["counts"]?["reference_top5"]) == Self.int(Self.golden["top5_correct"]))
        #expect(Self.int(report["counts"]?["candidate_top1"]) == Self.int(Self.golden["top1_correct"]))
        if case .string(let labels)? = report["labels"] { #expect(labels.contains("sorted")) } else { Issue.record("no labels") }
        // Progress went to stderr, the report to stdout.
        #expect(result.stderr.contains("verify: 6/6 images"), "\(result.stderr)")
    }

    @Test func shardsAddUpToTheWholeRun() throws {
        let folder = try Self.folder()
        let swm = try Self.converted("int8")
        let (_, whole) = try Self.verify(swm, folder)
        let (_, first) = try Self.verify(swm, folder, ["--shard", "1/2"])
        let (_, second) = try Self.verify(swm, folder, ["--shard", "2/2"])
        #expect(Self.int(first["images"]) + Self.int(second["images"]) == Self.int(whole["images"]))
        for key in ["candidate_top1", "candidate_top5", "reference_top1", "reference_top5", "fixed", "broken"] {
            #expect(Self.int(first["counts"]?[key]) + Self.int(second["counts"]?[key]) == Self.int(whole["counts"]?[key]), "\(key)")
        }
        // verify --merge adds the shards' results up exactly: the same counts and comparison as the whole run.
        let dir = try CLI.temporaryDirectory()
        var files: [String] = []
        for (i, shard) in ["1/2", "2/2"].enumerated() {
            let result = try CLI.run(["verify", swm, "--reference", Self.model, "--image", folder, "--json", "--batch", "4", "--shard", shard])
            let file = dir.appendingPathComponent("shard\(i).json").path
            try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let merged = try CLI.run(["verify", "--merge"] + files + ["--json"])
        #expect(merged.status == 0 || merged.status == 1, "\(merged.stderr)")
        let report = try JSONParser.parse(Array(merged.stdout.utf8))
        #expect(report["counts"] == whole["counts"] && report["images"] == whole["images"])
        for key in ["samples", "top1_agreement", "top5_agreement", "cosine_min", "max_abs_diff", "max_rel_diff"] {
            #expect(report["comparison"]?[key] == whole["comparison"]?[key], "\(key)")
        }
        if case .double(let a)? = report["comparison"]?["cosine_mean"], case .double(let b)? = whole["comparison"]?["cosine_mean"] {
            #expect(abs(a - b) < 1e-12)
        }
        #expect(report["pass"] == whole["pass"] && report["shards"] == .array([.string("1/2"), .string("2/2")]))
        let notResult = dir.appendingPathComponent("other.json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: notResult))
        let refused = try CLI.run(["verify", "--merge", files[0], notResult])
        #expect(refused.status == 2 && refused.stderr.contains("other.json"), "\(refused.stderr)")

        let bad = try CLI.run(["verify", swm, "--reference", Self.model, "--image", folder, "--shard", "3/2"])
        #expect(bad.status == 2 && bad.stderr.contains("--shard"), "\(bad.stderr)")
    }

    @Test func labelsFromAFile() throws {
        let folder = try Self.folder()
        let swm = try Self.converted("int8")
        let labels = try CLI.temporaryDirectory().appendingPathComponent("val.txt")
        try Data("# comment\ncat/a.jpg 1\r\ndog/c.jpg 2\nmissing.jpg 0\n".utf8).write(to: labels)
        let (result, report) = try Self.verify(swm, folder, ["--labels", labels.path])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        #expect(Self.int(report["labelled"]) == 2 && Self.int(report["images"]) == 6)
        try Data("cat/a.jpg one\n".utf8).write(to: labels)
        let bad = try CLI.run(["verify", swm, "--reference", Self.model, "--image", folder, "--labels", labels.path])
        #expect(bad.status == 2 && bad.stderr.contains("val.txt:1"), "\(bad.stderr)")
        try Data("cat/a.jpg 10\n".utf8).write(to: labels)
        let range = try CLI.run(["verify", swm, "--reference", Self.model, "--image", folder, "--labels", labels.path])
        #expect(range.status == 2 && range.stderr.contains("not one of the model's 10 classes"), "\(range.stderr)")
    }

    @Test func aFolderWithoutImagesOrClassFolders() throws {
        let swm = try Self.converted("int8")
        let empty = try CLI.temporaryDirectory().path
        let none = try CLI.run(["verify", swm, "--reference", Self.model, "--image", empty])
        #expect(none.status == 2 && none.stderr.contains("no .jpg"), "\(none.stderr)")
        // Images at the top: no class folders, so no labels, and the loop still runs.
        let flat = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("images/photo.jpg"), to: flat.appendingPathComponent("x.jpg"))
        let (result, report) = try Self.verify(swm, flat.path)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(report["labels"] == .null && Self.int(report["labelled"]) == 0)
    }

    /// `run --image FOLDER` prints one line (JSON Lines with --json) per image as it goes, in the walk's order.
    @Test func runStreamsOneLinePerImageOfAFolder() throws {
        let folder = try Self.folder()
        let swm = try Self.converted("int8")
        let result = try CLI.run(["run", swm, "--image", folder, "--json", "--top", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        let first = try JSONParser.parse(Array(lines[0].utf8))
        #expect(first["image"] == .string(folder + "/cat/a.jpg"))
    }

    /// Memory is bounded by the batch, not the folder: 20 and 200 images peak within 30% (plus 20 MB).
    @Test func peakMemoryIsFlatInTheNumberOfImages() throws {
        let swm = try Self.converted("int8")
        var peaks: [Int] = []
        for count in [20, 200] {
            let dir = try CLI.temporaryDirectory().appendingPathComponent("photos")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<count {
                try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("images/photo.jpg"),
                                                 to: dir.appendingPathComponent(String(format: "%04d.jpg", i)))
            }
            let outcome = try LimitedRun.run(["verify", swm, "--reference", Self.model, "--image", dir.path], seconds: 120)
            #expect(outcome.status == 0, "\(outcome)")
            peaks.append(outcome.peakResidentBytes)
        }
        #expect(Double(peaks[1]) <= Double(peaks[0]) * 1.3 + Double(20 << 20), "peak RSS \(peaks[0] >> 20) MiB for 20, \(peaks[1] >> 20) MiB for 200")
    }
}

/// `verify --merge` on hostile result files: counts that would overflow or allocate without bound, and
/// inconsistent counts, are refused in one line (exit 2), never trusted.
@Suite struct MergeHostileTests {
    static func result(images: Int64, agreeing: Int64, samples: Int64, leads: Int = 0) -> String {
        let leadList = Array(repeating: "0.5", count: leads).joined(separator: ",")
        return """
            {"model":"m.swm","reference":"r.pth","precision":"int8","folder":"f","images_in_folder":\(images),"skipped_files":0,
             "shards":["1/1"],"labels":null,"sums":{"images":\(images),"labelled":0,"candidate_top1":0,"candidate_top5":0,
             "reference_top1":0,"reference_top5":0,"fixed":0,"broken":0,"flip_count":0,"flips":[],
             "comparison":{"samples":\(samples),"classes":10,"top1_agreeing":\(agreeing),"top5_agreeing":0,"cosine_min":1,
             "cosine_sum":\(samples),"max_abs_diff":0,"max_rel_diff":0,"reference_scale":1,"top1_leads":[\(leadList)]}}}
            """
    }

    @Test(arguments: [
        ("a trillion agreeing inputs", result(images: 1_000_000_000_000, agreeing: 1_000_000_000_000, samples: 1_000_000_000_000)),
        ("counts that overflow when added", result(images: 4_611_686_018_427_387_904, agreeing: 0, samples: 0)),
        ("images and samples disagree", result(images: 5, agreeing: 2, samples: 2)),
        ("more leads than changes", result(images: 2, agreeing: 2, samples: 2, leads: 3)),
    ])
    func refused(_ c: (String, String)) throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("hostile.json").path
        try Data(c.1.utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try LimitedRun.run(["verify", "--merge", file, file], memoryLimitBytes: 1 << 30, seconds: 20)
        #expect(outcome.status == 2, "\(c.0): \(outcome)")
        #expect(outcome.stderr.contains("hostile.json") && outcome.stdout.isEmpty, "\(c.0): \(outcome)")
    }

    @Test func anHonestResultMergesWithItself() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("ok.json").path
        try Data(Self.result(images: 2, agreeing: 2, samples: 2).utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try CLI.run(["verify", "--merge", file, file, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try JSONParser.parse(Array(outcome.stdout.utf8))["images"] == .int(4))
    }
}
