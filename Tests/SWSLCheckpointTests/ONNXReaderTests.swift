import Foundation
import SWSLCore
import Testing
@testable import SWSLCheckpoint
import SWSLTestSupport

/// The ONNX reader against the fixtures' goldens (written by Fixtures/generate.py with the onnx
/// library), and against hostile models built here with a small protobuf encoder of our own.
@Suite struct ONNXReaderTests {
    /// The package's Fixtures folder.
    static let fixtures = FixtureFiles.root

    /// Every `.onnx` file under Fixtures/models/onnx, relative to Fixtures.
    static let models: [String] = {
        let folder = fixtures.appendingPathComponent("models/onnx")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".onnx") }.sorted().map { "models/onnx/" + $0 }
    }()

    static func readFixture(_ relative: String) throws -> Checkpoint {
        let path = fixtures.appendingPathComponent(relative).path
        return try ONNXReader.read(path: path, storage: ByteStorage.map(path: path))
    }

    @Test func everyFixtureIsThere() {
        #expect(Self.models.count >= 6, "fixtures: \(Self.models)")
    }

    @Test(arguments: models) func matchesGolden(_ relative: String) throws {
        let checkpoint = try Self.readFixture(relative)
        let goldenURL = Self.fixtures.appendingPathComponent("golden/" + relative.replacingOccurrences(of: "/", with: "__") + ".json")
        let golden = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: goldenURL)) as? [String: Any])
        let graph = try #require(checkpoint.graph)

        let tensors = try #require(golden["tensors"] as? [[String: Any]])
        #expect(checkpoint.format == .onnx)
        #expect(checkpoint.weights.count == tensors.count)
        #expect(graph.initializerNames == checkpoint.weights.map(\.name))
        for (weight, expected) in zip(checkpoint.weights, tensors) {
            #expect(weight.name == expected["name"] as? String)
            #expect(weight.tensor.dtype.rawValue == expected["dtype"] as? String, "\(weight.name)")
            #expect(weight.tensor.shape == expected["shape"] as? [Int], "\(weight.name)")
            #expect(weight.tensor.crc32 == (expected["crc32"] as? NSNumber)?.uint32Value, "\(weight.name)")
        }

        #expect(checkpoint.facts.map(\.0) == ["ir_version", "opset", "producer_name", "producer_version", "inputs", "outputs", "nodes"])
        #expect(graph.opsetVersion == golden["opset"] as? Int)
        #expect(graph.irVersion == golden["ir_version"] as? Int)
        #expect(graph.producerName == golden["producer_name"] as? String)
        #expect(graph.producerVersion == golden["producer_version"] as? String)
        #expect(fact(checkpoint, "opset") == .int(Int64(graph.opsetVersion ?? -1)))

        var counts: [String: Int] = [:]
        for node in graph.nodes { counts[node.opType, default: 0] += 1 }
        #expect(counts == golden["nodes"] as? [String: Int])
        #expect(graph.nodes.count == golden["node_count"] as? Int)
        guard case .object(let factCounts)? = fact(checkpoint, "nodes") else { Issue.record("no node counts"); return }
        #expect(factCounts.map(\.0) == graph.nodes.map(\.opType).reduce(into: []) { if !$0.contains($1) { $0.append($1) } })

        for (values, key) in [(graph.inputs, "inputs"), (graph.outputs, "outputs")] {
            let expected = try #require(golden[key] as? [[String: Any]])
            #expect(values.map(\.name) == expected.map { $0["name"] as? String })
            #expect(values.map { $0.dtype?.rawValue } == expected.map { $0["dtype"] as? String })
            #expect(values.map(\.dims) == expected.map { ($0["dims"] as? [Any])?.map(Self.dim) })
        }
    }

    /// A golden dim: a number is a size, a string a symbolic name.
    private static func dim(_ value: Any) -> ONNXDim {
        if let name = value as? String { return .param(name) }
        return (value as? Int).map { .value($0) } ?? .unknown
    }

    @Test func graphKeepsWhatArchitectureRecognitionNeeds() throws {
        let graph = try #require(try Self.readFixture("models/onnx/resnet18_tiny.bn.onnx").graph)
        let stem = try #require(graph.nodes.first { $0.opType == "Conv" })
        #expect(stem.inputs.first == "input")
        #expect(stem.attribute("kernel_shape")?.ints == [7, 7])
        #expect(stem.attribute("strides")?.ints == [2, 2])
        let batchNorm = try #require(graph.nodes.first { $0.opType == "BatchNormalization" })
        #expect(batchNorm.attribute("epsilon")?.float != nil)
        #expect(batchNorm.inputs.dropFirst().allSatisfy(graph.initializerNames.contains))
    }

    @Test func externalDataIsViewedWithoutCopying() throws {
        let checkpoint = try Self.readFixture("models/onnx/external/resnet18_tiny.onnx")
        let storages = Set(checkpoint.weights.map { ObjectIdentifier($0.tensor.storage) })
        #expect(storages.count == 1)
    }

    @Test func embeddedRawDataIsViewedInTheMappedFile() throws {
        // torch.onnx.export's file keeps every weight in raw_data; none of it may be copied.
        let path = Self.fixtures.appendingPathComponent("models/onnx/resnet18_tiny.bn.onnx").path
        let file = try ByteStorage.map(path: path)
        let checkpoint = try ONNXReader.read(path: path, storage: file)
        let fileRange = UInt(bitPattern: file.bytes.baseAddress!)..<UInt(bitPattern: file.bytes.baseAddress! + file.count)
        #expect(checkpoint.weights.count > 20)
        for weight in checkpoint.weights where weight.tensor.byteCount > 0 {
            let start = UInt(bitPattern: weight.tensor.storage.bytes.baseAddress! + weight.tensor.byteOffset)
            #expect(fileRange.contains(start), "\(weight.name) is a copy")
        }
    }

    @Test func rawDataKeepsProtobufSemanticsOnUnusualWireLayouts() throws {
        // 64 floats each, so that raw_data is most of the file (the reader views it in place then).
        let four = Array((0..<256).map { UInt8($0) })
        let eight = Array((0..<256).map { UInt8(255 - $0) })
        let sandbox = try Sandbox()
        // raw_data given twice: protobuf keeps the last value.
        let twice = Proto.model(initializers: [Proto.tensor("w", dims: [64]).raw(Array(four.prefix(128))).raw(eight)])
        #expect(try bytes(sandbox.read(twice).weights[0].tensor) == eight)
        // A graph given twice: protobuf merges the two, so both initializers are there.
        let a = Message().message(5, Proto.tensor("a", dims: [64]).raw(four))
        let b = Message().message(5, Proto.tensor("b", dims: [64]).raw(eight))
        let merged = Message().int(1, 8).message(8, Message().int(2, 17)).message(7, a).message(7, b).bytes
        let weights = try sandbox.read(merged).weights
        #expect(weights.map(\.name) == ["a", "b"])
        #expect(bytes(weights[1].tensor) == eight)
        // A raw_data of the wrong size still names the tensor, from the file as from an unpacked copy.
        let short = Proto.model(initializers: [Proto.tensor("a", dims: [64]).raw(four), Proto.tensor("w", dims: [64]).raw(Array(eight.prefix(200)))])
        #expect { try sandbox.read(short) } throws: { "\($0)".contains("tensor 'w'") && "\($0)".contains("raw_data has 200 bytes") }
        // Initializers without raw_data, between ones with it, keep their own index.
        let mixed = Proto.model(initializers: [Proto.tensor("a", dims: [64]).raw(four), Proto.tensor("f", dims: [2]).packedFloats(4, [1, 2]),
                                               Proto.tensor("b", dims: [64]).raw(eight)])
        let mixedWeights = try sandbox.read(mixed).weights
        #expect(mixedWeights[1].tensor.floats() == [1, 2])
        #expect(bytes(mixedWeights[2].tensor) == eight)

        // Which of these the index takes: the plain ones, pointing at the right bytes; not the unusual ones.
        mixed.withUnsafeBytes { file in
            let index = ONNXRawDataIndex.build(file)
            #expect(index?.rawData.keys.sorted() == [0, 2])
            if let a = index?.rawData[0], let b = index?.rawData[2] {
                #expect(Array(file[a]) == four && Array(file[b]) == eight)
            }
            #expect((index?.message.count ?? .max) < 100)
        }
        for unusual in [twice, merged] {
            unusual.withUnsafeBytes { #expect(ONNXRawDataIndex.build($0) == nil) }
        }
        let tiny = Proto.model(initializers: [Proto.tensor("s", dims: [1]).raw([0, 0, 128, 63])])
        tiny.withUnsafeBytes { #expect(ONNXRawDataIndex.build($0) == nil) }  // raw_data not most of the file
    }

    /// A copy of the tensor's bytes (its `bytes` view lives only as long as the tensor).
    private func bytes(_ tensor: Tensor) -> [UInt8] { withExtendedLifetime(tensor) { Array(tensor.bytes) } }

    @Test(arguments: models) func truncatedFixtureIsAnError(_ relative: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(relative)))
        let sandbox = try Sandbox()
        #expect(throws: ReadError.self) { try sandbox.read(Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: ReadError.self) { try sandbox.read(Array(bytes.dropLast())) }
    }

    @Test func randomBytesAreAnError() throws {
        let sandbox = try Sandbox()
        var random = TestRandom(seed: 0x5EED)
        for _ in 0..<50 {
            let bytes = (0..<Int(random.next() % 4096 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(throws: ReadError.self) { try sandbox.read(bytes) }
        }
    }

    @Test func flippedBytesNeverCrash() throws {
        let original = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("models/onnx/resnet18_tiny.bn.onnx")))
        let sandbox = try Sandbox()
        var random = TestRandom(seed: 42)
        for _ in 0..<200 {
            var bytes = original
            for _ in 0..<4 { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            do { _ = try sandbox.read(bytes) } catch is ReadError {}
        }
    }

    // MARK: Hostile models

    @Test(arguments: HostileCase.all) func hostileModelIsRefused(_ hostile: HostileCase) throws {
        let sandbox = try Sandbox()
        let error = #expect(throws: ReadError.self) { try sandbox.read(hostile.model) }
        guard let error else { return }
        #expect(HostileCase.Expected(error) == hostile.expected, "\(error)")
        #expect(error.description.contains(hostile.mentions), "\(error)")
        if case .externalDataEscape(let tensor, let location, _) = error {
            #expect(tensor == "w")
            #expect(location == hostile.location)
        }
    }

    @Test func externalDataInsideTheFolderIsRead() throws {
        let sandbox = try Sandbox()
        let model = Proto.model(initializers: [
            Proto.tensor("a", dims: [4]).external(["location": "weights/data.bin", "offset": "16", "length": "16"]),
            Proto.tensor("b", dims: [2, 2]).external(["location": "./weights/data.bin", "offset": "48"]),
            Proto.tensor("c", dims: [16]).external(["location": "inner.bin", "checksum": "ignored"]),
        ])
        let weights = try sandbox.read(model).weights
        #expect(weights.map { $0.tensor.floats() } == [[4, 5, 6, 7], [12, 13, 14, 15], (0..<16).map(Float.init)])
        #expect(weights[0].tensor.storage === weights[1].tensor.storage)
    }

    @Test func typedFieldsAreDecoded() throws {
        let half = Float16(-1.5).bitPattern, brain = UInt16(Float(-2).bitPattern >> 16)
        let model = Proto.model(initializers: [
            Proto.tensor("f32", dims: [3]).packedFloats(4, [1, -2, 0.5]),
            Proto.tensor("f16", dims: [2], type: 10).packedVarints(5, [Int(half), Int(Int16(bitPattern: half))]),
            Proto.tensor("bf16", dims: [1], type: 16).packedVarints(5, [Int(brain)]),
            Proto.tensor("i8", dims: [2], type: 3).packedVarints(5, [-128, 127]),
            Proto.tensor("u8", dims: [2], type: 2).packedVarints(5, [0, 255]),
            Proto.tensor("bool", dims: [2], type: 9).packedVarints(5, [1, 0]),
            Proto.tensor("i64", dims: [2], type: 7).packedVarints(7, [Int.min, 3]),
            Proto.tensor("f64", dims: [1], type: 11).packedDoubles(10, [0.25]),
            Proto.tensor("empty", dims: [0, 3]),
        ])
        let weights = try Sandbox().read(model).weights
        #expect(weights.map(\.tensor.dtype) == [.float32, .float16, .bfloat16, .int8, .uint8, .bool, .int64, .float64, .float32])
        #expect(weights[0].tensor.floats() == [1, -2, 0.5])
        #expect(weights[1].tensor.floats() == [-1.5, -1.5])
        #expect(weights[2].tensor.floats() == [-2])
        #expect(weights[3].tensor.integers() == [-128, 127])
        #expect(weights[4].tensor.integers() == [0, 255])
        #expect(weights[5].tensor.integers() == [1, 0])
        #expect(weights[6].tensor.integers() == [Int64.min, 3])
        #expect(weights[7].tensor.floats() == [0.25])
        #expect(weights[8].tensor.shape == [0, 3])
    }

    @Test func constantNodesAndAttributesAreDecoded() throws {
        let constant = Proto.node("Constant", name: "shape", outputs: ["s"], attributes: [
            Proto.attribute("value", type: 4).message(5, Proto.tensor("", dims: [2], type: 7).raw(le64([1, -1]))),
        ])
        let conv = Proto.node("Conv", name: "conv", inputs: ["x", "w", ""], outputs: ["y"], attributes: [
            Proto.attribute("kernel_shape", type: 7).packedVarints(8, [3, 3]),
            Proto.attribute("auto_pad", type: 3).bytes(4, Array("NOTSET".utf8)),
            Proto.attribute("alpha", type: 1).fixed32(2, Float(0.5).bitPattern),
            Proto.attribute("then_branch", type: 5).message(6, Message()),
        ])
        let input = Message().string(1, "x").message(2, Message().message(1, Message().int(1, 1).message(2,
            Message().message(1, Message().string(2, "batch")).message(1, Message().int(1, 3)).message(1, Message()))))
        let model = Proto.model(initializers: [], nodes: [constant, conv], inputs: [input],
                                metadata: [("author", "tests")])
        let checkpoint = try Sandbox().read(model)
        let graph = try #require(checkpoint.graph)
        #expect(graph.nodes.map(\.opType) == ["Constant", "Conv"])
        #expect(graph.nodes[0].attribute("value")?.tensor?.integers() == [1, -1])
        let node = graph.nodes[1]
        #expect(node.inputs == ["x", "w", ""])
        #expect(node.attribute("kernel_shape")?.ints == [3, 3])
        #expect(node.attribute("alpha")?.float == 0.5)
        guard case .string("NOTSET")? = node.attribute("auto_pad"), case .other(type: 5)? = node.attribute("then_branch") else {
            Issue.record("attributes: \(node.attributes)")
            return
        }
        #expect(graph.inputs.first?.dims == [.param("batch"), .value(3), .unknown])
        #expect(fact(checkpoint, "inputs")?.serialized() == #"[{"name":"x","dtype":"float32","dims":["batch",3,null]}]"#)
        #expect(fact(checkpoint, "metadata")?.serialized() == #"{"author":"tests"}"#)
    }
}

private func fact(_ checkpoint: Checkpoint, _ name: String) -> JSONValue? {
    checkpoint.facts.first { $0.0 == name }?.1
}

/// Little-endian bytes of 64-bit integers.
private func le64(_ values: [Int64]) -> [UInt8] {
    values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

/// Test helpers, nested so that they cannot collide with other test files' names.
extension ONNXReaderTests {
    // MARK: - Hostile cases

    /// A model that must be refused, the kind of error and a text the error must mention.
    struct HostileCase: CustomTestStringConvertible, Sendable {
        enum Expected: Equatable {
            case escape, tooLarge, corrupt, badShape, other

            init(_ error: ReadError) {
                switch error {
                case .externalDataEscape: self = .escape
                case .tooLarge: self = .tooLarge
                case .corrupt: self = .corrupt
                case .tensor(_, .badShape): self = .badShape
                default: self = .other
                }
            }
        }

        let label: String
        let model: [UInt8]
        let expected: Expected
        let mentions: String
        /// The external-data location, for escapes.
        let location: String

        var testDescription: String { label }

        /// A model with one float tensor "w" of 16 elements stored externally at `location`.
        static func external(_ label: String, _ location: String, _ expected: Expected,
                             _ extra: [String: String] = [:], dims: [Int] = [16]) -> HostileCase {
            let tensor = Proto.tensor("w", dims: dims).external(extra.merging(["location": location]) { a, _ in a })
            return HostileCase(label: label, model: Proto.model(initializers: [tensor]), expected: expected,
                               mentions: "'w'", location: location)
        }

        static func tensor(_ label: String, _ tensor: Message, _ expected: Expected, mentions: String = "'w'") -> HostileCase {
            HostileCase(label: label, model: Proto.model(initializers: [tensor]), expected: expected, mentions: mentions, location: "")
        }

        static let all: [HostileCase] = [
            external("parent folder", "../outside/secret.bin", .escape),
            external("absolute path", "/etc/passwd", .escape),
            external("symlink out of the folder", "link.bin", .escape),
            external("hard link to a file outside the folder", "hard.bin", .escape),
            external("empty location", "", .escape),
            external("NUL in location", "data.bin\u{0}x", .escape),
            external("'..' inside the path", "weights/../data.bin", .escape),
            external("offset + length past the end", "data.bin", .tooLarge, ["offset": "32", "length": "64"]),
            external("offset past the end", "data.bin", .tooLarge, ["offset": "100"]),
            external("huge offset", "data.bin", .tooLarge, ["offset": "9223372036854775807", "length": "64"]),
            external("huge length", "data.bin", .tooLarge, ["offset": "8", "length": "9223372036854775807"]),
            external("length differs from dims", "data.bin", .corrupt, ["length": "32"]),
            external("rest of file differs from dims", "data.bin", .corrupt, ["offset": "4"]),
            external("negative offset", "data.bin", .corrupt, ["offset": "-4"]),
            external("hex offset", "data.bin", .corrupt, ["offset": "0x10"]),
            external("missing file", "nothere.bin", .corrupt),
            external("folder as file", "weights", .corrupt, dims: [0]),
            tensor("location missing", Proto.tensor("w", dims: [1]).bytes(13, Message().string(1, "offset").string(2, "0").bytes).int(14, 1), .corrupt),
            tensor("external_data without EXTERNAL", Proto.tensor("w", dims: [0]).bytes(13, Message().string(1, "location").string(2, "data.bin").bytes), .corrupt),
            tensor("raw_data too short", Proto.tensor("w", dims: [2, 3]).raw([UInt8](repeating: 0, count: 20)), .corrupt),
            tensor("negative dim", Proto.tensor("w", dims: [-1, 4]).raw([]), .badShape),
            tensor("element count overflows", Proto.tensor("w", dims: [1 << 32, 1 << 32]).raw([]), .badShape),
            tensor("byte count overflows", Proto.tensor("w", dims: [1 << 61]).raw([]), .badShape),
            tensor("string tensor", Proto.tensor("w", dims: [1], type: 8).bytes(6, Array("hi".utf8)), .corrupt, mentions: "STRING"),
            tensor("uint16 tensor", Proto.tensor("w", dims: [1], type: 4).packedVarints(5, [1]), .corrupt, mentions: "UINT16"),
            tensor("no data type", Message().string(8, "w").int(1, 1), .corrupt, mentions: "UNDEFINED"),
            tensor("float_data count", Proto.tensor("w", dims: [4]).packedFloats(4, [1, 2, 3]), .corrupt),
            tensor("no data at all", Proto.tensor("w", dims: [4]), .corrupt),
            tensor("int8 out of range", Proto.tensor("w", dims: [1], type: 3).packedVarints(5, [300]), .corrupt),
            tensor("bool out of range", Proto.tensor("w", dims: [1], type: 9).packedVarints(5, [2]), .corrupt),
            tensor("wrong typed field", Proto.tensor("w", dims: [1]).packedVarints(7, [1]), .corrupt, mentions: "int64_data"),
            tensor("raw_data and float_data", Proto.tensor("w", dims: [1]).raw([0, 0, 0, 0]).packedFloats(4, [1]), .corrupt),
            tensor("segment", Proto.tensor("w", dims: [1]).raw([0, 0, 0, 0]).message(3, Message().int(1, 0).int(2, 1)), .corrupt),
            tensor("unknown data_location", Proto.tensor("w", dims: [1]).raw([0, 0, 0, 0]).int(14, 7), .corrupt),
            HostileCase(label: "duplicate initializer", model: Proto.model(initializers: [
                Proto.tensor("w", dims: [1]).raw([0, 0, 0, 0]), Proto.tensor("w", dims: [1]).raw([0, 0, 0, 0]),
            ]), expected: .corrupt, mentions: "'w'", location: ""),
            HostileCase(label: "unnamed initializer", model: Proto.model(initializers: [Proto.tensor("", dims: [0]).raw([])]),
                        expected: .corrupt, mentions: "initializer #0", location: ""),
            HostileCase(label: "no graph", model: Message().int(1, 8).bytes, expected: .corrupt, mentions: "no graph", location: ""),
            HostileCase(label: "empty file", model: [], expected: .corrupt, mentions: "protobuf", location: ""),
            HostileCase(label: "bad Constant tensor", model: Proto.model(initializers: [], nodes: [
                Proto.node("Constant", name: "k", outputs: ["k"], attributes: [
                    Proto.attribute("value", type: 4).message(5, Proto.tensor("", dims: [2]).raw([1])),
                ]),
            ]), expected: .corrupt, mentions: "k.value", location: ""),
            HostileCase(label: "TENSOR attribute without tensor", model: Proto.model(initializers: [], nodes: [
                Proto.node("Constant", name: "k", outputs: ["k"], attributes: [Proto.attribute("value", type: 4)]),
            ]), expected: .corrupt, mentions: "'k'", location: ""),
        ]
    }

    // MARK: - Files

    /// A temporary folder laid out for external-data tests, removed on deinit:
    ///
    ///     outside/secret.bin          64 bytes
    ///     model/data.bin              16 float32: 0, 1, …, 15
    ///     model/weights/data.bin      the same
    ///     model/inner.bin  -> data.bin
    ///     model/link.bin   -> ../outside/secret.bin
    ///     model/hard.bin              a hard link to outside/secret.bin
    ///     model/model.onnx            written by `read`
    final class Sandbox {
        let root: URL
        let folder: URL

        init() throws {
            let files = FileManager.default
            root = TemporaryFiles.root.appendingPathComponent("onnx-tests-\(UUID().uuidString)")
            folder = root.appendingPathComponent("model")
            try files.createDirectory(at: folder.appendingPathComponent("weights"), withIntermediateDirectories: true)
            try files.createDirectory(at: root.appendingPathComponent("outside"), withIntermediateDirectories: true)
            let data = Data((0..<16).flatMap { i -> [UInt8] in
                let bits = Float(i).bitPattern
                return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
            })
            try data.write(to: folder.appendingPathComponent("data.bin"))
            try data.write(to: folder.appendingPathComponent("weights/data.bin"))
            try data.write(to: root.appendingPathComponent("outside/secret.bin"))
            try files.createSymbolicLink(atPath: folder.appendingPathComponent("inner.bin").path, withDestinationPath: "data.bin")
            try files.createSymbolicLink(atPath: folder.appendingPathComponent("link.bin").path,
                                         withDestinationPath: "../outside/secret.bin")
            try files.linkItem(at: root.appendingPathComponent("outside/secret.bin"),
                               to: folder.appendingPathComponent("hard.bin"))
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// Writes `bytes` as model/model.onnx and reads it.
        func read(_ bytes: [UInt8]) throws -> Checkpoint {
            let path = folder.appendingPathComponent("model.onnx").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return try ONNXReader.read(path: path, storage: ByteStorage.map(path: path))
        }
    }

    // MARK: - A minimal protobuf encoder

    /// Protobuf wire-format bytes, built field by field (independent of the reader under test).
    struct Message: Sendable {
        var bytes: [UInt8] = []

        private static func varint(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            while value >= 0x80 {
                out.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            return out + [UInt8(value)]
        }

        private func appending(_ field: Int, wire: Int, _ payload: [UInt8]) -> Message {
            Message(bytes: bytes + Self.varint(UInt64(field << 3 | wire)) + payload)
        }

        func int(_ field: Int, _ value: Int) -> Message {
            appending(field, wire: 0, Self.varint(UInt64(bitPattern: Int64(value))))
        }

        func fixed32(_ field: Int, _ bits: UInt32) -> Message {
            appending(field, wire: 5, (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) })
        }

        func bytes(_ field: Int, _ data: [UInt8]) -> Message {
            appending(field, wire: 2, Self.varint(UInt64(data.count)) + data)
        }

        func string(_ field: Int, _ text: String) -> Message { bytes(field, Array(text.utf8)) }

        func message(_ field: Int, _ message: Message) -> Message { bytes(field, message.bytes) }

        func packedVarints(_ field: Int, _ values: [Int]) -> Message {
            bytes(field, values.flatMap { Self.varint(UInt64(bitPattern: Int64($0))) })
        }

        func packedFloats(_ field: Int, _ values: [Float]) -> Message {
            bytes(field, values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } })
        }

        func packedDoubles(_ field: Int, _ values: [Double]) -> Message {
            bytes(field, values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } })
        }

        /// TensorProto.raw_data.
        func raw(_ data: [UInt8]) -> Message { bytes(9, data) }

        /// TensorProto.external_data entries (sorted by key) and data_location EXTERNAL.
        func external(_ entries: [String: String]) -> Message {
            entries.sorted { $0.key < $1.key }
                .reduce(self) { $0.message(13, Message().string(1, $1.key).string(2, $1.value)) }
                .int(14, 1)
        }
    }

    /// ONNX messages built with `Message`, using onnx.proto's field numbers.
    enum Proto {
        /// A ModelProto: IR 8, default opset 17, one graph.
        static func model(initializers: [Message], nodes: [Message] = [], inputs: [Message] = [],
                          metadata: [(String, String)] = []) -> [UInt8] {
            var graph = Message()
            for node in nodes { graph = graph.message(1, node) }
            for tensor in initializers { graph = graph.message(5, tensor) }
            for input in inputs { graph = graph.message(11, input) }
            var model = Message().int(1, 8).message(8, Message().int(2, 17)).message(7, graph)
            for (key, value) in metadata { model = model.message(14, Message().string(1, key).string(2, value)) }
            return model.bytes
        }

        /// A TensorProto with name, dims and data type (1 is FLOAT), and no data yet.
        static func tensor(_ name: String, dims: [Int], type: Int = 1) -> Message {
            dims.reduce(Message().string(8, name)) { $0.int(1, $1) }.int(2, type)
        }

        static func node(_ opType: String, name: String, inputs: [String] = [], outputs: [String],
                         attributes: [Message]) -> Message {
            var node = Message().string(3, name).string(4, opType)
            for input in inputs { node = node.string(1, input) }
            for output in outputs { node = node.string(2, output) }
            return attributes.reduce(node) { $0.message(5, $1) }
        }

        /// An AttributeProto with its name and AttributeType code; add the value field next.
        static func attribute(_ name: String, type: Int) -> Message {
            Message().string(1, name).int(20, type)
        }
    }
}
