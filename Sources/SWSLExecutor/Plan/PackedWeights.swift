internal import CKernels
import SWSLCore
import SWSLFormat

/// One convolution's weights in `PackedWeightLayout`, kept alive with their storage (a mapped file
/// or a heap copy). Read-only once built.
final class PackedWeights: @unchecked Sendable {
    /// float32, float16 or int8.
    let dtype: DType
    /// The packed elements; `pointer` points into its storage.
    let tensor: Tensor
    /// First byte of the packed elements, element-aligned.
    let pointer: UnsafeRawPointer

    /// Uses `tensor` (already packed) in place, or an aligned copy when its bytes are misaligned.
    init(packed tensor: Tensor) {
        var held = tensor
        if let base = tensor.bytes.baseAddress, Int(bitPattern: base) % tensor.dtype.byteSize != 0 {
            held = try! Tensor(dtype: tensor.dtype, shape: tensor.shape, storage: ByteStorage.copying(tensor.bytes))
        }
        self.dtype = held.dtype
        self.tensor = held
        self.pointer = held.bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
    }

    /// Float32 weights `[out][k]` packed into a new heap buffer.
    convenience init(floats: [Float], outChannels: Int, groups: Int) {
        let storage = floats.withUnsafeBytes { ByteStorage.copying($0) }
        let plain = try! Tensor(dtype: .float32, shape: [outChannels, floats.count / outChannels], storage: storage)
        self.init(packed: try! PackedWeightLayout.pack(plain, groups: groups))
    }

    /// The C element-type selector.
    var weightType: swk_weight_type {
        switch dtype {
        case .float16: SWK_WEIGHTS_F16
        case .int8: SWK_WEIGHTS_I8
        default: SWK_WEIGHTS_F32
        }
    }
}
