import Testing
@testable import SWSLExecutor
import SWSLTestSupport

@Suite struct PoolKernelTests {
    /// (kernel, stride, padding) of the max pools tried; the ResNet one first.
    static let maxPools = [(3, 2, 1), (2, 2, 0), (3, 1, 1), (5, 3, 2), (1, 1, 0)]

    @Test(arguments: [(1, 1), (2, 3), (7, 7), (13, 8), (56, 57), (112, 112)])
    func maxPoolMatchesNaive(height: Int, width: Int) {
        var random = TestRandom(seed: UInt64(height * 1000 + width))
        let channels = 3
        var input = random.floats(channels * height * width)
        input[input.count / 2] = .nan
        for (k, s, p) in Self.maxPools where height + 2 * p >= k && width + 2 * p >= k {
            let from = Schedule.Shape(channels: channels, height: height, width: width)
            let to = Schedule.Shape(channels: channels, height: (height + 2 * p - k) / s + 1, width: (width + 2 * p - k) / s + 1)
            var output = [Float](repeating: 7, count: to.count)
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    Kernels.maxPool(input: i.baseAddress!, output: o.baseAddress!, from: from, to: to, kernel: k, stride: s,
                                    padding: p, channels: 0..<channels)
                }
            }
            for c in 0..<channels {
                for oy in 0..<to.height {
                    for ox in 0..<to.width {
                        var m = -Float.infinity
                        for y in max(0, oy * s - p)..<min(height, oy * s - p + k) {
                            for x in max(0, ox * s - p)..<min(width, ox * s - p + k) {
                                let v = input[(c * height + y) * width + x]
                                if v > m || v.isNaN { m = v }
                            }
                        }
                        let got = output[(c * to.height + oy) * to.width + ox]
                        #expect(got == m || (got.isNaN && m.isNaN), "k\(k) s\(s) p\(p) at \(c),\(oy),\(ox)")
                    }
                }
            }
        }
    }

    @Test(arguments: [(1, 1), (4, 4), (5, 7), (15, 2)])
    func averagePoolCeilModeMatchesNaive(height: Int, width: Int) {
        var random = TestRandom(seed: 3)
        let input = random.floats(2 * height * width)
        for (k, s) in [(2, 2), (3, 3), (3, 2)] {
            let from = Schedule.Shape(channels: 2, height: height, width: width)
            let to = Schedule.Shape(channels: 2, height: Schedule.ceilPoolSize(height, kernel: k, stride: s),
                                    width: Schedule.ceilPoolSize(width, kernel: k, stride: s))
            var output = [Float](repeating: .nan, count: to.count)
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    Kernels.averagePool(input: i.baseAddress!, output: o.baseAddress!, from: from, to: to, kernel: k,
                                        stride: s, channels: 0..<2)
                }
            }
            for c in 0..<2 {
                for oy in 0..<to.height {
                    for ox in 0..<to.width {
                        var sum = 0.0, n = 0.0
                        for y in oy * s..<min(height, oy * s + k) {
                            for x in ox * s..<min(width, ox * s + k) {
                                sum += Double(input[(c * height + y) * width + x])
                                n += 1
                            }
                        }
                        #expect(abs(Double(output[(c * to.height + oy) * to.width + ox]) - sum / n) < 1e-6)
                    }
                }
            }
        }
    }

    @Test func ceilPoolSizesMatchPyTorch() {
        // torch.nn.AvgPool2d(k, s, ceil_mode=True) output sizes.
        #expect(Schedule.ceilPoolSize(16, kernel: 2, stride: 2) == 8)
        #expect(Schedule.ceilPoolSize(15, kernel: 2, stride: 2) == 8)
        #expect(Schedule.ceilPoolSize(1, kernel: 2, stride: 2) == 1)
        #expect(Schedule.ceilPoolSize(5, kernel: 3, stride: 2) == 2)
        #expect(Schedule.ceilPoolSize(6, kernel: 3, stride: 2) == 3)
        #expect(Schedule.ceilPoolSize(7, kernel: 3, stride: 3) == 3)
    }

    @Test func globalAveragePoolWritesFeatureMajor() {
        let input: [Float] = [1, 2, 3, 4, 10, 20, 30, 40]
        var output = [Float](repeating: 0, count: 6)
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                Kernels.globalAveragePool(input: i.baseAddress!, output: o.baseAddress! + 1, plane: 4, stride: 3, channels: 0..<2)
            }
        }
        #expect(output == [0, 2.5, 0, 0, 25, 0])
    }
}
