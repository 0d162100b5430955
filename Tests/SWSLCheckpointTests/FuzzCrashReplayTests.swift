import Foundation
import Testing
import SWSLCore
import SWSLFormat
import SWSLRuntime
@testable import SWSLCheckpoint

/// Every input that ever crashed a fuzz target (Fixtures/crashes/<target>/) is replayed here:
/// it must now be read or refused, never crash.
@Suite struct FuzzCrashReplayTests {
    static var inputs: [String] {
        let root = FixtureSupport.root.appendingPathComponent("crashes")
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? [])
                .filter { !$0.hasPrefix(".") }.sorted().map { "crashes/\(target)/\($0)" }
        }
    }

    @Test(arguments: inputs)
    func crashInputIsHandled(input: String) throws {
        var bytes = try FixtureSupport.bytes(input)
        let name: String
        switch input.split(separator: "/")[1] {
        case "FuzzPickle":
            // The pickle target sees its input after the legacy stream's first three pickles.
            bytes = [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyReader.magic + [0x2E, 0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E,
                                                                         0x80, 0x02, 0x7D, 0x2E] + bytes
            name = "replay.pth"
        case "FuzzSWM":
            // As the target does: validate with CRCs, then build the integer plan.
            if let file = try? SWMFile.validate(bytes: .copying(bytes), path: "replay.swm", checkCRC: true) {
                _ = try? SWMPlanLoader.plan(file, int8: .integer)
            }
            return
        case "FuzzNPY":
            _ = try? NPYArray.parse(bytes)
            return
        case "FuzzONNX": name = "replay.onnx"
        case "FuzzSafetensors": name = "replay.safetensors"
        default: name = "replay.pth"
        }
        _ = try FixtureSupport.refusal(bytes, name: name)
    }
}
