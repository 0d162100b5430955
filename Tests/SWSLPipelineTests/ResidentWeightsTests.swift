import Foundation
import Testing
import SWSLCore
import SWSLExecutor
import SWSLPipeline
import SWSLTestSupport
import SWSLTransform

/// Weights are resident once: an int8 `.swm` keeps only its integer-kernel copy (the quads), the mapped file's
/// pages are dropped behind them. With `CLITests.ReferenceMemoryTests` (a checkpoint run as the float reference is
/// resident once, packed), this keeps `verify` on a ResNeXt-101 32x16d near the source plus the `.swm` (README,
/// "A folder of labelled images").
@Suite(.serialized) struct ResidentWeightsTests {
    /// The resident kilobytes of this process's mappings of `path` (`/proc/self/smaps`), or nil off Linux.
    static func residentKB(ofMappingsOf path: String) -> Int? {
        // Read to the end: /proc files report size 0, so whole-file readers that trust the size get nothing.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps"), let data = try? handle.readToEnd(),
              let smaps = String(data: data, encoding: .utf8), !smaps.isEmpty else { return nil }
        var total = 0, inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), first.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                inside = fields.count >= 6 && String(fields[5...].joined(separator: " ")) == path
            } else if inside, fields.first == "Rss:", fields.count >= 2, let kb = Int(fields[1]) {
                total += kb
            }
        }
        return total
    }

    @Test func int8WeightsAreResidentOnce() throws {
        let dir = try TemporaryFiles.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LargeCheckpoint.resnet50(in: dir)
        let swm = dir.appendingPathComponent("resnet50.swm").path
        _ = try ConversionPipeline.run(ConversionRequest(input: source, output: swm, options: ConversionOptions(precision: .int8),
                                                         calibration: .none),
                                       sourceDigest: { _ in String(repeating: "ab", count: 32) })
        let swmKB = try FileManager.default.attributesOfItem(atPath: swm)[.size] as! Int / 1024

        let candidate = try LoadedModel.load(path: swm, checkCRC: true)
        guard let candidateKB = Self.residentKB(ofMappingsOf: swm) else {
            FileHandle.standardError.write(Data("⊘ SKIPPED: /proc/self/smaps is not readable here\n".utf8))
            try Test.cancel("/proc/self/smaps is not readable here")
        }
        // Before, every page of the file stayed resident next to the quads (all of swmKB, read by the CRC check and
        // the quad packing); now what stays is what runs in place: the float layers (fc) and the headers, ~10%.
        #expect(candidateKB * 8 <= swmKB, "\(candidateKB) KB of the \(swmKB) KB .swm resident after loading")

        // Dropped pages come back unchanged when read: both models still run, and agree.
        let x = SyntheticInputs.make(samples: 1, channels: 3, height: 224, width: 224)
        let a = try PlanExecutor(plan: candidate.plan, threads: 2).run(input: x, batch: 1, height: 224, width: 224)
        let b = try PlanExecutor(plan: try LoadedModel.load(path: source).plan, threads: 2).run(input: x, batch: 1, height: 224, width: 224)
        #expect(a.allSatisfy(\.isFinite) && b.allSatisfy(\.isFinite))
        #expect(LogitComparison(candidate: a, reference: b, classes: 1000).cosineMin > 0.99)
    }
}
