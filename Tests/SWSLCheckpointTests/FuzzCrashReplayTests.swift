import Foundation
import Testing
import SWSLCore
import SWSLFormat
import SWSLExecutor
import SWSLPipeline
import SWSLTestSupport
@testable import SWSLCheckpoint

/// Replays fuzz inputs through the readers exactly as the fuzz targets feed them:
/// - every input that ever crashed a target (Fixtures/crashes/<target>/): it must now be read or
///   refused, never crash;
/// - the hand-made seeds of hostile structures (Fuzz/seeds/<target>/, `Fuzz/make_seeds.py`): each
///   is hostile, so each must be refused.
@Suite struct FuzzCrashReplayTests {
    static let fuzzSeeds = FixtureFiles.root.deletingLastPathComponent().appendingPathComponent("Fuzz/seeds")

    /// `<target>/<file>` under `folder`, sorted.
    static func inputs(in folder: URL) -> [String] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(target).path)) ?? [])
                .filter { !$0.hasPrefix(".") }.sorted().map { "\(target)/\($0)" }
        }
    }

    static var crashes: [String] { inputs(in: FixtureFiles.url("crashes")) }
    static var seeds: [String] { inputs(in: fuzzSeeds) }

    @Test(arguments: crashes)
    func crashInputIsHandled(input: String) throws {
        _ = try Self.replay(Array(try Data(contentsOf: FixtureFiles.url("crashes/\(input)"))), target: input)
    }

    @Test(arguments: seeds)
    func hostileSeedIsRefused(input: String) throws {
        let refusal = try Self.replay(Array(try Data(contentsOf: Self.fuzzSeeds.appendingPathComponent(input))), target: input)
        #expect(refusal != nil, "\(input) was accepted")
    }

    @Test func theReplaySetIsNotEmpty() {
        // Every target but the ONNX, tar and .swm ones has hand-made seeds, so this suite always runs inputs.
        let targets = Set(Self.seeds.map { String($0.split(separator: "/")[0]) })
        #expect(targets.isSuperset(of: ["FuzzPickle", "FuzzZip", "FuzzSafetensors", "FuzzNPY"]), "\(targets)")
    }

    /// Feeds `bytes` to the reader of the target named by `input`'s first component; returns the
    /// refusal, or nil when the input was read.
    static func replay(_ input: [UInt8], target: String) throws -> String? {
        var bytes = input
        let name: String
        switch target.split(separator: "/")[0] {
        case "FuzzPickle":
            // The pickle target sees its input after the legacy stream's first three pickles.
            bytes = [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyReader.magic + [0x2E, 0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E,
                                                                         0x80, 0x02, 0x7D, 0x2E] + bytes
            name = "replay.pth"
        case "FuzzSWM":
            // As the target does: validate with CRCs, then build the integer plan.
            do {
                let file = try SWMFile.validate(bytes: .copying(bytes), path: "replay.swm", checkCRC: true)
                _ = try ExecutionPlan(file.network)
                return nil
            } catch {
                return "\(error)"
            }
        case "FuzzNPY":
            do { _ = try NPYArray.parse(bytes); return nil } catch { return "\(error)" }
        case "FuzzONNX": name = "replay.onnx"
        case "FuzzSafetensors": name = "replay.safetensors"
        default: name = "replay.pth"
        }
        return try FixtureSupport.refusal(bytes, name: name)
    }
}
