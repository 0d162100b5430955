/// A fixed-size, 64-byte aligned, zero-initialised float buffer that frees itself. The executor's
/// activations, workspaces and per-channel epilogue vectors live in these; their addresses never move.
final class AlignedFloats: @unchecked Sendable {
    /// The first element.
    let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    /// A copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let address = source.baseAddress { base.update(from: address, count: values.count) }
        }
    }

    deinit { base.deallocate() }

    /// The elements as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
