import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

@Suite struct NPYTests {
    /// A version 1.0 file with `header` (padding added) and `data` bytes.
    static func file(_ header: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        var text = header
        let lengthBytes = version == 1 ? 2 : 4
        while (8 + lengthBytes + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        bytes += (0..<lengthBytes).map { UInt8((length >> (8 * $0)) & 0xFF) }
        return bytes + Array(text.utf8) + data
    }

    static let oneFloat: [UInt8] = [0, 0, 0x80, 0x3F]

    @Test func roundTripsShapes() throws {
        for shape in [[], [3], [2, 3], [1, 2, 3, 4], [0, 5]] {
            let count = shape.reduce(1, *)
            let array = try NPYArray(shape: shape, values: (0..<count).map { Float($0) * 0.5 - 1 })
            let bytes = array.serialized()
            #expect((bytes.count - count * 4) % 64 == 0)
            #expect(try NPYArray.parse(bytes) == array)
        }
    }

    @Test func readsNumPyFilesAndWritesThemByteForByte() throws {
        for name in ["input_2x3x64x64.npy", "resnet18_tiny_logits.npy"] {
            let bytes = try FixtureFiles.bytes("golden/\(name)")
            let array = try NPYArray.parse(bytes)
            #expect(array.serialized() == bytes, "\(name)")
        }
        #expect(try NPYArray.read(path: FixtureFiles.path("golden/input_2x3x64x64.npy")).shape == [2, 3, 64, 64])
    }

    @Test func acceptsVersionsTwoAndThreeAndSpacing() throws {
        let header = "{\"shape\": (1,), 'fortran_order': False,'descr':'<f4'}"
        #expect(try NPYArray.parse(Self.file(header, data: Self.oneFloat, version: 2)).values == [1])
        #expect(try NPYArray.parse(Self.file(header, data: Self.oneFloat, version: 3)).values == [1])
    }

    static let refusals: [(String, [UInt8], NPYArray.FormatError)] = [
        ("magic", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x58, 1, 0, 0, 0], .badMagic),
        ("short", [0x93, 0x4E, 0x55], .truncated("preamble")),
        ("version", file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", version: 4),
         .unsupportedVersion(major: 4, minor: 0)),
        ("descr", file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: oneFloat + oneFloat),
         .unsupportedDescr("<f8")),
        ("big-endian", file("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: oneFloat),
         .unsupportedDescr(">f4")),
        ("fortran", file("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", data: oneFloat), .fortranOrder),
        ("missing", file("{'descr': '<f4', 'fortran_order': False, }"), .badHeader("missing descr, fortran_order or shape")),
        ("extra key", file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", data: oneFloat),
         .badHeader("unexpected or repeated key 'x'")),
        ("repeated", file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", data: oneFloat),
         .badHeader("unexpected or repeated key 'descr'")),
        ("one-tuple", file("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", data: oneFloat),
         .badHeader("a one-element shape needs a trailing comma")),
        ("short data", file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: oneFloat),
         .dataSize(expected: 8, actual: 4)),
        ("trailing data", file("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data: oneFloat + [0]),
         .dataSize(expected: 4, actual: 5)),
        ("header length", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x7F, 0x7B], .truncated("header of 32767 bytes")),
        ("trailing text", file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", data: oneFloat),
         .badHeader("bytes after the dictionary")),
        ("huge", file("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"),
         .badHeader("shape [4611686018427387904, 4] is too large")),
    ]

    @Test(arguments: refusals.indices)
    func refusesMalformedFiles(index: Int) {
        let (name, bytes, expected) = Self.refusals[index]
        #expect(throws: expected, "\(name)") { try NPYArray.parse(bytes) }
    }

    @Test func writesAndReadsAFile() throws {
        let path = TemporaryFiles.root.appendingPathComponent("swsl-npy-\(UUID().uuidString).npy").path
        let array = try NPYArray(shape: [2, 2], values: [1, -2, .infinity, 0.5])
        try array.write(path: path)
        #expect(try NPYArray.read(path: path) == array)
        #expect(throws: NPYArray.FormatError.self) { try NPYArray.read(path: path + ".missing") }
        #expect(throws: NPYArray.FormatError.dataSize(expected: 8, actual: 4)) { try NPYArray(shape: [2], values: [1]) }
    }
}

