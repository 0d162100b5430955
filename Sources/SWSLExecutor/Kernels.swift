internal import CKernels

/// One-to-one Swift wrappers of the C kernels (Int in, Int32 to C). Pointers are per image.
enum Kernels {
    /// Floats of scratch memory one convolution call on `descriptor` needs.
    static func workspaceCount(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return swk_conv_workspace_count(&descriptor)
    }

    /// True when the integer kernels run this convolution without packing (direct microkernel).
    static func runsIntegerDirect(_ descriptor: swk_conv) -> Bool {
        var descriptor = descriptor
        return swk_conv_integer_is_direct(&descriptor) != 0
    }

    /// Bytes of a convolution's quantized input for one image (integer arithmetic).
    static func quantizedInputSize(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return swk_quantized_input_size(&descriptor)
    }

    /// Quantizes channel quads `quads` of one image's input with step `1 / inverse` and `zeroPoint`.
    static func quantizeInput(_ descriptor: swk_conv, input: UnsafePointer<Float>, output: UnsafeMutableRawPointer,
                              inverse: Float, zeroPoint: Int = 0, quads: Range<Int>) {
        var descriptor = descriptor
        swk_quantize_input(&descriptor, input, output.assumingMemoryBound(to: UInt8.self), inverse, Int32(zeroPoint),
                           Int32(quads.lowerBound), Int32(quads.upperBound))
    }

    /// Smallest and largest of `count` floats.
    static func minMax(_ values: UnsafePointer<Float>, count: Int) -> (min: Float, max: Float) {
        var low: Float = 0, high: Float = 0
        swk_min_max_value(values, count, &low, &high)
        return (low, high)
    }

    /// Runs `task`'s part of one integer convolution of one image over its quantized input; returns
    /// the largest value it wrote (−∞ when none).
    static func convInteger(_ descriptor: swk_conv, quantized: UnsafeRawPointer, residual: UnsafePointer<Float>?,
                            output: UnsafeMutablePointer<Float>, task: ConvTask, workspace: UnsafeMutablePointer<Float>) -> Float {
        var descriptor = descriptor
        return swk_conv_run_integer(&descriptor, quantized.assumingMemoryBound(to: UInt8.self), residual, output,
                             Int32(task.groups.lowerBound), Int32(task.groups.upperBound), Int32(task.rows.lowerBound),
                             Int32(task.rows.upperBound), Int32(task.columns.lowerBound), Int32(task.columns.upperBound),
                             workspace)
    }

    /// Output positions of one microkernel tile (of the integer microkernel with `integer`).
    static func tileColumns(_ kernels: KernelChoice, integer: Bool = false) -> Int {
        Int(integer ? swk_int8_tile_columns(kernels.isa) : swk_tile_columns(kernels.isa))
    }

    /// Output rows of one weight panel: the packed layout's for float arithmetic, the tap-quad
    /// layout's for integer arithmetic (tasks split rows at multiples of it).
    static func panelRows(integer: Bool) -> Int { Int(integer ? SWK_QMR : SWK_MR) }

    /// Largest quantized activation the integer kernels take.
    static func activationLevels(_ kernels: KernelChoice) -> Int { Int(swk_activation_levels(kernels.isa)) }

    /// Largest of `count` floats.
    static func maxValue(_ values: UnsafePointer<Float>, count: Int) -> Float { swk_max_value(values, count) }

    /// Runs `task`'s part of one convolution of one image.
    static func conv(_ descriptor: swk_conv, input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                     output: UnsafeMutablePointer<Float>, task: ConvTask, workspace: UnsafeMutablePointer<Float>) {
        var descriptor = descriptor
        swk_conv_run(&descriptor, input, residual, output, Int32(task.groups.lowerBound), Int32(task.groups.upperBound),
                     Int32(task.rows.lowerBound), Int32(task.rows.upperBound), Int32(task.columns.lowerBound),
                     Int32(task.columns.upperBound), workspace)
    }

    /// True when a float convolution runs direct (stride 1, AVX-512): no im2col, the input (padded
    /// first where the layer pads) read in place.
    static func runsFloatDirect(_ descriptor: swk_conv) -> Bool {
        var descriptor = descriptor
        return swk_conv_float_is_direct(&descriptor) != 0
    }

    /// Floats of the padded copy a direct float convolution reads for one image (0 without padding).
    static func paddedInputCount(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return swk_padded_input_count(&descriptor)
    }

    /// Copies `channels` of one image's input into the padded copy.
    static func padInput(_ descriptor: swk_conv, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                         channels: Range<Int>) {
        var descriptor = descriptor
        swk_pad_input(&descriptor, input, output, Int32(channels.lowerBound), Int32(channels.upperBound))
    }

    /// Runs `task`'s part of one direct float convolution of one image.
    static func convDirect(_ descriptor: swk_conv, input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           output: UnsafeMutablePointer<Float>, task: ConvTask, workspace: UnsafeMutablePointer<Float>) {
        var descriptor = descriptor
        swk_conv_run_direct(&descriptor, input, residual, output, Int32(task.groups.lowerBound),
                            Int32(task.groups.upperBound), Int32(task.rows.lowerBound), Int32(task.rows.upperBound),
                            Int32(task.columns.lowerBound), Int32(task.columns.upperBound), workspace)
    }

    /// Max pool of `channels` of one image.
    static func maxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, from: Schedule.Shape,
                        to: Schedule.Shape, kernel: Int, stride: Int, padding: Int, channels: Range<Int>) {
        swk_max_pool(input, output, Int32(from.height), Int32(from.width), Int32(to.height), Int32(to.width),
                     Int32(kernel), Int32(stride), Int32(padding), Int32(channels.lowerBound), Int32(channels.upperBound))
    }

    /// Ceil-mode average pool without padding of `channels` of one image.
    static func averagePool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, from: Schedule.Shape,
                            to: Schedule.Shape, kernel: Int, stride: Int, channels: Range<Int>) {
        swk_avg_pool_ceil(input, output, Int32(from.height), Int32(from.width), Int32(to.height), Int32(to.width),
                          Int32(kernel), Int32(stride), Int32(channels.lowerBound), Int32(channels.upperBound))
    }

    /// Channel means of one image, written every `stride` floats.
    static func globalAveragePool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, plane: Int,
                                  stride: Int, channels: Range<Int>) {
        swk_global_avg_pool(input, output, Int32(plane), Int32(stride), Int32(channels.lowerBound),
                            Int32(channels.upperBound))
    }
}
