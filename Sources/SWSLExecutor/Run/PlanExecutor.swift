import SWSLCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs an `ExecutionPlan` on NCHW float32 batches with a fixed set of threads.
///
/// Activation buffers are kept between calls (in its `ActivationMemory`, its own unless one is shared). An
/// executor runs one batch at a time (it is not `Sendable`); make one per concurrent caller.
public final class PlanExecutor {
    /// What runs.
    public let plan: ExecutionPlan
    /// Threads a run uses, the caller's included.
    public let threads: Int
    /// The kernels that run (already resolved for this CPU).
    public let kernels: KernelChoice
    let pool: WorkerPool
    /// Scratch memory, one per thread.
    let workspaces: [AlignedFloats]
    /// Where the activations live: this executor's own, or shared with executors that run after it on one thread.
    let memory: ActivationMemory
    /// Single-thread executors, one per thread, that run whole images of a batch (`runImages`); made on first use.
    private var lanes: [PlanExecutor] = []
    /// The schedule for the last input shape, and the floats its layers' prepared inputs need.
    private var prepared: (key: [Int], schedule: Schedule, layerInputCount: Int)?
    /// Per value of the current run, each image's largest element where an integer convolution wrote it
    /// (its epilogue tracks it): the range of the layers that read that value, without another pass.
    var valueMaxima: [Int: [Float]] = [:]
    /// Per-step wall time summed over runs, in seconds, while profiling (`startProfiling()`); nil otherwise.
    public private(set) var stepSeconds: [Double]?
    /// Per step, summed over runs while profiling: the time the average thread spent outside the step's tasks, in
    /// seconds (its wall time less the threads' time inside tasks over the thread count): waiting at the step's
    /// barriers, for the caller's work between its loops, or for a slower thread's last task.
    public private(set) var stepWaitSeconds: [Double]?

    /// Names of the plan's steps, in order: the layer for convolutions and the classifier, else the operation.
    public var stepNames: [String] {
        plan.steps.map { step in
            switch step {
            case .conv(let layer, _, _, _), .linear(let layer, _, _): layer.name + (layer.isInteger ? " (integer)" : "")
            case .maxPool: "max pool"
            case .averagePool: "average pool"
            case .globalAveragePool: "global average pool"
            }
        }
    }

    /// Per thread (0: the caller), seconds spent inside tasks since `startProfiling()`.
    public var profiledBusySecondsPerThread: [Double] { pool.busySecondsPerThread }

    /// Starts summing each step's wall time (`stepSeconds`), its wait (`stepWaitSeconds`) and each thread's time
    /// inside tasks over the following runs, from zero.
    public func startProfiling() {
        stepSeconds = [Double](repeating: 0, count: plan.steps.count)
        stepWaitSeconds = stepSeconds
        pool.resetBusy()
        pool.measuresBusy = true
    }

    /// Set only during `run(input:batch:height:width:observingInputs:)`.
    var observer: InputObserver?
    /// Set only during `run(input:batch:height:width:observingOutputs:)`.
    var outputObserver: OutputObserver?

    /// Sees the input of every convolution and of the classifier as a run reaches it, once per image
    /// of the batch: the layer's plan name (`stem.conv1`, `stage3.block1.conv1`,
    /// `stage3.block0.downsample.conv`, `fc`) and that image's input values (valid only during the
    /// call). Calibration is built on it.
    public typealias InputObserver = (_ layer: String, _ values: UnsafeBufferPointer<Float>) -> Void

    /// What one layer wrote, for per-layer comparison: the layer's plan name, its output (`count`
    /// floats per image, `batch` images: NCHW for convolutions, `[classes][batch]` for the classifier),
    /// and for an integer layer with a stored range, the share of its input values above that range
    /// (clipped by quantization; nil otherwise).
    public struct LayerOutput {
        /// The layer's plan name (its canonical path).
        public let layer: String
        /// Its output over the batch; valid only during the callback.
        public let values: UnsafeBufferPointer<Float>
        /// Images in the batch.
        public let batch: Int
        /// For an integer layer with a stored range, the share of its input above the range; else nil.
        public let clippedInputShare: Double?
    }

    /// Sees every convolution's and the classifier's output as a run writes it.
    public typealias OutputObserver = (LayerOutput) -> Void

    /// The largest of `values` (−∞ when empty), with the kernels' vectorised loop: for observers that
    /// reduce what they are handed.
    public static func maximum(of values: UnsafeBufferPointer<Float>) -> Float {
        guard let base = values.baseAddress else { return -.infinity }
        return Kernels.maxValue(base, count: values.count)
    }

    /// The most activation memory one run may take (8 GiB): a larger input is refused before anything is
    /// allocated (an allocation that fails would end the process).
    public static let maxActivationBytes = 8 << 30

    /// The machine's online processors.
    public static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// `kernels` defaults to `SWSL_KERNELS` from the environment, else the fastest this CPU runs. `memory`, when
    /// given, is shared with other executors that run one at a time on the caller's thread (`ActivationMemory`).
    public init(plan: ExecutionPlan, threads: Int = PlanExecutor.defaultThreads, kernels: KernelChoice = .fromEnvironment,
                memory: ActivationMemory = ActivationMemory()) {
        self.plan = plan
        self.memory = memory
        self.threads = max(1, threads)
        self.kernels = kernels.resolved
        pool = WorkerPool(threads: self.threads)
        let kernels = self.kernels
        let workspace = plan.layers.map { Kernels.workspaceCount($0.descriptor(height: 1, width: 1, kernels: kernels)) }
            .max() ?? 0
        workspaces = (0..<self.threads).map { _ in AlignedFloats(count: workspace) }
    }

    /// Logits `[batch][classes]` of an NCHW input of `batch` × `plan.inputChannels` × `height` × `width`.
    public func run(input: [Float], batch: Int, height: Int, width: Int) throws(ExecutorError) -> [Float] {
        let shape = [batch, plan.inputChannels, height, width]
        guard batch >= 1, height >= 1, width >= 1 else { throw .invalidShape(shape) }
        var expected = 1
        for d in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .tooLarge(shape: shape, bytes: nil, limit: Self.maxActivationBytes) }
            expected = product
        }
        guard input.count == expected else { throw .inputCount(expected: expected, actual: input.count, shape: shape) }
        return try input.withUnsafeBufferPointer { (source) throws(ExecutorError) -> [Float] in
            if batch > 1, observer == nil, outputObserver == nil, stepSeconds == nil {
                return try runImages(source, batch: batch, height: height, width: width)
            }
            return try runLayers(source, batch: batch, height: height, width: width)
        }
    }

    /// Runs a batch as whole images, each thread taking one image at a time through every layer on its own
    /// (`lanes`: one single-thread executor per thread, made on first use): an image's activations stay in
    /// the thread's caches, the weights are shared, and threads meet once per image instead of once per layer.
    /// The images that do not fill a round of all threads run layer by layer with every thread. Each image's
    /// logits are what a run of that image alone gives (the per-image ranges and sums do not depend on the
    /// batch).
    private func runImages(_ source: UnsafeBufferPointer<Float>, batch: Int, height: Int, width: Int) throws(ExecutorError)
        -> [Float] {
        let perImage = plan.inputChannels * height * width, classes = plan.classes
        let whole = threads > 1 ? batch - batch % threads : batch
        if threads > 1, lanes.isEmpty {
            lanes = (0..<threads).map { _ in PlanExecutor(plan: plan, threads: 1, kernels: kernels) }
        }
        var logits = [Float](repeating: 0, count: batch * classes)
        var failures = [ExecutorError?](repeating: nil, count: whole)
        logits.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { failed in
                pool.parallelFor(whole) { image, worker in
                    let lane = threads > 1 ? lanes[worker] : self
                    let slice = UnsafeBufferPointer(rebasing: source[image * perImage..<(image + 1) * perImage])
                    do throws(ExecutorError) {
                        let row = try lane.runLayers(slice, batch: 1, height: height, width: width)
                        for c in 0..<classes { out[image * classes + c] = row[c] }
                    } catch {
                        failed[image] = error
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        if whole < batch {
            let rest = try runLayers(UnsafeBufferPointer(rebasing: source[whole * perImage..<batch * perImage]),
                                     batch: batch - whole, height: height, width: width)
            for (offset, value) in rest.enumerated() { logits[whole * classes + offset] = value }
        }
        return logits
    }

    /// Runs a batch layer by layer, every layer's work spread over the threads.
    private func runLayers(_ source: UnsafeBufferPointer<Float>, batch: Int, height: Int, width: Int) throws(ExecutorError)
        -> [Float] {
        let shape = [batch, plan.inputChannels, height, width]
        let (schedule, buffers, layerInput) = try prepare(shape)
        buffers[schedule.buffers[0]].base.update(from: source.baseAddress!, count: source.count)
        valueMaxima.removeAll(keepingCapacity: true)
        if var times = stepSeconds, var waits = stepWaitSeconds {
            for (index, step) in plan.steps.enumerated() {
                let (start, busy) = (ContinuousClock.now, pool.busySeconds)
                execute(step, schedule: schedule, buffers: buffers, layerInput: layerInput)
                let wall = (ContinuousClock.now - start).inSeconds
                times[index] += wall
                waits[index] += max(0, wall - (pool.busySeconds - busy) / Double(pool.threadCount))
            }
            (stepSeconds, stepWaitSeconds) = (times, waits)
        } else {
            for step in plan.steps { execute(step, schedule: schedule, buffers: buffers, layerInput: layerInput) }
        }
        let logits = buffers[schedule.buffers[plan.steps.count]].base
        let classes = plan.classes
        return [Float](unsafeUninitializedCapacity: batch * classes) { out, initialized in
            for image in 0..<batch {
                for c in 0..<classes { out[image * classes + c] = logits[c * batch + image] }
            }
            initialized = batch * classes
        }
    }

    /// `run(input:batch:height:width:)`, calling `observer` with each layer's input maxima on the way.
    public func run(input: [Float], batch: Int, height: Int, width: Int,
                    observingInputs observer: @escaping InputObserver) throws(ExecutorError) -> [Float] {
        self.observer = observer
        defer { self.observer = nil }
        return try run(input: input, batch: batch, height: height, width: width)
    }

    /// `run(input:batch:height:width:)`, calling `observer` with every layer's output on the way.
    public func run(input: [Float], batch: Int, height: Int, width: Int,
                    observingOutputs observer: @escaping OutputObserver) throws(ExecutorError) -> [Float] {
        outputObserver = observer
        defer { outputObserver = nil }
        return try run(input: input, batch: batch, height: height, width: width)
    }

    /// The schedule for `shape` (reused from the previous run when it matches), and from `memory` the value buffers
    /// and the layer-input buffer: the prepared input of the convolution running (quantized quads, with their packed
    /// panels on small integer planes, or the padded input of a direct float convolution), shared by the threads
    /// (sized for the largest over the batch).
    private func prepare(_ shape: [Int]) throws(ExecutorError) -> (Schedule, [AlignedFloats], AlignedFloats) {
        if prepared?.key != shape {
            prepared = nil
            let schedule = try Schedule(plan: plan, batch: shape[0], height: shape[2], width: shape[3])
            var bytes = 0
            for step in plan.steps {
                guard case .conv(let layer, let input, _, _) = step else { continue }
                let from = schedule.shapes[input]
                bytes = max(bytes, Kernels.preparedBytes(layer.descriptor(height: from.height, width: from.width, kernels: kernels)))
            }
            let layerInputCount = (bytes * shape[0] + 3) / 4
            let floats = schedule.bufferSizes.reduce(layerInputCount, +)
            guard floats <= Self.maxActivationBytes / 4 else {
                throw .tooLarge(shape: shape, bytes: floats * 4, limit: Self.maxActivationBytes)
            }
            prepared = (shape, schedule, layerInputCount)
        }
        let (_, schedule, layerInputCount) = prepared!
        var buffers = memory.buffers(schedule.bufferSizes + [layerInputCount])
        let layerInput = buffers.removeLast()
        return (schedule, buffers, layerInput)
    }
}
