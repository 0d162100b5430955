import ArgumentParser
import SWSLExecutor
import SWSLPipeline

/// Options shared by the commands that run a model.
struct RunOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = PlanExecutor.defaultThreads

    @Option(help: "int8 models: 'integer' (default; int8 × uint8 → int32, the fast path, the same sums on every CPU), 'integer-7bit' (7-bit activations on every CPU: 2–3× the error, faster on AVX2 CPUs without VNNI) or 'dequantized' (int8 weights widened to float, float arithmetic and speed).")
    var int8: Int8Arithmetic = .integer

    @Option(help: "With --int8 integer or integer-7bit: 'calibrated' (default; the ranges the .swm stores where it has them, else each input's own) or 'dynamic' (each input's own range, measured per image and layer).")
    var activations: ActivationRanges = .calibrated

    /// `--int8` and `--activations` as one mode.
    var int8Mode: Int8Mode { Int8Mode(int8, activations: activations) }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// Loads a model; a refusal is printed as `swsl-convert: FILE: why` and exits with 2.
func loadModel(_ path: String, checkCRC: Bool = false, int8: Int8Mode = Int8Mode()) throws -> LoadedModel {
    do { return try LoadedModel.load(path: path, checkCRC: checkCRC, int8: int8) } catch {
        throw CommandFailure(error)
    }
}

/// Runs a model; an executor failure is printed and exits with 2.
func execute(_ model: LoadedModel, input: [Float], batch: Int, height: Int, width: Int, threads: Int) throws -> [Float] {
    do {
        return try PlanExecutor(plan: model.plan, threads: threads).run(input: input, batch: batch, height: height, width: width)
    } catch {
        throw CommandFailure(place: model.path, error: error)
    }
}

extension Int8Arithmetic: ExpressibleByArgument {}
extension ActivationRanges: ExpressibleByArgument {}
