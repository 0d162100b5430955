import CKernels
import SWSLCore
@testable import SWSLExecutor
import SWSLFormat

/// Runs single layers through the C kernels the way the executor does, for kernel tests.
enum KernelHarness {
    /// One convolution of one image, split into the tasks `threads` threads would get and run in
    /// turn, down the path the executor takes (`Kernels.prepare` then `Kernels.execute`: quantized
    /// with step `inputScale` for an integer layer, padded for the direct float kernels, in place
    /// otherwise). Unwritten outputs stay NaN. `path` replaces the path the descriptor chose (to test
    /// one the shape would not take).
    static func run(_ layer: ConvLayer, input: [Float], height: Int, width: Int, residual: [Float]? = nil,
                    kernels: KernelChoice, threads: Int = 3, inputScale: Float = 0, path: swk_conv_path? = nil) -> [Float] {
        var descriptor = layer.descriptor(height: height, width: width, kernels: kernels, inputScale: inputScale)
        if let path { descriptor.path = Int32(path.rawValue) }
        let out = layer.outputSize(height: height, width: width)
        var output = [Float](repeating: .nan, count: layer.outChannels * out.height * out.width)
        let tasks = ConvTask.split(
            batch: 1, groups: layer.groups, rowsPerGroup: layer.rowsPerGroup, columns: out.height * out.width,
            threads: threads, panelRows: Kernels.panelRows(integer: layer.isInteger),
            panelColumns: Kernels.tileColumns(kernels, integer: layer.isInteger), cost: Kernels.splitCost(descriptor))
        let workspace = AlignedFloats(count: Kernels.workspaceCount(descriptor))
        let residualCopy = residual.map(AlignedFloats.init)
        let bytes = Kernels.preparedBytes(descriptor)
        let prepared = bytes > 0 ? AlignedFloats(count: (bytes + 3) / 4) : nil
        input.withUnsafeBufferPointer { source in
            if let prepared {
                for stage in 0..<Kernels.prepareStages(descriptor) {
                    for piece in ConvTask.even(Kernels.preparePieces(descriptor, stage: stage), threads) {
                        Kernels.prepare(descriptor, stage: stage, input: source.baseAddress!,
                                        prepared: UnsafeMutableRawPointer(prepared.base),
                                        inverse: inputScale > 0 ? 1 / inputScale : 0, pieces: piece)
                    }
                }
            }
            output.withUnsafeMutableBufferPointer { target in
                for task in tasks {
                    Kernels.execute(descriptor, input: source.baseAddress!, prepared: prepared.map { UnsafeRawPointer($0.base) },
                                    residual: residualCopy.map { UnsafePointer($0.base) }, output: target.baseAddress!,
                                    task: task, workspace: workspace.base)
                }
            }
        }
        return output
    }

    /// Of `paths`, those `layer` at this size would not take anyway (its own path is tested by running it as chosen).
    static func otherPaths(_ layer: ConvLayer, height: Int, width: Int, kernels: KernelChoice,
                           among paths: [swk_conv_path]) -> [swk_conv_path] {
        let chosen = layer.descriptor(height: height, width: width, kernels: kernels).path
        return paths.filter { Int32($0.rawValue) != chosen }
    }

    /// The integer paths `layer` could take instead of its own: columns packed per block (any shape), packed once
    /// per image (one group).
    static func otherIntegerPaths(_ layer: ConvLayer, height: Int, width: Int, kernels: KernelChoice) -> [swk_conv_path] {
        otherPaths(layer, height: height, width: width, kernels: kernels,
                   among: [SWK_PATH_INTEGER_PACKED] + (layer.groups == 1 ? [SWK_PATH_INTEGER_PREPACKED] : []))
    }

    /// A float32 layer with the given epilogue.
    static func layer(_ naive: NaiveConvolution) -> ConvLayer {
        ConvLayer(
            name: "test", inChannels: naive.inChannels, outChannels: naive.outChannels, kernel: naive.kernel,
            stride: naive.stride, padding: naive.padding, groups: naive.groups,
            weights: PackedWeights(floats: naive.weights, outChannels: naive.outChannels, groups: naive.groups),
            preBias: naive.preBias.map(AlignedFloats.init), scale: naive.scale.map(AlignedFloats.init),
            postBias: naive.postBias.map(AlignedFloats.init), relu: naive.relu)
    }

    /// A tensor over a copy of `bytes`.
    static func tensor(_ dtype: DType, shape: [Int], bytes: [UInt8]) -> Tensor {
        try! Tensor(dtype: dtype, shape: shape, storage: ByteStorage.copying(bytes))
    }

    /// Largest |a − b| and largest |b|.
    static func difference(_ actual: [Float], _ expected: [Double]) -> (maxDiff: Double, maxRef: Double) {
        var maxDiff = 0.0, maxRef = 0.0
        for (a, e) in zip(actual, expected) {
            maxDiff = max(maxDiff, a.isNaN ? .infinity : abs(Double(a) - e))
            maxRef = max(maxRef, abs(e))
        }
        return (maxDiff, maxRef)
    }
}
