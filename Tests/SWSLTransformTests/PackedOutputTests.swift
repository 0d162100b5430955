import Foundation
import Testing
import SWSLTestSupport
import SWSLCheckpoint
import SWSLCore
import SWSLFormat
import SWSLSchema
import SWSLTransform

/// What the default conversion writes: int8 weights in the packed layout, read back through a file
/// and unpacked here with the formula of Formats/SWM.md (not the project's packer), dequantize to
/// within half a quantization step of the folded float weights (the fp32 conversion in C order).
@Suite struct PackedOutputTests {
    static let fixtures = FoldingGoldenTests.fixtures

    static func write(_ conversion: Conversion) throws -> SWMFile {
        let out = TemporaryFiles.root.appendingPathComponent("packed-\(UUID().uuidString).swm").path
        try SWMWriter.write(to: out, metadata: conversion.metadata, tensors: conversion.tensors)
        defer { try? FileManager.default.removeItem(atPath: out) }
        return try SWMFile.open(path: out, checkCRC: true)  // the mapping outlives the unlinked name
    }

    @Test(arguments: ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"])
    func packedInt8DequantizesWithinHalfAStep(model name: String) throws {
        let path = Self.fixtures.appendingPathComponent("models/\(name).zip.pth").path
        let model = try SchemaMapper.map(try CheckpointReader.read(path: path))
        let source = SourceInfo(fileName: name, size: 0, sha256: "", format: "test", wrapper: nil, prefix: nil)
        let int8 = try Self.write(Converter.convert(model, source: source, options: ConversionOptions()))
        let fp32 = try Self.write(Converter.convert(model, source: source, options: ConversionOptions(precision: .fp32, layout: .oihw)))
        var groupsOf: [String: Int] = ["fc": 1]
        for conv in model.convolutions { groupsOf[conv.path] = conv.groups }
        var checked = 0
        for reference in fp32.entries where reference.name.hasSuffix(".weight") {
            let layer = String(reference.name.dropLast(".weight".count))
            let packed = try #require(int8.entry(reference.name))
            #expect(packed.layout == .packed && packed.dtype == .int8, "\(reference.name)")
            let scales = int8.floats(try #require(int8.scale(of: packed)))
            let want = fp32.floats(reference)
            let out = reference.shape[0], groups = groupsOf[layer]!
            let k = want.count / out, rowsPerGroup = out / groups
            let panels = (rowsPerGroup + 5) / 6
            #expect(packed.elementCount == groups * panels * 6 * k, "\(reference.name) packed count")
            let q = int8.bytes(of: packed).bindMemory(to: Int8.self)
            for o in 0..<out {
                let (g, row) = (o / rowsPerGroup, o % rowsPerGroup)
                let (p, r) = (row / 6, row % 6)
                let step = scales.count == 1 ? scales[0] : scales[o]
                for i in 0..<k {
                    let value = Float(q[((g * panels + p) * k + i) * 6 + r]) * step
                    let error = abs(value - want[o * k + i])
                    #expect(error <= step / 2 * 1.0001, "\(reference.name)[\(o), \(i)]: |\(value) − \(want[o * k + i])| > \(step) / 2")
                    if error > step { return }  // one report per model is enough
                }
            }
            // Padding rows of every last panel are zero.
            for g in 0..<groups {
                for row in rowsPerGroup..<panels * 6 {
                    for i in 0..<k { #expect(q[((g * panels + row / 6) * k + i) * 6 + row % 6] == 0) }
                }
            }
            checked += 1
        }
        #expect(checked == model.convolutions.count + 1)
    }
}
