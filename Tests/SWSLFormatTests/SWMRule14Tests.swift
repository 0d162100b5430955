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

    /// A few bytes of metadata can ask for 2^18 blocks: refused from the numbers, before a layout is built.
    @Test func anArchitectureLargerThanTheDirectoryIsRule14() throws {
        var f = try Self.fixture()
        let text = String(decoding: f.bytes[f.metadata], as: UTF8.self)
            .replacingOccurrences(of: #""layers":[2,2,2,2]"#, with: #""layers":[65536,65536,65536,65536]"#)
            .replacingOccurrences(of: #""name":null,"#, with: "")
            .replacingOccurrences(of: #""converter":"swsl-convert 0.1.0""#, with: #""converter":"s""#)
        let bytes = Array(text.utf8)
        try #require(bytes.count <= f.metadata.count)
        f.bytes.replaceSubrange(f.metadata, with: bytes + [UInt8](repeating: 0x20, count: f.metadata.count - bytes.count))
        f.reseal()
        let error = try Self.openError(f)
        #expect(error?.rule == 14 && error?.kind == .missingTensor, "\(String(describing: error))")
        #expect(error?.description.contains("implies 262144 blocks") == true, "\(String(describing: error))")
    }

    /// Packed sizes computed from a hostile architecture's numbers: counted without overflow, refused when they do not fit.
    @Test func packedSizesFromMetadataNeverOverflow() {
        #expect(PackedWeightLayout.checkedElementCount(outChannels: 1 << 48, groups: 1, reductionSize: 1 << 20) == nil)
        #expect(PackedWeightLayout.checkedElementCount(outChannels: 64, groups: 0, reductionSize: 9) == nil)
        #expect(PackedWeightLayout.checkedElementCount(outChannels: 64, groups: 1, reductionSize: 576) == 66 * 576)
        #expect(PackedWeightLayout.checkedElementCount(outChannels: 128, groups: 32, reductionSize: 36) == 32 * 6 * 36)
    }
}
