import Foundation
import SWSLCheckpoint
import SWSLCore
@testable import SWSLSchema
import SWSLTestSupport
import SWSLNetwork

/// Fixture paths, shape-only fixtures and fake checkpoints built from (name, shape) lists.
enum SchemaFixtures {
    /// `<package>/Fixtures`.
    static let root = FixtureFiles.root

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONParser.parse(Array(Data(contentsOf: root.appendingPathComponent(relative))), maxDepth: 8)
    }

    /// The shape-only fixtures written by Fixtures/shapes/generate_shapes.py.
    static let shapeFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("shapes"))) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "swsl_ssl.json" }.sorted()
    }()

    /// One shape-only fixture: the state dict's names and shapes, and the expected architecture.
    struct ShapeList {
        let tensors: [(String, [Int])]
        /// `report()` keys plus `convention`.
        let expected: JSONValue

        init(_ file: String) throws {
            let json = try SchemaFixtures.json("shapes/" + file)
            guard case .array(let entries)? = json["tensors"], let expected = json["expected"] else {
                throw CocoaError(.fileReadCorruptFile)
            }
            self.expected = expected
            tensors = entries.compactMap { entry in
                guard case .array(let pair) = entry, case .string(let name)? = pair.first,
                      case .array(let dims)? = pair.last else { return nil }
                return (name, dims.compactMap { if case .int(let n) = $0 { Int(n) } else { nil } })
            }
        }

        /// `expected` without `convention`: what `ResNetArchitecture.report()` must return.
        var expectedReport: JSONValue {
            guard case .object(let pairs) = expected else { return expected }
            return .object(pairs.filter { $0.0 != "convention" })
        }

        var expectedConvention: String? {
            if case .string(let s)? = expected["convention"] { s } else { nil }
        }
    }

    /// Zeros shared by every fake tensor: as large as the largest tensor of the shape fixtures
    /// (wide_resnet101_2's 1024×1024×3×3 float32 convolutions).
    static let zeros = ByteStorage.allocate(count: 40 << 20) { (buffer: UnsafeMutableRawBufferPointer) -> Void in
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// A float32 tensor of this shape over the shared zeros (int64 for `num_batches_tracked`).
    static func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        try Tensor(dtype: name.hasSuffix("num_batches_tracked") ? .int64 : .float32, shape: shape, storage: zeros)
    }

    /// A PyTorch checkpoint holding these names and shapes.
    static func checkpoint(_ tensors: [(String, [Int])], prefix: String = "", wrapper: String? = nil) throws -> Checkpoint {
        let weights = try tensors.map { NamedTensor(name: prefix + $0.0, tensor: try tensor($0.0, $0.1)) }
        return Checkpoint(path: "fake.pth", format: .pytorchZip, weights: weights, wrapper: wrapper,
                          prefix: prefix.isEmpty ? nil : prefix)
    }

    /// Maps, returning the error (nil when it mapped).
    static func refusal(_ checkpoint: Checkpoint) -> SchemaError? {
        do {
            _ = try SchemaMapper.map(checkpoint)
            return nil
        } catch {
            return error
        }
    }
}
