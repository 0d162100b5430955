@testable import SWSLExecutor

/// Records the largest input value of every convolution while a plan runs one batch (through the
/// executor's public observation hook): the calibration a quantizer would store as activation scales.
enum Calibration {
    static func activationMaxima(_ plan: ExecutionPlan, input: [Float], batch: Int, height: Int,
                                 width: Int) throws -> [String: Float] {
        var maxima: [String: Float] = [:]
        _ = try PlanExecutor(plan: plan, threads: 1).run(input: input, batch: batch, height: height, width: width) { layer, values in
            maxima[layer] = max(maxima[layer] ?? -.infinity, values.max() ?? -.infinity)
        }
        return maxima
    }
}
