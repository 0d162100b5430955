internal import CKernels
import SWSLCore

/// The layout the convolution kernels read weights in, so a file can store them ready to run.
///
/// Version 1. For a convolution with `out` output channels, `groups` groups and reduction size
/// K = in / groups × kh × kw: each group's Mg = out / groups rows are cut into P = ⌈Mg / 6⌉ panels of
/// `panelRows` (6) rows; element `[g][p][k][r]` — flat index `((g × P + p) × K + k) × 6 + r` — holds
/// `weight[g × Mg + p × 6 + r][k]`, with k in PyTorch's (in, kh, kw) order, and zero for the padding
/// rows `p × 6 + r ≥ Mg`. Elements keep their type (float32, float16 or int8, little-endian); scales
/// and biases are not part of it. A buffer should start 64-byte aligned (at least element-aligned).
public enum PackedWeightLayout {
    /// The layout version described above.
    public static let version = Int(SWK_PACKED_LAYOUT_VERSION)
    /// Rows of one panel.
    public static let panelRows = Int(SWK_MR)
    /// Element types the layout and the kernels take.
    public static let supportedTypes: [DType] = [.float32, .float16, .int8]

    /// Elements of the packed weights of one convolution.
    public static func elementCount(outChannels: Int, groups: Int, reductionSize: Int) -> Int {
        let rows = outChannels / groups
        let panels = (rows + panelRows - 1) / panelRows
        return groups * panels * panelRows * reductionSize
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
        swk_pack_weights(source.baseAddress, destination.baseAddress, elementSize, Int32(outChannels), Int32(groups),
                         Int32(reduction))
    }

    /// Packs C-order weights `[out, in / groups, kh, kw]` (or `[out, in]`) into a new 1-D tensor of
    /// the same element type in this layout.
    public static func pack(_ weights: Tensor, groups: Int, layer: String = "weights") throws(PlanError) -> Tensor {
        guard supportedTypes.contains(weights.dtype) else {
            throw .unsupportedType(layer: layer, dtype: weights.dtype)
        }
        guard weights.shape.count == 2 || weights.shape.count == 4, groups >= 1,
              let out = weights.shape.first, out >= 1, out % groups == 0 else {
            throw .invalidGeometry(layer: layer, reason: "weights of shape \(weights.shape) with \(groups) groups")
        }
        let reduction = weights.elementCount / out
        let count = elementCount(outChannels: out, groups: groups, reductionSize: reduction)
        let element = weights.dtype.byteSize
        let storage = ByteStorage.allocate(count: count * element) { (destination: UnsafeMutableRawBufferPointer) in
            swk_pack_weights(weights.bytes.baseAddress, destination.baseAddress, element,
                             Int32(out), Int32(groups), Int32(reduction))
        }
        do {
            return try Tensor(dtype: weights.dtype, shape: [count], storage: storage)
        } catch {
            throw .invalidGeometry(layer: layer, reason: error.description)
        }
    }
}
