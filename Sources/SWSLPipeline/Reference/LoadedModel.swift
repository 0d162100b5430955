import SWSLCheckpoint
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLSchema
import SWSLNetwork

/// A model ready to run: a `.swm` file's folded weights, or the float reference built straight
/// from a source checkpoint (BatchNorm not folded, weights as the source has them).
public struct LoadedModel: Sendable {
    /// What was opened: a converted `.swm`, or a source checkpoint run as the float reference.
    public enum Kind: String, Sendable {
        case swm
        case reference
    }

    /// The file opened, as given to `load(path:)`.
    public let path: String
    /// Whether `plan` runs a `.swm`'s folded weights or a checkpoint's unfolded float reference.
    public let kind: Kind
    /// The network ready for `Executor`: a `.swm`'s weights used in place, or the checkpoint's
    /// weights as float32 with BatchNorm evaluated separately (`ExecutionPlan(reference:)`).
    public let plan: ExecutionPlan
    /// The network the plan runs.
    public let architecture: ResNetArchitecture
    /// `.swm` metadata (nil for a source checkpoint).
    public let metadata: SWMMetadata?
    /// How images are prepared for it: the `.swm` metadata's; for a checkpoint, what converting it
    /// would record (a hub folder's `pretrained_cfg`, an ONNX graph's fixed input size, else ImageNet's).
    public var preprocessing: Preprocessing = .imageNet
    /// For a source checkpoint read from names and shapes alone (a bare state dict), what it was taken for
    /// (`CanonicalModel.assumption`); nil for `.swm` files and for checkpoints that said which network they are.
    public var assumption: String?

    /// The precision the plan computes in: the `.swm`'s stored precision, fp32 for a checkpoint's reference.
    public var precision: Precision {
        metadata?.quantization.precision ?? .fp32
    }

    /// The precision for people and records: the `.swm`'s (`int8`, `fp16`, `fp32`), `reference` for a checkpoint.
    public var precisionName: String {
        kind == .reference ? Self.referenceName : precision.rawValue
    }

    /// `precisionName` of a checkpoint run as the float reference.
    public static let referenceName = "reference"

    /// The precision a `precisionName` stands for (fp32 for `reference`); nil for any other word.
    public static func precision(named name: String) -> Precision? {
        name == referenceName ? .fp32 : Precision(rawValue: name)
    }

    /// Class names from the `.swm` metadata, when it has them.
    public var classNames: [String]? {
        metadata?.classes.names
    }

    /// Opens `path`: a `.swm` (validated; tensor CRCs with `checkCRC`) or any checkpoint the readers accept.
    public static func load(path: String, checkCRC: Bool = false, int8: Int8Mode = Int8Mode()) throws(RuntimeError) -> LoadedModel {
        if SWMFile.isSWM(path: path) {
            let file: SWMFile
            do { file = try SWMFile.open(path: path, checkCRC: checkCRC) } catch { throw .swm(file: path, error) }
            let plan: ExecutionPlan
            do { plan = try ExecutionPlan(file.network, int8: int8) } catch { throw .plan(file: path, error) }
            var loaded = LoadedModel(path: path, kind: .swm, plan: plan, architecture: file.metadata.architecture,
                                     metadata: file.metadata)
            loaded.preprocessing = file.metadata.preprocessing
            return loaded
        }
        let checkpoint: Checkpoint
        do { checkpoint = try CheckpointReader.read(path: path) } catch { throw .checkpoint(error) }
        let model: CanonicalModel
        do { model = try SchemaMapper.map(checkpoint) } catch { throw .schema(file: path, error) }
        var loaded: LoadedModel
        do {
            loaded = LoadedModel(path: path, kind: .reference, plan: try ExecutionPlan(reference: model),
                                 architecture: model.architecture, metadata: nil)
        } catch { throw .plan(file: path, error) }
        do { loaded.preprocessing = try ConversionPipeline.preprocessing(checkpoint, model) } catch { throw .input(error.description) }
        loaded.assumption = model.assumption
        return loaded
    }
}
