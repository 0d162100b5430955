import ArgumentParser
import SWSLCheckpoint
import SWSLCore

/// `swsl-convert inspect FILE [--json]`: format facts, where the weights are, and a table of tensors.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a checkpoint's format facts, where its weights are, and its tensors.")

    @Argument(help: "A PyTorch (.pth/.pt: zip, legacy or tar), ONNX or safetensors file.")
    var file: String

    @Flag(help: "Print one JSON object on stdout instead of the human report.")
    var json = false

    func run() throws {
        let checkpoint = try withInputErrors { () throws(CheckpointError) in try CheckpointReader.read(path: file) }
        let report = checkpoint.report()
        if json {
            print(report.serialized(pretty: true))
        } else {
            print(HumanReport.render(checkpoint, report: report))
        }
    }
}

/// Runs `body`; a checkpoint error is printed to stderr as `swsl-convert: FILE: why` and exits with 2.
func withInputErrors<T>(_ body: () throws(CheckpointError) -> T) throws -> T {
    do { return try body() } catch {
        printError("swsl-convert: \(error)")
        throw ExitCode(2)
    }
}
