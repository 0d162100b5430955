import Foundation
import Testing
import SWSLTestSupport
internal import CTransform
@testable import SWSLTransform
import SWSLFormat

/// The vector kernels (AVX2) give the same bytes as the portable C reference: folded floats, int8
/// values, scales and halves bit for bit; SQNR sums only in a different order.
@Suite struct KernelEquivalenceTests {

    /// Weights with the awkward cases: exact halves after scaling, zeros, all-zero rows, NaN, ±0, tiny values.
    static func weights(rows: Int, perRow: Int, _ rng: inout TestRandom) -> [Float] {
        var w = (0..<rows * perRow).map { _ in (rng.unit() - 0.5) * 0.3 }
        for i in w.indices {
            switch rng.below(60) {
            case 0: w[i] = 0
            case 1: w[i] = -0.0
            case 2: w[i] = Float(rng.below(255) - 127) * 0.5 / 127  // lands on .5 steps of a 0.5 peak
            case 3: w[i] = 1e-30
            default: break
            }
        }
        if rows > 1 && rng.below(3) == 0 { for j in 0..<perRow { w[j] = 0 } }  // an all-zero channel
        if !w.isEmpty && rng.below(8) == 0 { w[rng.below(w.count)] = .nan }
        return w
    }

    static var vectorISAs: [TransformISA] { TransformISA.allCases.filter { $0 != .portable && $0.isSupported } }

    @Test func foldQuantizeMatchesPortable() {
        var rng = TestRandom(seed: 42)
        for isa in Self.vectorISAs {
            for trial in 0..<400 {
                let rows = 1 + rng.below(12), perRow = [0, 1, 7, 8, 31, 32, 33, 100, 577][rng.below(9)]
                let w = Self.weights(rows: rows, perRow: perRow, &rng)
                let fold: [Double]? = rng.below(3) == 0 ? nil : (0..<rows).map { _ in 0.25 + Double(rng.unit()) * 3 }
                for granularity in WeightGranularity.allCases {
                    var a = [Int8](repeating: 0, count: w.count), b = a
                    let ra = w.withUnsafeBufferPointer { src in
                        a.withUnsafeMutableBufferPointer {
                            Quantizer.quantize(UnsafeRawBufferPointer(src), rows: rows, foldScale: fold, granularity: granularity, into: $0, isa: .portable)
                        }
                    }
                    let rb = w.withUnsafeBufferPointer { src in
                        b.withUnsafeMutableBufferPointer {
                            Quantizer.quantize(UnsafeRawBufferPointer(src), rows: rows, foldScale: fold, granularity: granularity, into: $0, isa: isa)
                        }
                    }
                    #expect(a == b, "trial \(trial) \(granularity): int8 values")
                    #expect(ra.scales.map(\.bitPattern) == rb.scales.map(\.bitPattern), "trial \(trial) \(granularity): scales")
                    let same = ra.sqnr == rb.sqnr || abs(ra.sqnr - rb.sqnr) <= 1e-10 * abs(ra.sqnr)
                        || (ra.sqnr.isNaN && rb.sqnr.isNaN)
                    #expect(same, "trial \(trial) \(granularity): SQNR \(ra.sqnr) vs \(rb.sqnr)")
                }
            }
        }
    }

    @Test func foldRowsMatchesPortable() {
        var rng = TestRandom(seed: 7)
        for isa in Self.vectorISAs {
            for _ in 0..<200 {
                let rows = 1 + rng.below(6), perRow = rng.below(80)
                let w = Self.weights(rows: rows, perRow: perRow, &rng)
                let scale = (0..<rows).map { _ in Double(rng.unit()) * 4 - 2 }
                var a = [Float](repeating: 0, count: w.count), b = a
                swsl_fold_rows_using(TransformISA.portable.c, w, rows, perRow, scale, &a)
                swsl_fold_rows_using(isa.c, w, rows, perRow, scale, &b)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            }
        }
    }

    @Test func halfConversionMatchesPortable() {
        var rng = TestRandom(seed: 11)
        // Random bit patterns cover NaNs, infinities, subnormals and overflow to infinity.
        var values = (0..<20_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        values += [0, -0.0, 65504, 65520, 65519.99, 5.96e-8, 2.98e-8, 2.99e-8, .infinity, -.infinity, .nan]
        for isa in Self.vectorISAs {
            var a = [UInt16](repeating: 0, count: values.count), b = a
            swsl_to_half_using(TransformISA.portable.c, values, values.count, &a)
            swsl_to_half_using(isa.c, values, values.count, &b)
            for i in values.indices where a[i] != b[i] {
                Issue.record("half of 0x\(String(values[i].bitPattern, radix: 16)): portable \(a[i]), \(isa) \(b[i])")
                break
            }
            #expect(a == values.map { Float16($0).bitPattern }, "portable differs from Float16(x)")
        }
    }

    /// Quotients exactly on and one float step either side of half-integers (where rounding
    /// decides), over scales of every magnitude down to subnormal: same values, same scales, and
    /// the same error sums (the vector code computes w − q·scale in float, exactly).
    @Test func halfwayQuotientsMatchPortable() {
        var rng = TestRandom(seed: 5)
        for isa in Self.vectorISAs {
            for trial in 0..<3000 {
                let perRow = 1 + rng.below(300)
                var peak = Float(1 + rng.unit()) * Float(sign: .plus, exponent: rng.below(60) - 40, significand: 1)
                if trial % 50 == 0 { peak = Float(sign: .plus, exponent: -140 + rng.below(10), significand: 1) }
                let scale = peak / 127
                var w = (0..<perRow).map { _ -> Float in
                    let base = (Float(rng.below(255) - 127) + (rng.below(2) == 0 ? 0.5 : 0)) * scale
                    switch rng.below(4) {
                    case 0: return base
                    case 1: return base.nextUp
                    case 2: return base.nextDown
                    default: return (rng.unit() * 2 - 1) * peak
                    }
                }.map { abs($0) > peak ? Float(sign: $0.sign, exponent: peak.exponent, significand: peak.significand) : $0 }
                w[rng.below(perRow)] = peak
                var a = [Int8](repeating: 0, count: perRow), b = a
                let ra = w.withUnsafeBufferPointer { src in
                    a.withUnsafeMutableBufferPointer {
                        Quantizer.quantize(UnsafeRawBufferPointer(src), rows: 1, foldScale: nil, granularity: .perChannel, into: $0, isa: .portable)
                    }
                }
                let rb = w.withUnsafeBufferPointer { src in
                    b.withUnsafeMutableBufferPointer {
                        Quantizer.quantize(UnsafeRawBufferPointer(src), rows: 1, foldScale: nil, granularity: .perChannel, into: $0, isa: isa)
                    }
                }
                #expect(a == b && ra.scales == rb.scales, "trial \(trial): peak \(peak)")
                #expect(ra.sqnr == rb.sqnr || abs(ra.sqnr - rb.sqnr) <= 1e-10 * abs(ra.sqnr), "trial \(trial): SQNR")
            }
        }
    }

    /// Weights read in place from a legacy checkpoint can sit off a 4-byte boundary: every offset
    /// gives the bytes an aligned copy gives.
    @Test func unalignedWeightsMatchAligned() {
        var rng = TestRandom(seed: 13)
        for isa in TransformISA.allCases where isa.isSupported {
            for _ in 0..<100 {
                let rows = 1 + rng.below(6), perRow = 1 + rng.below(90)
                let w = Self.weights(rows: rows, perRow: perRow, &rng)
                let fold: [Double]? = rng.below(2) == 0 ? nil : (0..<rows).map { _ in Double(rng.unit()) * 2 }
                var want = [Int8](repeating: 0, count: w.count)
                let aligned = w.withUnsafeBytes { src in
                    want.withUnsafeMutableBufferPointer {
                        Quantizer.quantize(src, rows: rows, foldScale: fold, granularity: .perChannel, into: $0, isa: isa)
                    }
                }
                for offset in 1..<4 {
                    var raw = [UInt8](repeating: 0, count: offset + w.count * 4)
                    raw.withUnsafeMutableBytes { dst in w.withUnsafeBytes { dst.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
                    var got = [Int8](repeating: 0, count: w.count)
                    let shifted = raw.withUnsafeBytes { bytes in
                        got.withUnsafeMutableBufferPointer {
                            Quantizer.quantize(UnsafeRawBufferPointer(rebasing: bytes[offset...]), rows: rows, foldScale: fold,
                                               granularity: .perChannel, into: $0, isa: isa)
                        }
                    }
                    #expect(got == want && shifted.scales == aligned.scales, "\(isa) offset \(offset)")
                    #expect(shifted.sqnr == aligned.sqnr || (shifted.sqnr.isNaN && aligned.sqnr.isNaN))
                }
            }
        }
    }

    @Test func nanWeightsQuantizeToZero() {
        let q = Quantizer.quantize([127, .nan, -127, 63.5, 62.5], channels: 1, granularity: .perChannel)
        #expect(q.values == [127, 0, -127, 64, 62])
    }
}
