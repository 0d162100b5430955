import Foundation
import Testing
import SWSLCore
import SWSLFormat
import SWSLTestSupport

/// Rule 14 of Formats/SWM.md, checked when a file is opened: the tensors the architecture needs
/// exist, with the shapes and scales it implies. The other rules: `SWMRuleTests`.
@Suite struct SWMRule14Tests {
    /// The refusal of `file` (whose other rules hold), nil when it opens.
    static func openError(_ file: SWMBytes) throws -> SWMError? {
        let path = try TemporaryFiles.write(file.bytes, name: "rule14.swm")
        do {
            let opened = try SWMFile.open(path: path, checkCRC: true)
            #expect(opened.network.backbone.layers.count == opened.entries.filter { $0.name.hasSuffix(".weight") }.count - 1)
            return nil
        } catch {
            return error
        }
    }

    static func fixture() throws -> SWMBytes { SWMBytes(try FixtureFiles.bytes("swm/resnet18_tiny.int8.swm")) }

    @Test func controlTheFixturePlans() throws {
        #expect(try Self.openError(try Self.fixture()) == nil)
    }

    @Test func aMissingTensorIsRule14() throws {
        var f = try Self.fixture()
        let bias = try #require(f.entry("fc.bias"))
        f.bytes[bias.nameRange.upperBound - 1] = UInt8(ascii: "Z")  // "fc.biaZ"
        f.reseal()
        let error = try Self.openError(f)
        #expect(error?.rule == 14 && error?.kind == .missingTensor, "\(String(describing: error))")
        #expect(error?.description == "missing tensor 'fc.bias' (SWM rule 14)")
    }

    @Test func int8WeightsWithoutTheirScaleAreRule14() throws {
        var f = try Self.fixture()
        let weight = try #require(f.entry("fc.weight"))
        #expect(f.u32(at: weight.scale) != UInt32.max)
        f.set32(UInt32.max, at: weight.scale)  // scale index -1: allowed by rule 13, not by the architecture
        f.reseal()
        let error = try Self.openError(f)
        #expect(error?.rule == 14 && error?.kind == .badEntry, "\(String(describing: error))")
        #expect(error?.description == "tensor fc.weight: int8 weights without a scale tensor (SWM rule 14)")
    }
}
