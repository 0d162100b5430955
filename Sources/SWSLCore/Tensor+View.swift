extension Tensor {
    /// A tensor from a strided view of `storage` (PyTorch's `storage_offset`, `size`, `stride`, in elements).
    ///
    /// Every element the view can reach is checked to lie inside the storage before any byte is read.
    /// A contiguous little-endian view shares the storage; anything else (strides, big-endian) is copied
    /// into a new contiguous little-endian storage. A view may not materialise into more bytes than
    /// `storage.count + extraByteBudget` (stride-0 broadcasts cannot be used to blow up memory).
    public static func view(
        storage: ByteStorage, dtype: DType, storageOffset: Int, shape: [Int], strides: [Int],
        bigEndian: Bool = false, extraByteBudget: Int = 16 << 20
    ) throws(TensorLayoutError) -> Tensor {
        guard shape.count == strides.count else {
            throw .badShape("size \(shape) and stride \(strides) differ in rank")
        }
        let count = try elementCount(shape)
        let size = dtype.byteSize
        let storageElements = storage.count / size
        guard storageOffset >= 0 else { throw .outOfStorage("negative storage offset \(storageOffset)") }
        guard strides.allSatisfy({ $0 >= 0 }) else { throw .badShape("negative stride in \(strides)") }
        if count == 0 {
            guard storageOffset <= storageElements else {
                throw .outOfStorage("offset \(storageOffset) beyond \(storageElements) elements")
            }
            return try Tensor(dtype: dtype, shape: shape, storage: .empty)
        }
        // Highest element index the view reaches, overflow-checked.
        var last = storageOffset
        for (extent, stride) in zip(shape, strides) {
            let (span, o1) = (extent - 1).multipliedReportingOverflow(by: stride)
            let (sum, o2) = last.addingReportingOverflow(span)
            guard !o1, !o2 else { throw .outOfStorage("offset arithmetic overflows for size \(shape) stride \(strides)") }
            last = sum
        }
        guard last < storageElements else {
            throw .outOfStorage(
                "view offset \(storageOffset) size \(shape) stride \(strides) reaches element \(last), storage has \(storageElements)")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, total <= storage.count + extraByteBudget else {
            throw .tooLarge("view of \(count) elements would need \(total) bytes from a \(storage.count)-byte storage")
        }
        if !bigEndian && isContiguous(shape: shape, strides: strides) {
            return try Tensor(dtype: dtype, shape: shape, storage: storage, byteOffset: storageOffset * size)
        }
        let copy = ByteStorage.allocate(count: total) { (out: UnsafeMutableRawBufferPointer) -> Void in
            gather(from: storage.bytes, into: out, elementSize: size, offset: storageOffset,
                   shape: shape, strides: strides, swap: bigEndian)
        }
        return try Tensor(dtype: dtype, shape: shape, storage: copy)
    }

    /// True when `strides` are the C-order strides of `shape` (size-1 dimensions ignored).
    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for d in shape.indices.reversed() where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Copies a strided view element by element, optionally reversing each element's bytes.
    private static func gather(
        from source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, elementSize: Int,
        offset: Int, shape: [Int], strides: [Int], swap: Bool
    ) {
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        var position = offset
        var written = 0
        while written < out.count {
            let src = position * elementSize
            for b in 0..<elementSize {
                out[written + b] = source[src + (swap ? elementSize - 1 - b : b)]
            }
            written += elementSize
            // Advance the multi-index (last dimension fastest).
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                position += strides[d]
                if index[d] < shape[d] { break }
                position -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
