import SWSLCheckpoint

/// Maps any checkpoint onto the canonical ResNet schema: ONNX by walking its graph, everything
/// else by its tensor names (torchvision, timm, Hugging Face). Everything is inferred from names,
/// graph structure and shapes, never from the file's name.
public enum SchemaMapper {
    /// Maps `checkpoint` onto the canonical schema and infers its architecture; throws the first
    /// problem found (an ONNX file without a graph is `.notAResNet`).
    public static func map(_ checkpoint: Checkpoint) throws(SchemaError) -> CanonicalModel {
        let weights: SourceWeights
        if checkpoint.format == .onnx {
            guard let graph = checkpoint.graph else { throw .notAResNet("the ONNX file has no graph") }
            weights = try ONNXGraphWalker.weights(graph, initializers: checkpoint.weights)
        } else {
            weights = try NameMapper.weights(checkpoint)
        }
        return try ModelAssembler.assemble(weights, ArchitectureInference.infer(weights))
    }
}
