import SWSLCore

/// The layout the convolution kernels read weights in, so a `.swm` file can store them ready to run
/// (Formats/SWM.md, layout `packed`). The file format owns this description; the executor's kernels
/// read it (their panel height is checked against `panelRows` when a plan is built).
///
/// Version 1. For a convolution with `out` output channels, `groups` groups and reduction size
/// K = in / groups × kh × kw: each group's Mg = out / groups rows are cut into P = ⌈Mg / 6⌉ panels of
/// `panelRows` (6) rows; element `[g][p][k][r]` — flat index `((g × P + p) × K + k) × 6 + r` — holds
/// `weight[g × Mg + p × 6 + r][k]`, with k in PyTorch's (in, kh, kw) order, and zero for the padding
/// rows `p × 6 + r ≥ Mg`. Elements keep their type (float32, float16 or int8, little-endian); scales
/// and biases are not part of it. A buffer should start 64-byte aligned (at least element-aligned).
public enum PackedWeightLayout {
    /// The layout version described above.
    public static let version = 1
    /// Rows of one panel.
    public static let panelRows = 6
    /// Element types the layout and the kernels take.
    public static let supportedTypes: [DType] = [.float32, .float16, .int8]

    /// Why weights cannot be packed.
    public enum PackingError: Error, CustomStringConvertible, Sendable, Equatable {
        case unsupportedType(DType)
        case invalidGeometry(String)

        /// The message the CLI prints: the refused dtype and the types that pack, or the geometry problem.
        public var description: String {
            switch self {
            case .unsupportedType(let dtype): "\(dtype.rawValue) weights cannot be packed (float32, float16 or int8)"
            case .invalidGeometry(let why): why
            }
        }
    }

    /// Elements of the packed weights of one convolution (of sizes a real tensor has: see `checkedElementCount`).
    public static func elementCount(outChannels: Int, groups: Int, reductionSize: Int) -> Int {
        checkedElementCount(outChannels: outChannels, groups: groups, reductionSize: reductionSize)!
    }

    /// `elementCount`, or nil when it does not fit an `Int` (sizes read from an untrusted file's metadata).
    public static func checkedElementCount(outChannels: Int, groups: Int, reductionSize: Int) -> Int? {
        guard groups >= 1, outChannels >= 0, reductionSize >= 0 else { return nil }
        let rows = outChannels / groups
        let panels = rows / panelRows + (rows % panelRows == 0 ? 0 : 1)
        var count = 1
        for factor in [groups, panels, panelRows, reductionSize] {
            let (product, overflow) = count.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Packs the C-order weights in `source` (`outChannels` rows of `elementSize`-byte elements) into
    /// `destination`, which must hold exactly `elementCount(...)` elements. No allocation.
    public static func pack(_ source: UnsafeRawBufferPointer, elementSize: Int, outChannels: Int, groups: Int,
                            into destination: UnsafeMutableRawBufferPointer) {
        let reduction = outChannels == 0 ? 0 : source.count / elementSize / outChannels
        precondition(groups >= 1 && outChannels % groups == 0 && source.count == outChannels * reduction * elementSize
                     && destination.count == elementCount(outChannels: outChannels, groups: groups, reductionSize: reduction) * elementSize,
                     "packing sizes do not match")
        guard outChannels > 0, reduction > 0 else { return }
        switch elementSize {
        case 1: typed(source, destination, UInt8.self, rows: outChannels, groups: groups, k: reduction)
        case 2: typed(source, destination, UInt16.self, rows: outChannels, groups: groups, k: reduction)
        case 4: typed(source, destination, UInt32.self, rows: outChannels, groups: groups, k: reduction)
        default: preconditionFailure("element size \(elementSize) is not 1, 2 or 4")
        }
    }

    /// Packs C-order weights `[out, in / groups, kh, kw]` (or `[out, in]`) into a new 1-D tensor of
    /// the same element type in this layout.
    public static func pack(_ weights: Tensor, groups: Int) throws(PackingError) -> Tensor {
        guard supportedTypes.contains(weights.dtype) else { throw .unsupportedType(weights.dtype) }
        guard weights.shape.count == 2 || weights.shape.count == 4, groups >= 1,
              let out = weights.shape.first, out >= 1, out % groups == 0 else {
            throw .invalidGeometry("weights of shape \(weights.shape) with \(groups) groups")
        }
        let reduction = weights.elementCount / out
        let count = elementCount(outChannels: out, groups: groups, reductionSize: reduction)
        let element = weights.dtype.byteSize
        let storage = ByteStorage.allocate(count: count * element) { (destination: UnsafeMutableRawBufferPointer) in
            pack(weights.bytes, elementSize: element, outChannels: out, groups: groups, into: destination)
        }
        do {
            return try Tensor(dtype: weights.dtype, shape: [count], storage: storage)
        } catch {
            throw .invalidGeometry(error.description)
        }
    }

    /// The permutation, one element type at a time: rows are read in order, each written down its
    /// panel's column; padding rows are zero. Source bytes need no alignment.
    private static func typed<T: FixedWidthInteger>(_ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableRawBufferPointer,
                                                     _: T.Type, rows: Int, groups: Int, k: Int) {
        let mg = rows / groups, panels = (mg + panelRows - 1) / panelRows
        let out = destination.baseAddress!.assumingMemoryBound(to: T.self)
        let input = source.baseAddress!
        let size = MemoryLayout<T>.size
        for g in 0..<groups {
            for p in 0..<panels {
                let panel = out + (g * panels + p) * k * panelRows
                for r in 0..<panelRows {
                    let row = p * panelRows + r
                    if row < mg {
                        let from = input + (g * mg + row) * k * size
                        for kk in 0..<k { panel[kk * panelRows + r] = from.loadUnaligned(fromByteOffset: kk * size, as: T.self) }
                    } else {
                        for kk in 0..<k { panel[kk * panelRows + r] = 0 }
                    }
                }
            }
        }
    }
}
