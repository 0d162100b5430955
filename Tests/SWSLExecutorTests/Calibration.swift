@testable import SWSLExecutor

/// Records the largest input value of every convolution while a plan runs one batch: the
/// calibration a quantizer would store as activation scales.
enum Calibration {
    static func activationMaxima(_ plan: ExecutionPlan, input: [Float], batch: Int, height: Int,
                                 width: Int) throws -> [String: Float] {
        let executor = Executor(plan: plan, threads: 1)
        let schedule = try Schedule(plan: plan, batch: batch, height: height, width: width)
        let buffers = schedule.bufferSizes.map { AlignedFloats(count: $0) }
        for (i, value) in input.enumerated() { buffers[schedule.buffers[0]].base[i] = value }
        var maxima: [String: Float] = [:]
        for step in plan.steps {
            if case .conv(let layer, let x, _, _) = step {
                let values = UnsafeBufferPointer(start: buffers[schedule.buffers[x]].base, count: schedule.shapes[x].count * batch)
                maxima[layer.name] = values.max() ?? 0
            }
            executor.execute(step, schedule: schedule, buffers: buffers)
        }
        return maxima
    }
}
