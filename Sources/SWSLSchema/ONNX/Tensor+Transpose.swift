import SWSLCore

extension Tensor {
    /// A copy of a 2-D tensor with its axes swapped, in a new storage (`[in, out]` → `[out, in]`).
    func transposed2D() -> Tensor {
        let (rows, columns) = (shape[0], shape[1])
        let size = dtype.byteSize
        let source = bytes
        let storage = ByteStorage.allocate(count: byteCount) { (out: UnsafeMutableRawBufferPointer) -> Void in
            for r in 0..<rows {
                for c in 0..<columns {
                    let from = (r * columns + c) * size, to = (c * rows + r) * size
                    out.baseAddress!.advanced(by: to).copyMemory(from: source.baseAddress!.advanced(by: from), byteCount: size)
                }
            }
        }
        // The storage holds exactly these bytes, so the layout cannot be refused.
        return try! Tensor(dtype: dtype, shape: [columns, rows], storage: storage)
    }

    /// The same bytes seen with another shape of the same element count (`[1, n]` → `[n]`).
    func reshaped(_ newShape: [Int]) -> Tensor {
        try! Tensor(dtype: dtype, shape: newShape, storage: storage, byteOffset: byteOffset)
    }
}
