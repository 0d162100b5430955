internal import CKernels
import SWSLCore
import SWSLFormat

extension PackedWeightLayout {
    /// True when the kernels read the layout SWSLFormat describes (their panel height and version).
    static var matchesKernels: Bool { panelRows == Int(SWK_MR) && version == Int(SWK_PACKED_LAYOUT_VERSION) }

    /// Packs a layer's plain weights for a plan; a failure names the layer.
    static func packing(_ weights: Tensor, groups: Int, layer: String) throws(PlanError) -> Tensor {
        precondition(matchesKernels, "the kernels' panel layout differs from PackedWeightLayout")
        do { return try pack(weights, groups: groups) } catch {
            switch error {
            case .unsupportedType(let dtype): throw .unsupportedType(layer: layer, dtype: dtype)
            case .invalidGeometry(let why): throw .invalidGeometry(layer: layer, reason: why)
            }
        }
    }
}
