internal import CTransform
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SWSLFormat

/// Symmetric int8 quantization of weights, per output channel (rows of the first dimension) or per tensor.
public enum Quantizer {
    /// How many scales a weight tensor gets; the raw value is the metadata's `quantization.weights`.
    /// An int8 tensor with its scales and the precision quantizing it lost.
    public struct Result: Sendable {
        /// `round(w / scale)` clamped to ±127, in the input's order.
        public let values: [Int8]
        /// One scale per output channel, or one for the tensor: `w ≈ q × scale`.
        public let scales: [Float]
        /// Signal-to-quantization-noise ratio in dB (∞ for an exact or all-zero tensor).
        public let sqnr: Double
    }

    /// Quantizes `weights` as `channels` rows of equal length, with no BatchNorm folding.
    public static func quantize(_ weights: [Float], channels: Int, granularity: WeightGranularity) -> Result {
        weights.withUnsafeBufferPointer { quantize($0, rows: channels, foldScale: nil, granularity: granularity) }
    }

    /// Multiplies row `r` by `foldScale[r]` (BatchNorm folding, in double) and quantizes, in one pass.
    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, foldScale: [Double]?,
                                granularity: WeightGranularity) -> Result {
        var scales: [Float] = [], sqnr = 0.0
        let values = [Int8](unsafeUninitializedCapacity: weights.count) { buffer, initialized in
            (scales, sqnr) = quantize(UnsafeRawBufferPointer(weights), rows: rows, foldScale: foldScale,
                                      granularity: granularity, into: buffer)
            initialized = weights.count
        }
        return Result(values: values, scales: scales, sqnr: sqnr)
    }

    /// Folds and quantizes float32 `weights` (little-endian, any alignment) into `values` (one per
    /// weight), with the kernels of `isa`. Returns the scales and the SQNR in dB.
    /// Per channel, rows go in blocks of about `blockBytes` of input, and `afterBlock` gets each
    /// block's input once it is quantized (the converter evicts it: a layer's source never has to be
    /// resident all at once). Per tensor, the whole tensor is one block.
    static func quantize(_ weights: UnsafeRawBufferPointer, rows: Int, foldScale: [Double]?,
                         granularity: WeightGranularity, into values: UnsafeMutableBufferPointer<Int8>,
                         isa: TransformISA = .best, blockBytes: Int = .max,
                         afterBlock: (UnsafeRawBufferPointer) -> Void = { _ in }) -> (scales: [Float], sqnr: Double) {
        precondition(values.count * 4 == weights.count, "quantize: output size differs from input")
        precondition(foldScale.map { $0.count >= rows } ?? true, "quantize: fewer fold scales than rows")
        let rows = max(rows, 1)
        let perRow = values.count / rows
        let perChannel = granularity == .perChannel
        // Folded rows are staged here: one row per channel, the whole tensor per tensor (its peak
        // must be known before the first value is quantized). Unfolded weights are read in place.
        let workCount = foldScale == nil ? 0 : (perChannel ? perRow : values.count)
        var scales = [Float](repeating: 1, count: perChannel ? rows : 1)
        var signal = 0.0, noise = 0.0
        let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(workCount, 1))
        defer { work.deallocate() }
        let rowsPerBlock = perChannel ? max(1, blockBytes / max(1, perRow * 4)) : rows
        scales.withUnsafeMutableBufferPointer { s in
            foldScale.withOptionalBuffer { fold in
                for first in stride(from: 0, to: rows, by: rowsPerBlock) {
                    let count = min(rowsPerBlock, rows - first)
                    let input = UnsafeRawBufferPointer(rebasing: weights[(first * perRow * 4)..<((first + count) * perRow * 4)])
                    swsl_fold_quantize_using(isa.c, input.baseAddress, count, perRow, fold.map { $0 + first },
                                             perChannel ? 1 : 0, work.baseAddress, values.baseAddress.map { $0 + first * perRow },
                                             s.baseAddress! + (perChannel ? first : 0), &signal, &noise)
                    afterBlock(input)
                }
            }
        }
        let covered = rows * perRow
        if covered < values.count { values[covered...].initialize(repeating: 0) }
        let sqnr = noise == 0 ? Double.infinity : 10 * log10(signal / noise)
        return (scales, sqnr)
    }
}

extension Optional where Wrapped == [Double] {
    /// Calls `body` with the array's element pointer, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Double>?) -> R) -> R {
        switch self {
        case .some(let array): array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
