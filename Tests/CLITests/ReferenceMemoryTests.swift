import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// A checkpoint run as the float reference (`run SRC`, and `verify`'s yardstick) is resident once: as the packed
/// copy the kernels read. The mapped file's pages are dropped behind the packing, layer by layer, so a full-size
/// ResNet-50 (102 MB) peaks near 1.3× its file (before: 2.1×, every file page beside its packed copy).
@Suite(.serialized) struct ReferenceMemoryTests {
    @Test func referenceWeightsAreResidentOnce() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LargeCheckpoint.resnet50(in: dir)
        let input = dir.appendingPathComponent("x.npy").path
        try NPYArray(shape: [1, 3, 224, 224], values: [Float](repeating: 0.25, count: 3 * 224 * 224)).write(path: input)
        let output = dir.appendingPathComponent("logits.npy").path
        let outcome = try LimitedRun.run(["run", source, "--input", input, "--output", output, "--threads", "1"], seconds: 120)
        #expect(outcome.status == 0, "\(outcome)")
        let bytes = try FileManager.default.attributesOfItem(atPath: source)[.size] as! Int
        #expect(LimitedRun.sanitized || Double(outcome.peakResidentBytes) <= 1.5 * Double(bytes),
                "peak RSS \(outcome.peakResidentBytes >> 20) MiB for a \(bytes >> 20) MiB checkpoint")
    }
}
