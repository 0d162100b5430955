import Testing
import SWSLCore
@testable import SWSLCheckpoint

/// Every fixture checkpoint, read by us, must match what torch / onnx / safetensors read from it
/// (Fixtures/golden/*.json, written by Fixtures/generate.py).
@Suite struct GoldenReaderTests {
    @Test(arguments: FixtureSupport.checkpointGoldens)
    func readerMatchesReferenceLibrary(golden name: String) throws {
        let golden = try FixtureSupport.golden(name)
        guard case .string(let file)? = golden["file"] else { Issue.record("golden without file"); return }
        let checkpoint = try CheckpointReader.read(path: FixtureSupport.path(file))
        let report = checkpoint.report()

        for key in ["format", "wrapper", "prefix", "dtype", "tensor_count", "parameter_count"] {
            #expect(report[key] == golden[key], "\(file): \(key)")
        }
        guard case .array(let expected)? = golden["tensors"] else { Issue.record("golden without tensors"); return }
        #expect(checkpoint.weights.count == expected.count)
        for (tensor, want) in zip(checkpoint.weights, expected) {
            #expect(.string(tensor.name) == want["name"], "\(file)")
            #expect(.string(tensor.tensor.dtype.rawValue) == want["dtype"], "\(file): \(tensor.name)")
            #expect(.array(tensor.tensor.shape.map { .int(Int64($0)) }) == want["shape"], "\(file): \(tensor.name)")
            #expect(.int(Int64(tensor.tensor.crc32)) == want["crc32"], "\(file): \(tensor.name) values differ")
        }
        // Format facts we report must agree with the reference wherever both have them.
        let factKeys = ["archive_prefix", "zip_version", "byteorder", "format_version", "storage_alignment",
                        "storage_count", "magic_number", "protocol_version", "sys_info", "module_class",
                        "header_size", "metadata", "opset", "producer_name", "producer_version", "ir_version",
                        "inputs", "outputs", "members"]
        for key in factKeys where golden[key] != nil {
            #expect(report[key] == golden[key], "\(file): fact \(key)")
        }
    }

    @Test func oddTensorsAreMaterialisedLikeTorch() throws {
        // Views, shared storages, 0-d and empty tensors, every dtype: values checked by CRC above;
        // here the sharing itself: two views of one storage share bytes without copying.
        let checkpoint = try CheckpointReader.read(path: FixtureSupport.path("models/oddities.zip.pth"))
        let byName = Dictionary(uniqueKeysWithValues: checkpoint.weights.map { ($0.name, $0.tensor) })
        let a = try #require(byName["shared_a"]), b = try #require(byName["shared_b"])
        #expect(a.storage === b.storage)
        #expect(byName["scalar"]?.shape == [])
        #expect(byName["empty"]?.elementCount == 0)
        #expect(byName["bfloat16"]?.floats().count == 5)
    }
}
