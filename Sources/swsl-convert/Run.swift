import ArgumentParser
import SWSLCore
import SWSLRuntime

/// `swsl-convert run MODEL --input x.npy --output logits.npy`: run a `.swm` or the float reference of a checkpoint.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a .swm model, or the float reference of any checkpoint, on NCHW float32 input.")

    @Argument(help: "A .swm file, or a checkpoint (then its float reference runs, BatchNorm unfolded).")
    var model: String

    @Option(help: "Input batch: a float32 C-order .npy of shape [N, C, H, W].")
    var input: String

    @Option(help: "Where to write the logits (.npy, float32 [N, classes]); default: print them.")
    var output: String?

    @Option(help: "Print the top K classes of each sample.")
    var top: Int = 5

    @OptionGroup var options: RunOptions

    func run() throws {
        let loaded = try loadModel(model)
        let array: NPYArray
        do { array = try NPYArray.read(path: input) } catch {
            printError("swsl-convert: \(input): \(error)")
            throw ExitCode(2)
        }
        guard array.shape.count == 4 else {
            printError("swsl-convert: \(input): input must be [N, C, H, W], got \(array.shape)")
            throw ExitCode(2)
        }
        let (n, h, w) = (array.shape[0], array.shape[2], array.shape[3])
        let logits = try execute(loaded, input: array.values, batch: n, height: h, width: w, threads: options.threads)
        let classes = loaded.architecture.numClasses
        if let output {
            do { try NPYArray(shape: [n, classes], values: logits).write(path: output) } catch {
                printError("swsl-convert: \(output): \(error)")
                throw ExitCode(2)
            }
        }
        let names = loaded.classNames
        for s in 0..<n {
            let row = Array(logits[s * classes..<(s + 1) * classes])
            let probabilities = Softmax.apply(row)
            let best = LogitComparison.topK(row, min(top, classes)).map { i in
                "\(names?[i] ?? "class \(i)") \(ConversionSummary.fixed(Double(probabilities[i]) * 100, 1))%"
            }
            print("sample \(s): " + best.joined(separator: ", "))
        }
    }
}

enum Softmax {
    static func apply(_ logits: [Float]) -> [Float] {
        let peak = logits.max() ?? 0
        let e = logits.map { expf($0 - peak) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

#if canImport(Glibc)
import Glibc
#endif
