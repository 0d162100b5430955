import Foundation
import SWSLCore

/// Full-size checkpoints written on the fly (never committed), for tests about time and memory at real scale.
public enum LargeCheckpoint {
    /// A full-size torchvision ResNet-50 as safetensors (about 102 MB), built from the committed
    /// (name, shape) list `Fixtures/shapes/resnet50.torchvision.json`. Convolution and fc weights are
    /// pseudo-random, uniform in ±1/√fan-in (deterministic); BatchNorm is the identity (weight 1, bias 0,
    /// mean 0, variance 1), so the network runs to finite logits.
    public static func resnet50(in dir: URL) throws -> String {
        let list = try JSONParser.parse(try FixtureFiles.bytes("shapes/resnet50.torchvision.json"))
        guard case .array(let tensors)? = list["tensors"] else { throw CocoaError(.fileReadCorruptFile) }
        var header: [(String, JSONValue)] = []
        var layout: [(name: String, shape: [Int], offset: Int)] = []
        var offset = 0
        for t in tensors {
            guard case .array(let pair) = t, case .string(let name) = pair[0], case .array(let dims) = pair[1] else { continue }
            let shape = dims.compactMap { if case .int(let d) = $0 { Int(d) } else { nil } }
            let (dtype, size) = name.hasSuffix("num_batches_tracked") ? ("I64", 8) : ("F32", 4)
            let bytes = shape.reduce(1, *) * size
            header.append((name, .object([("dtype", .string(dtype)), ("shape", .array(shape.map { .int(Int64($0)) })),
                                          ("data_offsets", .array([.int(Int64(offset)), .int(Int64(offset + bytes))]))])))
            layout.append((name, shape, offset))
            offset += bytes
        }
        let json = Array(JSONValue.object(header).serialized().utf8)
        var data = Data(withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json)
        let start = data.count
        data.append(Data(count: offset))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            for (name, shape, at) in layout where !name.hasSuffix("num_batches_tracked") {
                let count = shape.reduce(1, *)
                let values = (raw.baseAddress! + start + at).bindMemory(to: Float.self, capacity: count)
                if shape.count >= 2 {
                    let bound = 1 / Float(count / shape[0]).squareRoot()
                    for i in 0..<count {
                        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        values[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * bound
                    }
                } else {
                    let one = name.hasSuffix(".weight") || name.hasSuffix("running_var")
                    for i in 0..<count { values[i] = one && !name.hasPrefix("fc.") ? 1 : 0 }
                }
            }
        }
        let path = dir.appendingPathComponent("resnet50.safetensors").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
