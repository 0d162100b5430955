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
        let named = checkpoint.hub?.architecture.flatMap(ModelVariants.status(of:))
        if let hub = checkpoint.hub { try apply(hub, named: named, to: &weights) }
        let modules = checkpoint.pickledModules  // nil for every mapping of names (ONNX, safetensors, state dicts)
        if let modules { try PickledModuleCheck.apply(modules, to: &weights) }
        var model = try ModelAssembler.assemble(weights, ArchitectureInference.infer(weights))
        // The file said which network it is (a graph, a module tree, a known name in config.json), or it is
        // read as the plain network its tensors fit, and says so.
        if checkpoint.format != .onnx, modules == nil, named != .supported {
            model.assumption = ModelVariants.bareStateDictAssumption(model.architecture.name)
        }
        return model
    }

    /// What a transformers `config.json` says that the tensor names cannot: the activation, and where
    /// a strided bottleneck's stride sits. timm's folders say neither (their networks are the schema's).
    /// `named` is `ModelVariants`' status of the architecture the folder names.
    static func apply(_ hub: HubConfig, named: ModelVariants.Status?, to weights: inout SourceWeights) throws(SchemaError) {
        if let name = hub.architecture, case .notCovered(let why)? = named {
            throw .notCovered("config.json names '\(name)' (\(why)), which this converter does not map")
        }
        if let type = hub.modelType, type != "resnet" {
            throw .notCovered("config.json's model_type is '\(type)'; of transformers' models this converter maps 'resnet' only")
        }
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
