import SWSLCore
@testable import SWSLExecutor
import SWSLFormat

/// Runs single layers through the C kernels the way the executor does, for kernel tests.
enum KernelHarness {
    /// One convolution of one image, split into the tasks `threads` threads would get and run in
    /// turn, down the path the executor takes. Unwritten outputs stay NaN. With `inputScale` > 0 (an
    /// integer layer) the input is first quantized with that step, in `threads` pieces of channel quads;
    /// a float layer the direct kernels take (stride 1, AVX-512) is padded first, as the executor does.
    static func run(_ layer: ConvLayer, input: [Float], height: Int, width: Int, residual: [Float]? = nil,
                    kernels: KernelChoice, threads: Int = 3, inputScale: Float = 0) -> [Float] {
        let descriptor = layer.descriptor(height: height, width: width, kernels: kernels, inputScale: inputScale)
        let out = layer.outputSize(height: height, width: width)
        var output = [Float](repeating: .nan, count: layer.outChannels * out.height * out.width)
        let tasks = ConvTask.split(
            batch: 1, groups: layer.groups, rowsPerGroup: layer.rowsPerGroup, columns: out.height * out.width,
            threads: threads, panelRows: Kernels.panelRows(integer: inputScale > 0),
            panelColumns: Kernels.tileColumns(kernels, integer: inputScale > 0))
        let workspace = AlignedFloats(count: Kernels.workspaceCount(descriptor))
        let residualCopy = residual.map(AlignedFloats.init)
        if inputScale > 0 {
            let quantized = AlignedFloats(count: (Kernels.quantizedInputSize(descriptor) + 3) / 4)
            let quads = layer.groups * ((layer.inChannels / layer.groups + 3) / 4)
            input.withUnsafeBufferPointer { source in
                for piece in ConvTask.even(quads, threads) {
                    Kernels.quantizeInput(descriptor, input: source.baseAddress!, output: UnsafeMutableRawPointer(quantized.base),
                                          inverse: 1 / inputScale, quads: piece)
                }
            }
            output.withUnsafeMutableBufferPointer { target in
                for task in tasks {
                    Kernels.convInteger(descriptor, quantized: UnsafeRawPointer(quantized.base),
                                        residual: residualCopy.map { UnsafePointer($0.base) },
                                        output: target.baseAddress!, task: task, workspace: workspace.base)
                }
            }
            return output
        }
        if inputScale == 0 && Kernels.runsFloatDirect(descriptor) {
            // The executor's direct float path: the input padded first where the layer pads.
            let padded = Kernels.paddedInputCount(descriptor)
            let copy = AlignedFloats(count: max(padded, input.count))
            input.withUnsafeBufferPointer { source in
                if padded > 0 {
                    for piece in ConvTask.even(layer.inChannels, threads) {
                        Kernels.padInput(descriptor, input: source.baseAddress!, output: copy.base, channels: piece)
                    }
                } else {
                    copy.base.update(from: source.baseAddress!, count: input.count)
                }
            }
            output.withUnsafeMutableBufferPointer { target in
                for task in tasks {
                    Kernels.convDirect(descriptor, input: copy.base, residual: residualCopy.map { UnsafePointer($0.base) },
                                       output: target.baseAddress!, task: task, workspace: workspace.base)
                }
            }
            return output
        }
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for task in tasks {
                    Kernels.conv(descriptor, input: source.baseAddress!, residual: residualCopy.map { UnsafePointer($0.base) },
                                 output: target.baseAddress!, task: task, workspace: workspace.base)
                }
            }
        }
        return output
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
