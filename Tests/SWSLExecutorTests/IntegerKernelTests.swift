import Testing
import SWSLCore
@testable import SWSLExecutor
import SWSLTestSupport
import SWSLFormat

/// The integer-arithmetic path (int8 weights × quantized uint8 activations) against a naive
/// computation with the same quantization, on every kernel choice.
@Suite struct IntegerKernelTests {
    @Test(arguments: ConvCase.all, ConvKernelTests.kernelChoices)
    func matchesNaiveQuantizedConvolution(shape: ConvCase, kernels: KernelChoice) throws {
        var random = TestRandom(seed: UInt64(shape.inChannels * 7919 + shape.outChannels))
        let count = shape.outChannels * shape.inChannels / shape.groups * shape.kernel * shape.kernel
        let values = (0..<count).map { _ in Int8.random(in: -127...127, using: &random) }
        let scales = random.floats(shape.outChannels, in: 0.001...0.01)
        let bias = random.floats(shape.outChannels)
        let weights = KernelHarness.tensor(
            .int8, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
            bytes: values.map { UInt8(bitPattern: $0) })
        for packed in [false, true] {
            let folded = FoldedConv(
                name: "int8", weights: packed ? .packed(try PackedWeightLayout.pack(weights, groups: shape.groups)) : .plain(weights),
                scales: scales, bias: bias, inChannels: shape.inChannels, outChannels: shape.outChannels,
                kernel: shape.kernel, stride: shape.stride, padding: shape.padding, groups: shape.groups)
            let layer = try ConvLayer(folded: folded, relu: true, integer: true)
            #expect(layer.isInteger)
            // Non-negative inputs (after a ReLU), a few past the range to exercise clamping.
            var input = random.floats(shape.inChannels * shape.height * shape.width, in: 0...1)
            input[0] = 5
            let levels = Float(Kernels.activationLevels(kernels))
            let step: Float = 1 / levels
            let inverse: Float = 1 / step
            let quantized = input.map { min(max(($0 * inverse).rounded(.toNearestOrEven), 0), levels) }
            var naive = NaiveConvolution(inChannels: shape.inChannels, outChannels: shape.outChannels,
                                         kernel: shape.kernel, stride: shape.stride, padding: shape.padding,
                                         groups: shape.groups, weights: values.map(Float.init))
            (naive.scale, naive.postBias, naive.relu) = (scales.map { $0 * step }, bias, true)
            let expected = naive.run(quantized, height: shape.height, width: shape.width)
            let actual = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width,
                                           kernels: kernels, inputScale: step)
            let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
            #expect(maxDiff <= 1e-5 * (1 + maxRef), "packed \(packed), levels \(levels)")
        }
    }

    @Test func levelsFollowTheInstructionSet() {
        #expect(Kernels.activationLevels(.portable) == 255)
        if KernelChoice.avx2Supported { #expect(Kernels.activationLevels(.avx2) == 127) }
    }
}
