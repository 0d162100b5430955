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

    /// The floating dtype all floating weights share; nil when there is none or they differ.
    public var weightDType: DType? {
        let floating = Set(weights.lazy.map(\.tensor.dtype).filter(\.isFloatingPoint))
        return floating.count == 1 ? floating.first : nil
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
