import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLFormat

/// One test per validation rule of Formats/SWM.md: a valid file with exactly that rule broken (CRCs
/// re-sealed where the rule is not about them) is refused with that rule's own number and kind.
/// Rule 14 (the architecture's tensors): `SWMRule14Tests`.
@Suite struct SWMRuleTests {
    /// The sample file of `SWMFileTests`, as bytes.
    static func sample() throws -> SWMBytes {
        SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: try SWMFileTests.writeSample()))))
    }

    /// Opens `file` (tensor CRCs checked) and returns the error.
    static func refusal(_ file: SWMBytes) throws -> SWMError? {
        let path = try TemporaryFiles.write(file.bytes, name: "broken.swm")
        do { _ = try SWMFile.open(path: path, checkCRC: true); return nil } catch { return error }
    }

    static func expect(_ file: SWMBytes, rule: Int, _ kind: SWMError.Kind, _ text: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = try refusal(file)
        #expect(error?.rule == rule && error?.kind == kind, "rule \(rule): \(String(describing: error))",
                sourceLocation: sourceLocation)
        #expect(error?.description.contains(text) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.description.hasSuffix("(SWM rule \(rule))") == true, sourceLocation: sourceLocation)
    }

    @Test func controlTheSampleOpens() throws {
        #expect(try Self.refusal(try Self.sample()) == nil)
    }

    @Test func rule1Truncated() throws {
        try Self.expect(SWMBytes(Array(try Self.sample().bytes.prefix(100))), rule: 1, .truncated, "a header needs 128")
    }

    @Test func rule2Magic() throws {
        var f = try Self.sample()
        f.bytes[0] ^= 0xFF
        try Self.expect(f, rule: 2, .notSWM, "bad magic")
    }

    @Test func rule3Version() throws {
        var f = try Self.sample()
        f.set32(2, at: SWMBytes.version)
        f.reseal()
        try Self.expect(f, rule: 3, .unsupportedVersion, "version 2")
    }

    @Test func rule4HeaderSizeAndByteOrder() throws {
        var f = try Self.sample()
        f.set32(256, at: SWMBytes.headerSize)
        f.reseal()
        try Self.expect(f, rule: 4, .badHeader, "header size 256")
        f = try Self.sample()
        f.set32(0x0403_0201, at: SWMBytes.byteOrderMark)
        f.reseal()
        try Self.expect(f, rule: 4, .badHeader, "byte-order mark 0x4030201")
    }

    @Test func rule5HeaderCRC() throws {
        var f = try Self.sample()
        f.bytes[100] ^= 1  // reserved header bytes, covered only by the header CRC
        try Self.expect(f, rule: 5, .checksum, "header")
    }

    @Test func rule6FileSize() throws {
        var f = try Self.sample()
        f.bytes += [UInt8](repeating: 0, count: 64)
        try Self.expect(f, rule: 6, .badHeader, "64 bytes after the declared end")
        f = try Self.sample()
        f.set64(f.bytes.count + 64, at: SWMBytes.fileSize)
        f.reseal()
        try Self.expect(f, rule: 6, .truncated, "header says")
    }

    @Test func rule7Sections() throws {
        var f = try Self.sample()
        f.set64(f.u64(at: SWMBytes.dirOffset) + 8, at: SWMBytes.dirOffset)  // misaligned
        f.reseal()
        try Self.expect(f, rule: 7, .badSection, "directory")
        f = try Self.sample()
        f.set64(f.u64(at: SWMBytes.metaOffset), at: SWMBytes.dirOffset)  // overlaps the metadata
        f.reseal()
        try Self.expect(f, rule: 7, .badSection, "directory")
    }

    @Test func rule8SectionCRCs() throws {
        var f = try Self.sample()
        f.bytes[f.metadata.lowerBound + 2] ^= 0x20
        try Self.expect(f, rule: 8, .checksum, "metadata")
        f = try Self.sample()
        f.bytes[f.directory.lowerBound + 3] ^= 0x20
        try Self.expect(f, rule: 8, .checksum, "directory")
    }

    @Test func rule9Metadata() throws {
        var f = try Self.sample()
        let meta = f.metadata
        let text = Array(#"{"format":"not-swm"}"#.utf8)
        f.bytes.replaceSubrange(meta, with: text + [UInt8](repeating: 0x20, count: meta.count - text.count))
        f.reseal()
        try Self.expect(f, rule: 9, .badMetadata, "not a swm metadata object")
        f = try Self.sample()
        let broken = Array(#"{"format":"swm","format":"swm"}"#.utf8)
        f.bytes.replaceSubrange(meta, with: broken + [UInt8](repeating: 0x20, count: meta.count - broken.count))
        f.reseal()
        try Self.expect(f, rule: 9, .badMetadata, "appears twice")
        // Every key of the spec, with its type: one missing, one of the wrong type.
        guard case .object(let pairs) = SWMFileTests.metadata else { Issue.record("not an object"); return }
        for (broken, text) in [
            (JSONValue.object(pairs.filter { $0.0 != "provenance" }), "provenance: missing or not an object"),
            (JSONValue.object(pairs.map { $0.0 == "classes" ? ($0.0, .object([("count", .string("five")), ("names", .null)])) : $0 }),
             "classes.count: missing or not a non-negative integer"),
        ] {
            let path = try TemporaryFiles.write([], name: "keys.swm") + ".swm"
            try SWMWriter.write(to: path, metadataObject: broken, tensors: SWMFileTests.sampleTensors())
            try Self.expect(SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path)))), rule: 9, .badMetadata, text)
        }
    }

    /// A verification record: a consistent one opens and reads back; one that claims a pass its
    /// numbers miss, one with a bad CRC field, and one missing a key are refused under rule 18.
    @Test func rule18VerificationRecord() throws {
        guard case .object(let pairs) = SWMFileTests.metadata else { Issue.record("not an object"); return }
        func record(pass: Bool, cosine: Double, crc: String = "0123abcd", drop: String? = nil,
                    kernels: JSONValue = .string("avx2, integer avx2")) -> JSONValue {
            let full: [(String, JSONValue)] = [
                ("tool", .string("swsl-convert 0.1.0")), ("inputs", .string("default")), ("inputs_crc32", .string(crc)),
                ("int8", .null), ("kernels", kernels), ("samples", .int(10)), ("cosine_min", .double(cosine)), ("top1_agreement", .double(1)),
                ("thresholds", .object([("cosine_min", .double(0.99)), ("top1_min", .double(1))])), ("pass", .bool(pass)),
            ]
            return .object(full.filter { $0.0 != drop })
        }
        func file(_ verification: JSONValue) throws -> SWMBytes {
            let path = try TemporaryFiles.write([], name: "verified.swm") + ".swm"
            try SWMWriter.write(to: path, metadataObject: .object(pairs + [("verification", verification)]), tensors: SWMFileTests.sampleTensors())
            return SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        let good = try file(record(pass: true, cosine: 0.9995))
        #expect(try Self.refusal(good) == nil)
        let opened = try SWMFile.open(path: try TemporaryFiles.write(good.bytes, name: "good.swm"))
        #expect(opened.metadata.verification?.pass == true && opened.metadata.verification?.samples == 10)
        #expect(opened.metadata.verification?.kernels == "avx2, integer avx2")
        // Records written before `kernels` existed still open; a `kernels` that is not a string does not.
        let older = try file(record(pass: true, cosine: 0.9995, drop: "kernels"))
        #expect(try Self.refusal(older) == nil)
        #expect(try SWMFile.open(path: try TemporaryFiles.write(older.bytes, name: "older.swm")).metadata.verification?.kernels == nil)
        try Self.expect(try file(record(pass: true, cosine: 0.9995, kernels: .int(2))), rule: 18, .badMetadata, "kernels")
        // A few-output head: judged by scaled_max_diff against thresholds.scaled_diff_max, not by cosine.
        func scaled(_ diff: Double, pass: Bool) -> JSONValue {
            guard case .object(var pairs) = record(pass: pass, cosine: 1) else { return .null }
            pairs.append(("scaled_max_diff", .double(diff)))
            pairs = pairs.map { $0.0 == "thresholds" ? ("thresholds", .object([("cosine_min", .double(0.99)), ("top1_min", .double(1)),
                                                                                 ("scaled_diff_max", .double(0.05))])) : $0 }
            return .object(pairs)
        }
        #expect(try Self.refusal(try file(scaled(0.01, pass: true))) == nil)
        #expect(try Self.refusal(try file(scaled(0.13, pass: false))) == nil)
        try Self.expect(try file(scaled(0.13, pass: true)), rule: 18, .badMetadata, "pass is true, but the metrics miss")
        #expect(try Self.refusal(try file(record(pass: false, cosine: 0.5))) == nil)
        try Self.expect(try file(record(pass: true, cosine: 0.5)), rule: 18, .badMetadata, "pass is true, but the metrics miss")
        try Self.expect(try file(record(pass: true, cosine: 0.9995, crc: "xyz")), rule: 18, .badMetadata, "inputs_crc32")
        try Self.expect(try file(record(pass: true, cosine: 0.9995, drop: "samples")), rule: 18, .badMetadata, "samples")
    }

    /// Float layers of an int8 file: weights not int8 must be listed with their dtype; a listed layer
    /// must have weights of that dtype.
    @Test func rule19FloatLayers() throws {
        guard case .object(let pairs) = SWMFileTests.metadata, case .object(let quantization)? = SWMFileTests.metadata["quantization"] else {
            Issue.record("not an object"); return
        }
        let weight = try #require(SWMFileTests.sampleTensors().first { $0.name.hasSuffix(".weight") })
        let layer = String(weight.name.dropLast(".weight".count))
        #expect(weight.dtype == .int8, "the sample's weights are int8")
        func file(_ floatLayers: JSONValue?) throws -> SWMBytes {
            let q: JSONValue = .object(quantization + (floatLayers.map { [("float_layers", $0)] } ?? []))
            let path = try TemporaryFiles.write([], name: "mixed.swm") + ".swm"
            try SWMWriter.write(to: path, metadataObject: .object(pairs.map { $0.0 == "quantization" ? ($0.0, q) : $0 }),
                                tensors: SWMFileTests.sampleTensors())
            return SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        func entry(_ layer: String, _ dtype: String) -> JSONValue {
            .object([("layer", .string(layer)), ("dtype", .string(dtype)), ("reason", .string("test"))])
        }
        #expect(try Self.refusal(try file(nil)) == nil)
        // Listed as float16, but the weights are int8.
        try Self.expect(try file(.array([entry(layer, "float16")])), rule: 19, .badMetadata, "listed as float16")
        // Listed, but there is no such layer.
        try Self.expect(try file(.array([entry("stage9.block0.conv1", "float16")])), rule: 19, .badMetadata, "has no weights")
        try Self.expect(try file(.array([entry(layer, "int4")])), rule: 19, .badMetadata, "not float16 or float32")
        try Self.expect(try file(.string("all")), rule: 19, .badMetadata, "not an array")
    }

    @Test func rule10Entries() throws {
        var f = try Self.sample()
        let first = try #require(f.entries.first)
        f.bytes[first.dtype] = 200
        f.reseal()
        try Self.expect(f, rule: 10, .badEntry, "unknown dtype code 200")
        f = try Self.sample()
        f.bytes[first.rank] = 9
        f.reseal()
        try Self.expect(f, rule: 10, .badEntry, "rank 9 > 8")
    }

    @Test func rule10DuplicateNames() throws {
        // Two tensors whose names have the same length; the second renamed onto the first.
        let path = try TemporaryFiles.write([], name: "twins.swm")
        try SWMWriter.write(to: path + ".swm", metadata: SWMFileTests.typed, tensors: SWMFileTests.sampleTensors() + [
            SWMTensor(name: "a.bias", floats: [1], shape: [1]), SWMTensor(name: "b.bias", floats: [2], shape: [1]),
        ])
        var f = SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path + ".swm"))))
        #expect(try Self.refusal(f) == nil)
        let second = try #require(f.entry("b.bias"))
        f.bytes[second.nameRange.lowerBound] = UInt8(ascii: "a")
        f.reseal()
        try Self.expect(f, rule: 10, .badEntry, "tensor a.bias: appears twice")
    }

    @Test func rule11ElementCount() throws {
        var f = try Self.sample()
        let bias = try #require(f.entry("stem.conv1.bias"))
        f.set64(3, at: bias.dims[0])  // [3] float32 needs 12 bytes; the entry says 8
        f.reseal()
        try Self.expect(f, rule: 11, .badEntry, "needs 12 bytes, entry says 8")
    }

    @Test func rule12DataRange() throws {
        var f = try Self.sample()
        let bias = try #require(f.entry("stem.conv1.bias"))
        f.set64(f.u64(at: bias.offset) + 4, at: bias.offset)  // misaligned
        f.reseal()
        try Self.expect(f, rule: 12, .badEntry, "misaligned or outside the data section")
        // Two tensors on the same bytes.
        f = try Self.sample()
        let weight = try #require(f.entry("fc.weight"))
        f.set64(f.u64(at: try #require(f.entry("stem.conv1.weight_scale")).offset), at: weight.offset)
        f.set64(8, at: weight.length)
        f.set64(2, at: weight.dims[0])
        f.set64(1, at: weight.dims[1])
        f.reseal()
        try Self.expect(f, rule: 12, .badEntry, "overlaps another tensor")
    }

    @Test func rule13ScaleIndex() throws {
        var f = try Self.sample()
        let weight = try #require(f.entry("stem.conv1.weight"))
        f.set32(0, at: weight.scale)  // the int8 weight itself, not a float32 vector
        f.reseal()
        try Self.expect(f, rule: 13, .badEntry, "scale index 0")
    }

    @Test func rule15TensorCRC() throws {
        var f = try Self.sample()
        let bias = try #require(f.entry("stem.conv1.bias"))
        f.bytes[f.data.lowerBound + f.u64(at: bias.offset)] ^= 0x40
        try Self.expect(f, rule: 15, .checksum, "tensor 'stem.conv1.bias'")
    }

    @Test func rule16NothingAfterTheData() throws {
        var f = try Self.sample()
        f.set64(f.u64(at: SWMBytes.dataLength) - 64, at: SWMBytes.dataLength)
        f.reseal()
        try Self.expect(f, rule: 16, .badSection, "after the data section")
    }

    @Test func rule17ZeroGaps() throws {
        var f = try Self.sample()
        let gap = f.metadata.upperBound  // padding between the metadata and the directory
        #expect(gap < f.directory.lowerBound)
        f.bytes[gap] = 1
        try Self.expect(f, rule: 17, .badSection, "non-zero padding after the metadata")
    }
}
