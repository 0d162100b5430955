internal import CKernels
import SWSLCore
import SWSLFormat

/// Int8 weights in the integer kernels' internal layout (tap by tap, four input channels per
/// reduction quad, see `swk_pack_weights_tap_quads`), built at plan time from plain or packed int8 weights.
final class QuadWeights: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int8>
    let count: Int
    /// Per output channel, the sum of its int8 weights: what a zero point adds to each sum per unit.
    /// Only layers whose input takes a zero point (the first stem convolution) need them; empty otherwise.
    let rowSums: [Int32]

    /// From C-order `[out][in / groups][kernel][kernel]` int8 values; `rowSums` also sums each row.
    init(plain: UnsafeBufferPointer<Int8>, outChannels: Int, groups: Int, inChannels: Int, kernel: Int, rowSums: Bool) {
        count = swk_tap_quad_weight_count(Int32(outChannels), Int32(groups), Int32(inChannels), Int32(kernel), Int32(kernel))
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        pointer = raw.bindMemory(to: Int8.self, capacity: max(count, 1))
        swk_pack_weights_tap_quads(plain.baseAddress, pointer, Int32(outChannels), Int32(groups), Int32(inChannels),
                                   Int32(kernel), Int32(kernel))
        let perRow = inChannels / groups * kernel * kernel
        self.rowSums = !rowSums ? [] : (0..<outChannels).map { row in
            plain[row * perRow..<(row + 1) * perRow].reduce(Int32(0)) { $0 + Int32($1) }
        }
    }

    /// From int8 weights, plain (`[out, in / groups, k, k]` or `[out, in]`) or in `PackedWeightLayout`.
    static func make(_ tensor: Tensor, packed: Bool, outChannels: Int, groups: Int, inChannels: Int, kernel: Int,
                     rowSums: Bool) -> QuadWeights {
        if !packed {
            return withExtendedLifetime(tensor) {
                QuadWeights(plain: tensor.bytes.bindMemory(to: Int8.self), outChannels: outChannels, groups: groups,
                            inChannels: inChannels, kernel: kernel, rowSums: rowSums)
            }
        }
        let reductionSize = inChannels / groups * kernel * kernel
        return unpack(tensor, outChannels: outChannels, groups: groups, reductionSize: reductionSize)
            .withUnsafeBufferPointer {
                QuadWeights(plain: $0, outChannels: outChannels, groups: groups, inChannels: inChannels, kernel: kernel,
                            rowSums: rowSums)
            }
    }

    /// Int8 weights in `PackedWeightLayout` back in C order `[out][k]`.
    private static func unpack(_ packed: Tensor, outChannels: Int, groups: Int, reductionSize: Int) -> [Int8] {
        let rows = outChannels / groups
        let panels = (rows + PackedWeightLayout.panelRows - 1) / PackedWeightLayout.panelRows
        var plain = [Int8](repeating: 0, count: outChannels * reductionSize)
        withExtendedLifetime(packed) {
            let source = packed.bytes.bindMemory(to: Int8.self)
            for g in 0..<groups {
                for row in 0..<rows {
                    let (p, r) = row.quotientAndRemainder(dividingBy: PackedWeightLayout.panelRows)
                    let base = (g * panels + p) * reductionSize * PackedWeightLayout.panelRows + r
                    for k in 0..<reductionSize {
                        plain[(g * rows + row) * reductionSize + k] = source[base + k * PackedWeightLayout.panelRows]
                    }
                }
            }
        }
        return plain
    }

    deinit { pointer.deallocate() }
}
