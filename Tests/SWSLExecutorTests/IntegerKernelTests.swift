import Testing
import CKernels
import SWSLCore
@testable import SWSLExecutor
import SWSLTestSupport
import SWSLFormat

/// The integer-arithmetic path (int8 weights × quantized uint8 activations) against a naive
/// computation with the same quantization, on every kernel choice.
@Suite struct IntegerKernelTests {
    @Test(arguments: ConvCase.all, ConvKernelTests.kernelChoices)
    func matchesNaiveQuantizedConvolution(shape: ConvCase, kernels: KernelChoice) throws {
        try ConvKernelTests.skipUnlessSupported(kernels)
        var random = TestRandom(seed: UInt64(shape.inChannels * 7919 + shape.outChannels))
        let count = shape.outChannels * shape.inChannels / shape.groups * shape.kernel * shape.kernel
        let values = (0..<count).map { _ in Int8.random(in: -127...127, using: &random) }
        let scales = random.floats(shape.outChannels, in: 0.001...0.01)
        let bias = random.floats(shape.outChannels)
        let weights = KernelHarness.tensor(
            .int8, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
            bytes: values.map { UInt8(bitPattern: $0) })
        for packed in [false, true] {
            let folded = LayerSpec(
                name: "int8", weights: packed ? .packed(try PackedWeightLayout.pack(weights, groups: shape.groups)) : .plain(weights),
                scales: scales, bias: bias, inChannels: shape.inChannels, outChannels: shape.outChannels,
                kernel: shape.kernel, stride: shape.stride, padding: shape.padding, groups: shape.groups)
            let layer = try ConvLayer(spec: folded, relu: true, integer: true)
            #expect(layer.isInteger)
            // Non-negative inputs (after a ReLU), a few past the range to exercise clamping.
            var input = random.floats(shape.inChannels * shape.height * shape.width, in: 0...1)
            input[0] = 5
            let levels = Float(Kernels.activationLevels)
            let step: Float = 1 / levels
            let inverse: Float = 1 / step
            let quantized = input.map { min(max(($0 * inverse).rounded(.toNearestOrEven), 0), levels) }
            var naive = NaiveConvolution(inChannels: shape.inChannels, outChannels: shape.outChannels,
                                         kernel: shape.kernel, stride: shape.stride, padding: shape.padding,
                                         groups: shape.groups, weights: values.map(Float.init))
            (naive.scale, naive.postBias, naive.relu) = (scales.map { $0 * step }, bias, true)
            let expected = naive.run(quantized, height: shape.height, width: shape.width)
            // The path the shape takes, then each integer path it could take instead.
            let others = KernelHarness.otherIntegerPaths(layer, height: shape.height, width: shape.width, kernels: kernels)
            for path in [nil] + others.map(Optional.some) {
                let actual = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width,
                                               kernels: kernels, inputScale: step, path: path)
                let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
                #expect(maxDiff <= 1e-5 * (1 + maxRef), "packed \(packed), levels \(levels), path \(path.map { "\($0.rawValue)" } ?? "chosen")")
            }
        }
    }

    /// Small planes of one group take the prepacked path (every column packed once per image, tasks cut along
    /// rows) on every kernel set without a direct kernel for the shape; large planes, and grouped layers, pack
    /// per column block. Stride 2 keeps the direct kernels (stride 1 only) out.
    @Test(arguments: ConvKernelTests.kernelChoices)
    func smallPlanesArePackedOncePerImage(kernels: KernelChoice) throws {
        try ConvKernelTests.skipUnlessSupported(kernels)
        func path(_ shape: ConvCase) throws -> swk_conv_path {
            let count = shape.outChannels * shape.inChannels / shape.groups * shape.kernel * shape.kernel
            let weights = KernelHarness.tensor(.int8, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
                                               bytes: [UInt8](repeating: 1, count: count))
            let spec = LayerSpec(name: "path", weights: .plain(weights), scales: [Float](repeating: 1, count: shape.outChannels),
                                 bias: [Float](repeating: 0, count: shape.outChannels), inChannels: shape.inChannels,
                                 outChannels: shape.outChannels, kernel: shape.kernel, stride: shape.stride,
                                 padding: shape.padding, groups: shape.groups)
            let descriptor = try ConvLayer(spec: spec, relu: true, integer: true)
                .descriptor(height: shape.height, width: shape.width, kernels: kernels, inputScale: 1)
            return swk_conv_path(rawValue: UInt32(descriptor.path))
        }
        // ResNet-50 at 224 px: stage 3's strided 3 x 3 (28 x 28 -> 14 x 14) and stage 4's 1 x 1 downsample.
        #expect(try path(ConvCase(inChannels: 256, outChannels: 256, kernel: 3, stride: 2, padding: 1, groups: 1, height: 28, width: 28))
                == SWK_PATH_INTEGER_PREPACKED)
        #expect(try path(ConvCase(inChannels: 1024, outChannels: 2048, kernel: 1, stride: 2, padding: 0, groups: 1, height: 14, width: 14))
                == SWK_PATH_INTEGER_PREPACKED)
        // A strided 3 x 3 of 64 channels from 112 x 112 to 56 x 56 (ResNet-50's stage-1 width at 448 px): 3136 columns
        // of 144 quads, 1.8 MB packed.
        #expect(try path(ConvCase(inChannels: 64, outChannels: 64, kernel: 3, stride: 2, padding: 1, groups: 1, height: 112, width: 112))
                == SWK_PATH_INTEGER_PACKED)
        #expect(try path(ConvCase(inChannels: 64, outChannels: 64, kernel: 3, stride: 2, padding: 1, groups: 32, height: 14, width: 14))
                == SWK_PATH_INTEGER_PACKED)
    }

    /// The sums no int16 pair may hold: every weight ±127 or −128 against activations at the top level (255),
    /// where `vpmaddubsw`'s saturating pairs would give 32767 for 255 × 127 × 2 = 64770. Every kernel set
    /// must give the exact integers (scale 1, step 1: the outputs are the int32 sums themselves, below 2^24).
    @Test(arguments: [ConvCase(inChannels: 32, outChannels: 16, kernel: 3, stride: 1, padding: 0, groups: 1, height: 5, width: 6),
                      ConvCase(inChannels: 24, outChannels: 9, kernel: 1, stride: 2, padding: 0, groups: 1, height: 9, width: 9)],
          ConvKernelTests.kernelChoices.flatMap { kernels in [255, 127].map { (kernels, $0) } })
    func sumsDoNotSaturate(shape: ConvCase, setting: (kernels: KernelChoice, levels: Int)) throws {
        let (kernels, levels) = setting
        try ConvKernelTests.skipUnlessSupported(kernels)
        // Row r: all +127, all −128, alternating −128 / +127 in pairs, or +127 / −127 by channel parity.
        // Step 1: inputs at the top level and above (clamped to it), a few lower ones for variety.
        var random = TestRandom(seed: 255)
        let expected = try Self.checkExactSums(shape: shape, kernels: kernels, levels: levels, weight: { row, k in
            switch row % 4 {
            case 0: return 127
            case 1: return -128
            case 2: return (k / 2) % 2 == 0 ? -128 : 127
            default: return k % 2 == 0 ? 127 : -127
            }
        }, input: { _, _ in random.next() % 8 == 0 ? Float(random.next() % 256) : 300 })
        #expect(expected.map(abs).max()! > Double(levels * 128 * 2), "the case must hold sums past what an int16 pair can")
    }

    /// AVX2 multiplies a reduction quad whose activations all lie below 128 with `vpmaddubsw` and one holding 128 or
    /// more with `vpmaddwd` on int16 pairs, quad by quad: weights at the extremes (127, −128) and between, varying
    /// along the reduction and from row to row, against inputs where the first channels stay at or below 127 and
    /// the others reach 255 at every third position, so quads of both kinds meet in one tile (12 output columns),
    /// in a one-vector tail (6 columns) and in one-column tails (7 × 7: 49 = 3 × 16 + 1, AVX2's per-column
    /// kernel). Every kernel set must give the exact integers.
    @Test(arguments: [ConvCase(inChannels: 32, outChannels: 16, kernel: 3, stride: 1, padding: 0, groups: 1, height: 5, width: 6),
                      ConvCase(inChannels: 32, outChannels: 9, kernel: 3, stride: 1, padding: 0, groups: 1, height: 4, width: 5),
                      ConvCase(inChannels: 32, outChannels: 14, kernel: 3, stride: 1, padding: 1, groups: 1, height: 7, width: 7)],
          ConvKernelTests.kernelChoices)
    func sumsAreExactWhereQuadsMixLevels(shape: ConvCase, kernels: KernelChoice) throws {
        try ConvKernelTests.skipUnlessSupported(kernels)
        var random = TestRandom(seed: 128)
        let levels: [Int8] = [127, -128, 127, -128, 90, -3, 64]
        _ = try Self.checkExactSums(shape: shape, kernels: kernels, levels: 255, weight: { row, k in
            levels[(row * 5 + k + k / 4) % levels.count]
        }, input: { channel, position in
            if channel >= shape.inChannels / 2 && position % 3 == 0 { return 255 }
            return random.next() % 4 == 0 ? Float(random.next() % 128) : 127
        })
    }

    /// Runs an integer convolution with scale 1 and input step 1 (the outputs are the int32 sums themselves) whose
    /// weight at (output row, reduction index) is `weight` and input at (channel, position) is `input` (clamped to
    /// `levels`), expects every output to equal the naive sum exactly, and returns those sums.
    static func checkExactSums(shape: ConvCase, kernels: KernelChoice, levels: Int, weight: (Int, Int) -> Int8,
                               input: (Int, Int) -> Float) throws -> [Double] {
        let perRow = shape.inChannels / shape.groups * shape.kernel * shape.kernel
        let values = (0..<shape.outChannels * perRow).map { index in
            let (row, k) = index.quotientAndRemainder(dividingBy: perRow)
            return weight(row, k)
        }
        let weights = KernelHarness.tensor(.int8, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
                                           bytes: values.map { UInt8(bitPattern: $0) })
        let folded = LayerSpec(name: "exact", weights: .plain(weights), scales: [Float](repeating: 1, count: shape.outChannels),
                                bias: [Float](repeating: 0, count: shape.outChannels), inChannels: shape.inChannels,
                                outChannels: shape.outChannels, kernel: shape.kernel, stride: shape.stride,
                                padding: shape.padding, groups: shape.groups)
        // 127 levels: 7-bit activations (`integer-7bit`), which AVX2 multiplies with vpmaddubsw throughout.
        let layer = try ConvLayer(spec: folded, relu: false, integer: true, levels: levels)
        let plane = shape.height * shape.width
        let inputs = (0..<shape.inChannels * plane).map { index in
            let (channel, position) = index.quotientAndRemainder(dividingBy: plane)
            return input(channel, position)
        }
        var naive = NaiveConvolution(inChannels: shape.inChannels, outChannels: shape.outChannels, kernel: shape.kernel,
                                     stride: shape.stride, padding: shape.padding, groups: shape.groups,
                                     weights: values.map(Float.init))
        (naive.scale, naive.postBias) = ([Float](repeating: 1, count: shape.outChannels), nil)
        let expected = naive.run(inputs.map { min($0, Float(levels)) }, height: shape.height, width: shape.width)
        // The path the shape takes, and the integer paths it could take instead.
        let others = KernelHarness.otherIntegerPaths(layer, height: shape.height, width: shape.width, kernels: kernels)
        for path in [nil] + others.map(Optional.some) {
            let actual = KernelHarness.run(layer, input: inputs, height: shape.height, width: shape.width, kernels: kernels,
                                           inputScale: 1, path: path)
            let wrong = zip(actual, expected).filter { Double($0) != $1 }.count
            #expect(wrong == 0, "path \(path.map { "\($0.rawValue)" } ?? "chosen"): \(wrong) of \(expected.count) sums differ, e.g. \(actual.first ?? 0) for \(expected.first ?? 0)")
        }
        return expected
    }

    @Test func levelsAreTheSameOnEveryInstructionSet() {
        #expect(Kernels.activationLevels == 255)
    }
}
