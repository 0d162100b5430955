internal import CKernels

/// One-to-one Swift wrappers of the C kernels (Int in, Int32 to C). Pointers are per image.
enum Kernels {
    /// Floats of scratch memory one convolution call on `descriptor` needs.
    static func workspaceCount(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return swk_conv_workspace_count(&descriptor)
    }

    /// Bytes of one image's prepared input (quantized quads, or a zero-bordered copy), 0 when the
    /// convolution reads its input in place.
    static func preparedBytes(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return swk_conv_prepared_bytes(&descriptor)
    }

    /// Stages of one image's preparation (0: none); each stage's pieces must all finish before the next starts.
    static func prepareStages(_ descriptor: swk_conv) -> Int {
        var descriptor = descriptor
        return Int(swk_conv_prepare_stages(&descriptor))
    }

    /// Pieces one stage of one image's preparation splits into (threads share them out).
    static func preparePieces(_ descriptor: swk_conv, stage: Int) -> Int {
        var descriptor = descriptor
        return Int(swk_conv_prepare_pieces(&descriptor, Int32(stage)))
    }

    /// Prepares `pieces` of one stage of one image's input into `prepared` (integer: step `1 / inverse`,
    /// `zeroPoint`).
    static func prepare(_ descriptor: swk_conv, stage: Int, input: UnsafePointer<Float>,
                        prepared: UnsafeMutableRawPointer, inverse: Float = 0, zeroPoint: Int = 0, pieces: Range<Int>) {
        var descriptor = descriptor
        swk_conv_prepare(&descriptor, Int32(stage), input, prepared, inverse, Int32(zeroPoint), Int32(pieces.lowerBound),
                         Int32(pieces.upperBound))
    }

    /// What cutting the convolution into tasks costs.
    static func splitCost(_ descriptor: swk_conv) -> ConvTask.SplitCost {
        var descriptor = descriptor
        switch swk_conv_split_kind(&descriptor) {
        case SWK_SPLIT_FREE: return .free
        case SWK_SPLIT_ROWS: return .rowsFree
        default: return .packsColumns
        }
    }

    /// Runs `task`'s part of one convolution of one image, down the path it takes; returns the
    /// largest value written (integer arithmetic) or −∞.
    @discardableResult
    static func execute(_ descriptor: swk_conv, input: UnsafePointer<Float>, prepared: UnsafeRawPointer?,
                        residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, task: ConvTask,
                        workspace: UnsafeMutablePointer<Float>) -> Float {
        var descriptor = descriptor
        return swk_conv_execute(&descriptor, input, prepared, residual, output, Int32(task.groups.lowerBound),
                                Int32(task.groups.upperBound), Int32(task.rows.lowerBound), Int32(task.rows.upperBound),
                                Int32(task.columns.lowerBound), Int32(task.columns.upperBound), workspace)
    }

    /// Smallest and largest of `count` floats.
    static func minMax(_ values: UnsafePointer<Float>, count: Int) -> (min: Float, max: Float) {
        var low: Float = 0, high: Float = 0
        swk_min_max_value(values, count, &low, &high)
        return (low, high)
    }

    /// Output positions of one microkernel tile (of the integer microkernel with `integer`).
    static func tileColumns(_ kernels: KernelChoice, integer: Bool = false) -> Int {
        Int(integer ? swk_int8_tile_columns(kernels.isa) : swk_tile_columns(kernels.isa))
    }

    /// Output rows of one weight panel: the packed layout's for float arithmetic, the tap-quad
    /// layout's for integer arithmetic (tasks split rows at multiples of it).
    static func panelRows(integer: Bool) -> Int { Int(integer ? SWK_QMR : SWK_MR) }

    /// Largest quantized activation of the integer arithmetic, the same on every instruction set.
    static let activationLevels = Int(SWK_ACTIVATION_LEVELS)

    /// Largest of `count` floats.
    static func maxValue(_ values: UnsafePointer<Float>, count: Int) -> Float { swk_max_value(values, count) }

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
