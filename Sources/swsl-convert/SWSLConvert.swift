import ArgumentParser
import SWSLTransform

@main
struct SWSLConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swsl-convert",
        abstract: "Convert PyTorch, ONNX and safetensors ResNet checkpoints into int8 .swm files.",
        version: Converter.version,
        subcommands: [Convert.self, Inspect.self, Run.self, Verify.self, Bench.self],
        defaultSubcommand: Convert.self)
}
