import ArgumentParser
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLPipeline

/// `swsl-convert bench MODEL`: executor latency after a warm-up.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the executor on a model: median, min and max latency in milliseconds.")

    @Argument(help: "A .swm file or a checkpoint (its float reference).")
    var model: String

    @Option(help: "Batch size.")
    var batch: Int = 1

    @Option(help: "Timed iterations after the warm-up.")
    var iterations: Int = 20

    @Option(help: "Input height and width.")
    var size: Int = 224

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Also time every layer (mean over the timed runs, one line each; `layers` in --json), with the time the average thread waited in it (outside its tasks: barriers, the caller's work between loops, a slower thread's last task).")
    var layers = false

    @OptionGroup var options: RunOptions

    func validate() throws {
        guard batch >= 1, iterations >= 1, size >= 1 else { throw ValidationError("--batch, --iterations and --size must be positive") }
    }

    func run() throws {
        let clock = ContinuousClock()
        // Opening alone: map + validate every rule, tensor CRCs off (the number the speed issue names).
        var validateMs: Double?
        if SWMFile.isSWM(path: model) {
            let start = clock.now
            _ = try? SWMFile.open(path: model)
            validateMs = (clock.now - start).milliseconds
        }
        let openStart = clock.now
        let loaded = try loadModel(model, int8: options.int8Mode)
        let openMs = (clock.now - openStart).milliseconds
        let executor = PlanExecutor(plan: loaded.plan, threads: options.threads)
        let input = SyntheticInputs.make(samples: batch, channels: loaded.architecture.inputChannels, height: size, width: size)
        var times: [Double] = []
        for i in 0..<(iterations + 3) {
            let start = clock.now
            do { _ = try executor.run(input: input, batch: batch, height: size, width: size) } catch {
                throw CommandFailure(place: model, error: error)
            }
            if i >= 3 { times.append((clock.now - start).milliseconds) }  // three warm-up runs
            if i == 2 && layers { executor.startProfiling() }
        }
        let perLayer = zip(executor.stepNames, executor.stepSeconds ?? []).map { ($0, $1 * 1000 / Double(iterations)) }
        let perLayerWait = (executor.stepWaitSeconds ?? []).map { $0 * 1000 / Double(iterations) }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        let gmacs = Double(loaded.plan.multiplyAccumulates(height: size, width: size)) * Double(batch) / 1e9
        if json {
            print(JSONValue.object([
                ("model", .string(model)), ("precision", .string(loaded.precisionName)), ("int8", .string(options.int8.rawValue)), ("batch", .int(Int64(batch))),
                ("threads", .int(Int64(options.threads))), ("kernels", .string(executor.kernels.record)),
                ("size", .int(Int64(size))), ("iterations", .int(Int64(iterations))),
                ("median_ms", .double(median)), ("min_ms", .double(times.first!)), ("max_ms", .double(times.last!)),
                ("validate_ms", validateMs.map(JSONValue.double) ?? .null),
                ("open_ms", .double(openMs)), ("gflops", .double(2 * gmacs / (median / 1000))),
                ("busy_ms_per_thread", layers ? .array(executor.profiledBusySecondsPerThread.map { .double($0 * 1000 / Double(iterations)) }) : .null),
                ("layers", layers ? .array(zip(perLayer, perLayerWait).map { layer, wait in
                    .object([("step", .string(layer.0)), ("mean_ms", .double(layer.1)), ("wait_ms", .double(wait))])
                }) : .null),
            ]).serialized(pretty: true))
        } else {
            let f = ConversionSummary.fixed
            print("\(model) (\(loaded.precisionName)), batch \(batch), \(options.threads) threads, kernels \(executor.kernels.record), "
                + "\(size)×\(size), \(iterations) runs: "
                + "median \(f(median, 2)) ms, min \(f(times.first!, 2)) ms, max \(f(times.last!, 2)) ms "
                + "(\(f(2 * gmacs / (median / 1000), 1)) GFLOP/s; opened in \(f(openMs, 2)) ms)")
            if layers {
                let total = perLayer.reduce(0) { $0 + $1.1 }
                for ((name, ms), wait) in zip(perLayer, perLayerWait) {
                    print("  \(f(ms, 3)) ms  \(f(100 * ms / total, 1))%  wait \(f(wait, 3)) ms  \(name)")
                }
            }
        }
    }
}

extension Duration {
    var milliseconds: Double { inSeconds * 1000 }
}
