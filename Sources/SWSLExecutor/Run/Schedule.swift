/// A plan resolved for one input shape: every value's shape, and which activation buffer holds it.
/// Buffers are reused once a value is dead (greedy, by liveness), so a ResNet-50 needs a handful.
struct Schedule {
    /// Channels, height and width of one image of a value. Feature-major values (pooled features,
    /// logits) have height and width 1.
    struct Shape: Equatable {
        var channels: Int
        var height: Int
        var width: Int
        var plane: Int { height * width }
        var count: Int { channels * height * width }
    }

    let batch: Int
    let shapes: [Shape]
    /// The buffer each value lives in.
    let buffers: [Int]
    /// Floats each buffer needs.
    let bufferSizes: [Int]

    init(plan: ExecutionPlan, batch: Int, height: Int, width: Int) throws(ExecutorError) {
        self.batch = batch
        var shapes = [Shape(channels: plan.inputChannels, height: height, width: width)]
        for step in plan.steps {
            shapes.append(try Schedule.outputShape(of: step, shapes: shapes, input: [batch, plan.inputChannels, height, width]))
        }
        self.shapes = shapes
        (buffers, bufferSizes) = Schedule.assignBuffers(steps: plan.steps, sizes: shapes.map { $0.count * batch })
    }

    /// The shape a step writes; throws when the input is too small for it or a shortcut's shape
    /// differs from the main path's.
    static func outputShape(of step: PlanStep, shapes: [Shape], input: [Int]) throws(ExecutorError) -> Shape {
        switch step {
        case .conv(let layer, let x, let residual, _):
            let s = shapes[x]
            guard s.height + 2 * layer.padding >= layer.kernel, s.width + 2 * layer.padding >= layer.kernel else {
                throw .inputTooSmall(layer: layer.name, shape: input)
            }
            let out = layer.outputSize(height: s.height, width: s.width)
            let shape = Shape(channels: layer.outChannels, height: out.height, width: out.width)
            if let residual, shapes[residual] != shape {
                throw .shortcutMismatch(layer: layer.name, main: [shape.channels, shape.height, shape.width],
                                        shortcut: [shapes[residual].channels, shapes[residual].height, shapes[residual].width])
            }
            return shape
        case .maxPool(let k, let stride, let p, let x, _):
            let s = shapes[x]
            guard s.height + 2 * p >= k, s.width + 2 * p >= k else { throw .inputTooSmall(layer: "max pool", shape: input) }
            return Shape(channels: s.channels, height: (s.height + 2 * p - k) / stride + 1,
                         width: (s.width + 2 * p - k) / stride + 1)
        case .averagePool(let k, let stride, let x, _):
            let s = shapes[x]
            return Shape(channels: s.channels, height: ceilPoolSize(s.height, kernel: k, stride: stride),
                         width: ceilPoolSize(s.width, kernel: k, stride: stride))
        case .globalAveragePool(let x, _):
            return Shape(channels: shapes[x].channels, height: 1, width: 1)
        case .linear(let layer, _, _):
            return Shape(channels: layer.outChannels, height: 1, width: 1)
        }
    }

    /// PyTorch's pooled size in ceil mode without padding (`pooling_output_shape`): a window must
    /// start inside the input.
    static func ceilPoolSize(_ size: Int, kernel: Int, stride: Int) -> Int {
        let numerator = size - kernel + stride - 1
        var out = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1
        if (out - 1) * stride >= size { out -= 1 }
        return max(out, 1)
    }

    /// Greedy buffer reuse: a step's output takes the best-fitting free buffer (growing the largest
    /// one if none fits); a value's buffer is freed after its last reader. Outputs never share a
    /// buffer with the same step's inputs.
    static func assignBuffers(steps: [PlanStep], sizes: [Int]) -> (buffers: [Int], sizes: [Int]) {
        var lastUse = [Int](repeating: -1, count: sizes.count)
        for (index, step) in steps.enumerated() {
            for value in step.inputs { lastUse[value] = index }
        }
        lastUse[sizes.count - 1] = steps.count
        var bufferOf = [Int](repeating: -1, count: sizes.count)
        var bufferSizes: [Int] = []
        var free: [Int] = []
        func take(_ need: Int) -> Int {
            if let best = free.filter({ bufferSizes[$0] >= need }).min(by: { bufferSizes[$0] < bufferSizes[$1] })
                ?? free.max(by: { bufferSizes[$0] < bufferSizes[$1] }) {
                free.removeAll { $0 == best }
                bufferSizes[best] = max(bufferSizes[best], need)
                return best
            }
            bufferSizes.append(need)
            return bufferSizes.count - 1
        }
        bufferOf[0] = take(sizes[0])
        for (index, step) in steps.enumerated() {
            bufferOf[step.output] = take(sizes[step.output])
            for value in Set(step.inputs) where lastUse[value] == index { free.append(bufferOf[value]) }
        }
        return (bufferOf, bufferSizes)
    }
}
