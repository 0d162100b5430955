import SWSLCore

extension Checkpoint {
    /// BatchNorm statistics: counted as tensors, not as parameters.
    static let statisticSuffixes = ["running_mean", "running_var", "num_batches_tracked"]

    /// Elements of all weight tensors except BatchNorm running statistics and step counters.
    public var parameterCount: Int {
        weights.reduce(0) { sum, w in
            Checkpoint.statisticSuffixes.contains { w.name.hasSuffix($0) } ? sum : sum + w.tensor.elementCount
        }
    }

    /// Bytes of all weight tensors.
    public var weightBytes: Int { weights.reduce(0) { $0 + $1.tensor.byteCount } }

    /// The floating dtype most weights have (by element count), or nil when there is none.
    public var weightDType: DType? {
        var counts: [DType: Int] = [:]
        for w in weights where w.tensor.dtype.isFloatingPoint { counts[w.tensor.dtype, default: 0] += w.tensor.elementCount }
        return counts.max { ($0.value, $0.key.rawValue) < ($1.value, $1.key.rawValue) }?.key
    }

    /// What `swsl-convert inspect --json` prints.
    public func report() -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("file", .string(path)),
            ("format", .string(format.rawValue)),
        ]
        pairs += facts
        pairs += [
            ("wrapper", wrapper.map(JSONValue.string) ?? .null),
            ("prefix", prefix.map(JSONValue.string) ?? .null),
            ("dtype", weightDType.map { .string($0.rawValue) } ?? .null),
            ("tensor_count", .int(Int64(weights.count))),
            ("parameter_count", .int(Int64(parameterCount))),
            ("total_bytes", .int(Int64(weightBytes))),
            ("tensors", .array(weights.map { w in
                .object([
                    ("name", .string(w.name)),
                    ("dtype", .string(w.tensor.dtype.rawValue)),
                    ("shape", .array(w.tensor.shape.map { .int(Int64($0)) })),
                    ("bytes", .int(Int64(w.tensor.byteCount))),
                ])
            })),
        ]
        return .object(pairs)
    }
}
