import SWSLCheckpoint

/// Maps any checkpoint onto the canonical ResNet schema: ONNX by walking its graph, everything
/// else by its tensor names (torchvision, timm, Hugging Face). Everything is inferred from names,
/// graph structure and shapes, never from the file's name.
public enum SchemaMapper {
    /// Maps `checkpoint` onto the canonical schema and infers its architecture; throws the first
    /// problem found (an ONNX file without a graph is `.notAResNet`).
    public static func map(_ checkpoint: Checkpoint) throws(SchemaError) -> CanonicalModel {
        var weights: SourceWeights
        if checkpoint.format == .onnx {
            guard let graph = checkpoint.graph else { throw .notAResNet("the ONNX file has no graph") }
            weights = try ONNXGraphWalker.weights(graph, initializers: checkpoint.weights)
        } else {
            weights = try NameMapper.weights(checkpoint)
        }
        if let hub = checkpoint.hub { try apply(hub, to: &weights) }
        return try ModelAssembler.assemble(weights, ArchitectureInference.infer(weights))
    }

    /// What a transformers `config.json` says that the tensor names cannot: the activation, and where
    /// a strided bottleneck's stride sits. timm's folders say neither (their networks are the schema's).
    static func apply(_ hub: HubConfig, to weights: inout SourceWeights) throws(SchemaError) {
        if let activation = hub.hiddenAct, activation != "relu" {
            throw .notCovered("config.json's hidden_act is '\(activation)'; the schema's ResNet uses ReLU")
        }
        if hub.downsampleInFirstStage == true {
            throw .notCovered("config.json's downsample_in_first_stage is true: the first stage starts with stride 2, "
                + "where the schema's ResNet keeps the max-pool's resolution")
        }
        if hub.downsampleInBottleneck == true { weights.strideOn3x3 = false }
    }
}
