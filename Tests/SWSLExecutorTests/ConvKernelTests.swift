import Foundation
import Testing
import CKernels
import SWSLCore
@testable import SWSLExecutor
import SWSLTestSupport

/// A convolution shape for the kernel tests.
struct ConvCase: CustomStringConvertible, Sendable {
    var inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, groups: Int
    var height: Int, width: Int

    var description: String {
        "\(inChannels)→\(outChannels) k\(kernel) s\(stride) p\(padding) g\(groups) \(height)×\(width)"
    }

    static let all: [ConvCase] = [
        ConvCase(inChannels: 3, outChannels: 5, kernel: 7, stride: 2, padding: 3, groups: 1, height: 13, width: 11),
        ConvCase(inChannels: 8, outChannels: 13, kernel: 1, stride: 1, padding: 0, groups: 1, height: 9, width: 7),
        ConvCase(inChannels: 8, outChannels: 16, kernel: 1, stride: 2, padding: 0, groups: 1, height: 9, width: 9),
        ConvCase(inChannels: 8, outChannels: 12, kernel: 3, stride: 1, padding: 1, groups: 4, height: 10, width: 6),
        ConvCase(inChannels: 6, outChannels: 6, kernel: 3, stride: 2, padding: 1, groups: 6, height: 7, width: 7),
        ConvCase(inChannels: 64, outChannels: 20, kernel: 3, stride: 1, padding: 1, groups: 1, height: 12, width: 12),
        ConvCase(inChannels: 16, outChannels: 200, kernel: 1, stride: 1, padding: 0, groups: 1, height: 5, width: 5),
        ConvCase(inChannels: 4, outChannels: 7, kernel: 3, stride: 1, padding: 1, groups: 1, height: 40, width: 40),
        ConvCase(inChannels: 5, outChannels: 3, kernel: 3, stride: 1, padding: 0, groups: 1, height: 3, width: 4),
        ConvCase(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1, groups: 1, height: 1, width: 1),
        ConvCase(inChannels: 7, outChannels: 9, kernel: 5, stride: 3, padding: 2, groups: 1, height: 11, width: 8),
        ConvCase(inChannels: 64, outChannels: 64, kernel: 3, stride: 1, padding: 1, groups: 32, height: 9, width: 9),
        ConvCase(inChannels: 300, outChannels: 10, kernel: 1, stride: 1, padding: 0, groups: 1, height: 1, width: 3),
        // ResNet's 7 x 7 stage: 49 = 3 x 16 + 1 columns, a one-column tail panel (AVX2's matrix-vector tail).
        ConvCase(inChannels: 40, outChannels: 14, kernel: 3, stride: 1, padding: 1, groups: 1, height: 7, width: 7),
        // Several column and K blocks through the padded-block packer; stride 2 with padding.
        ConvCase(inChannels: 32, outChannels: 8, kernel: 3, stride: 1, padding: 1, groups: 1, height: 30, width: 30),
        ConvCase(inChannels: 16, outChannels: 8, kernel: 3, stride: 2, padding: 1, groups: 1, height: 50, width: 50),
        // A block too large for the padded copy: the bounds-checked packer.
        ConvCase(inChannels: 32, outChannels: 4, kernel: 3, stride: 1, padding: 1, groups: 1, height: 3, width: 1500),
        // A reduction whose one integer column panel outgrows the default integer block (workspace sized by layer).
        ConvCase(inChannels: 1024, outChannels: 7, kernel: 3, stride: 1, padding: 1, groups: 1, height: 6, width: 7),
    ]

    /// A random layer with every epilogue part switched on or off by `variant`.
    func naive(variant: Int, random: inout TestRandom) -> NaiveConvolution {
        var layer = NaiveConvolution(
            inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
            groups: groups, weights: random.floats(outChannels * inChannels / groups * kernel * kernel))
        if variant & 1 != 0 { layer.preBias = random.floats(outChannels) }
        if variant & 2 != 0 { layer.scale = random.floats(outChannels, in: 0.5...1.5) }
        if variant & 4 != 0 { layer.postBias = random.floats(outChannels) }
        layer.relu = variant & 8 != 0
        return layer
    }
}

@Suite struct ConvKernelTests {
    /// Every kernel set; a case naming one this CPU cannot run is skipped (`skipUnlessSupported`).
    static let kernelChoices: [KernelChoice] = [.portable, .avx2, .avxVNNI, .avx512]

    /// Cancels a test case that names kernels this CPU cannot run, so it shows as skipped instead of
    /// passing on the fallback the executor would take.
    static func skipUnlessSupported(_ kernels: KernelChoice) throws {
        guard kernels != .automatic, kernels.resolved != kernels else { return }
        _ = announceSkips
        try Test.cancel("this CPU cannot run the \(kernels) kernels: skipped, not run on a fallback")
    }

    /// The console reporter shows cancelled cases as passed; this line (once per process) says which are skipped.
    private static let announceSkips: Void = {
        let missing = kernelChoices.filter { $0.resolved != $0 }.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("⊘ SKIPPED: test cases for the \(missing) kernels are cancelled: this CPU cannot run them (never run on a fallback)\n".utf8))
    }()

    @Test(arguments: ConvCase.all, kernelChoices)
    func float32MatchesNaive(shape: ConvCase, kernels: KernelChoice) throws {
        try Self.skipUnlessSupported(kernels)
        var random = TestRandom(seed: UInt64(shape.description.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        for variant in [0, 15, 5, 10] {
            let naive = shape.naive(variant: variant, random: &random)
            let input = random.floats(shape.inChannels * shape.height * shape.width)
            let (oh, ow) = naive.outputSize(shape.height, shape.width)
            let residual = variant == 15 ? random.floats(shape.outChannels * oh * ow) : nil
            let expected = naive.run(input, height: shape.height, width: shape.width, residual: residual)
            for threads in [1, 2, 3] {
                let actual = KernelHarness.run(KernelHarness.layer(naive), input: input, height: shape.height,
                                               width: shape.width, residual: residual, kernels: kernels, threads: threads)
                let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
                #expect(maxDiff <= 1e-5 * (1 + maxRef), "variant \(variant), \(threads) threads")
            }
            // The im2col GEMM, which takes any shape, also where the shape's own path is direct (AVX-512, stride 1).
            let layer = KernelHarness.layer(naive)
            for path in KernelHarness.otherPaths(layer, height: shape.height, width: shape.width, kernels: kernels,
                                                 among: [SWK_PATH_FLOAT_GEMM]) {
                let actual = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width,
                                               residual: residual, kernels: kernels, path: path)
                let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
                #expect(maxDiff <= 1e-5 * (1 + maxRef), "variant \(variant), the GEMM path")
            }
        }
    }

    @Test(arguments: [ConvCase.all[0], ConvCase.all[3], ConvCase.all[5], ConvCase.all[6], ConvCase.all[12]], kernelChoices)
    func int8WeightsWithScales(shape: ConvCase, kernels: KernelChoice) throws {
        try Self.skipUnlessSupported(kernels)
        var random = TestRandom(seed: 99)
        let count = shape.outChannels * shape.inChannels / shape.groups * shape.kernel * shape.kernel
        let values = (0..<count).map { _ in Int8.random(in: -127...127, using: &random) }
        let scales = random.floats(shape.outChannels, in: 0.001...0.01)
        let bias = random.floats(shape.outChannels)
        let weights = KernelHarness.tensor(
            .int8, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
            bytes: values.map { UInt8(bitPattern: $0) })
        let folded = LayerSpec(name: "int8", weights: .plain(weights), scales: scales, bias: bias, inChannels: shape.inChannels,
                                outChannels: shape.outChannels, kernel: shape.kernel, stride: shape.stride,
                                padding: shape.padding, groups: shape.groups)
        let layer = try ConvLayer(spec: folded, relu: true)
        var naive = NaiveConvolution(inChannels: shape.inChannels, outChannels: shape.outChannels, kernel: shape.kernel,
                                     stride: shape.stride, padding: shape.padding, groups: shape.groups,
                                     weights: values.map(Float.init))
        (naive.scale, naive.postBias, naive.relu) = (scales, bias, true)
        let input = random.floats(shape.inChannels * shape.height * shape.width)
        let expected = naive.run(input, height: shape.height, width: shape.width)
        let actual = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width, kernels: kernels)
        let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
        #expect(maxDiff <= 1e-5 * (1 + maxRef))
    }

    @Test(arguments: [ConvCase.all[1], ConvCase.all[4], ConvCase.all[7]], kernelChoices)
    func float16Weights(shape: ConvCase, kernels: KernelChoice) throws {
        try Self.skipUnlessSupported(kernels)
        var random = TestRandom(seed: 16)
        let count = shape.outChannels * shape.inChannels / shape.groups * shape.kernel * shape.kernel
        // Include subnormal and negative-zero halves to exercise the portable conversion.
        var halves = random.floats(count).map { Float16($0) }
        if count > 2 { (halves[0], halves[1]) = (Float16(bitPattern: 0x0003), Float16(bitPattern: 0x8000)) }
        let bias = random.floats(shape.outChannels)
        let weights = KernelHarness.tensor(
            .float16, shape: [shape.outChannels, shape.inChannels / shape.groups, shape.kernel, shape.kernel],
            bytes: halves.flatMap { [UInt8($0.bitPattern & 0xFF), UInt8($0.bitPattern >> 8)] })
        let folded = LayerSpec(name: "fp16", weights: .plain(weights), bias: bias, inChannels: shape.inChannels,
                                outChannels: shape.outChannels, kernel: shape.kernel, stride: shape.stride,
                                padding: shape.padding, groups: shape.groups)
        let layer = try ConvLayer(spec: folded, relu: false)
        var naive = NaiveConvolution(inChannels: shape.inChannels, outChannels: shape.outChannels, kernel: shape.kernel,
                                     stride: shape.stride, padding: shape.padding, groups: shape.groups,
                                     weights: halves.map(Float.init))
        naive.postBias = bias
        let input = random.floats(shape.inChannels * shape.height * shape.width)
        let expected = naive.run(input, height: shape.height, width: shape.width)
        let actual = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width, kernels: kernels)
        let (maxDiff, maxRef) = KernelHarness.difference(actual, expected)
        #expect(maxDiff <= 1e-5 * (1 + maxRef))
    }

    @Test(arguments: [KernelChoice.avx2, .avxVNNI, .avx512])
    func vectorKernelsAgreeWithPortable(kernels: KernelChoice) throws {
        try Self.skipUnlessSupported(kernels)
        let shape = ConvCase.all[5]
        var random = TestRandom(seed: 5)
        let naive = shape.naive(variant: 15, random: &random)
        let input = random.floats(shape.inChannels * shape.height * shape.width)
        let layer = KernelHarness.layer(naive)
        let a = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width, kernels: .portable)
        let b = KernelHarness.run(layer, input: input, height: shape.height, width: shape.width, kernels: kernels)
        let maxDiff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff < 1e-4)
    }

    @Test func choicesResolveToWhatTheCPUHas() {
        #expect(KernelChoice.portable.resolved == .portable)
        #expect(KernelChoice.avx2.resolved == (KernelChoice.avx2Supported ? .avx2 : .portable))
        let narrower: KernelChoice = KernelChoice.avx2Supported ? .avx2 : .portable
        let best: KernelChoice = KernelChoice.avx512Supported ? .avx512 : KernelChoice.avxVNNISupported ? .avxVNNI : narrower
        #expect(KernelChoice.automatic.resolved == best)
        #expect(KernelChoice.avx512.resolved == (KernelChoice.avx512Supported ? .avx512 : narrower))
        #expect(KernelChoice.avxVNNI.resolved == (KernelChoice.avxVNNISupported ? .avxVNNI : narrower))
        #expect(KernelChoice(rawValue: "avx-vnni") == .avxVNNI)
    }
}
