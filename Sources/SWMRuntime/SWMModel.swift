import Synchronization
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLNetwork
// The types SWMModel's API names, so that `import SWMRuntime` alone is enough to use it.
@_exported import struct SWSLExecutor.Int8Mode
@_exported import enum SWSLExecutor.Int8Arithmetic
@_exported import enum SWSLExecutor.ActivationRanges
@_exported import enum SWSLExecutor.KernelChoice
@_exported import enum SWSLExecutor.ExecutorError
@_exported import enum SWSLExecutor.PlanError
@_exported import struct SWSLFormat.SWMMetadata
@_exported import struct SWSLFormat.Preprocessing
@_exported import struct SWSLFormat.SWMError
@_exported import struct SWSLNetwork.ResNetArchitecture

/// A `.swm` model ready to run: the file mapped and validated (every rule of Formats/SWM.md, tensor
/// CRCs on request), its weights used in place from the mapping, and an executor with its threads.
///
/// Thread safety: a model may be shared between threads (it is `Sendable`). Its runs are serialised
/// (one at a time, each on the model's own `threads`); for runs in parallel, open the file once per
/// thread, which maps the same pages and costs no copy of the weights.
///
/// Memory: the weights stay in the file's mapping (read-only, shared with every process that maps the
/// file); the model adds its activation buffers, sized by the largest batch and image it has run.
///
/// Hostile files: every byte is checked before it is used — a file that breaks a rule is refused with an
/// `SWMModel.Error` naming the file and the rule (`SWMError.rule`), never a crash; nothing in a file is executed.
public final class SWMModel: Sendable {
    /// How to run: threads, kernels and the int8 arithmetic.
    public struct Options: Sendable {
        /// Worker threads for each run (default: the machine's online processors).
        public var threads: Int
        /// How int8 layers run (default: integer arithmetic, 8-bit activations, exact int32 sums; the file's
        /// calibrated activation ranges where it stores some, else each input's).
        public var int8: Int8Mode
        /// The kernel set (default: `SWSL_KERNELS` from the environment, else the fastest this CPU runs).
        public var kernels: KernelChoice
        /// Check every tensor's CRC-32 when opening (reads the whole file once; default false).
        public var checkCRC: Bool

        /// The defaults listed on each property.
        public init(threads: Int = PlanExecutor.defaultThreads, int8: Int8Mode = Int8Mode(),
                    kernels: KernelChoice = .fromEnvironment, checkCRC: Bool = false) {
            self.threads = threads
            self.int8 = int8
            self.kernels = kernels
            self.checkCRC = checkCRC
        }
    }

    /// Why a model could not be opened or run; `description` starts with the file's path.
    public enum Error: Swift.Error, CustomStringConvertible, Sendable {
        /// The file is not a valid `.swm`: the rule it breaks (`SWMError.rule`) and where.
        case file(path: String, SWMError)
        /// The file is valid but its network cannot be planned (a geometry the executor does not run).
        case plan(path: String, PlanError)
        /// The input tensor does not fit the model (its size, shape or channel count).
        case input(path: String, ExecutorError)
        /// An image could not be decoded, or the model's preprocessing cannot be applied.
        case image(String)

        /// One line: the file, then what is wrong.
        public var description: String {
            switch self {
            case .file(let path, let e): "\(path): \(e)"
            case .plan(let path, let e): "\(path): \(e)"
            case .input(let path, let e): "\(path): \(e)"
            case .image(let message): message
            }
        }
    }

    /// One class of a classification: its index, its name when the file has names, its probability.
    public struct Prediction: Sendable, Equatable, CustomStringConvertible {
        /// Row of the logits (0-based class index).
        public let index: Int
        /// The class name from the metadata (`classes.names`); nil when the file has none.
        public let label: String?
        /// Softmax of the logits, in [0, 1].
        public let probability: Float
        /// The raw logit.
        public let logit: Float

        /// The `k` most probable classes of one row of logits, most probable first, named from `names`.
        public static func top(_ k: Int, of logits: [Float], names: [String]?) -> [Prediction] {
            let probabilities = Softmax.apply(logits)
            return TopK.indices(logits, k).map { i in
                Prediction(index: i, label: names.flatMap { i < $0.count ? $0[i] : nil }, probability: probabilities[i],
                           logit: logits[i])
            }
        }

        /// `tabby 81.2%` (`class 281 81.2%` without a name): the probability in percent to one decimal.
        public var description: String {
            let tenths = (Double(probability) * 100 * 10).rounded() / 10
            var percent = "\(tenths)"
            if !percent.contains(".") { percent += ".0" }
            return "\(label ?? "class \(index)") \(percent)%"
        }
    }

    /// The path the model was opened from.
    public let path: String
    /// The metadata: architecture, preprocessing, classes, provenance, quantization, verification record.
    public let metadata: SWMMetadata
    /// The metadata section's JSON text, byte for byte as stored.
    public let metadataText: String
    /// The options the model runs with.
    public let options: Options
    private let plan: ExecutionPlan
    private let executor: Mutex<PlanExecutor>
    /// The file's preprocessing as an operator, made once (or why it cannot be applied).
    private let preprocessor: Result<ImagePreprocessor, ImagePreprocessor.UnsupportedFilter>

    /// Opens and validates the `.swm` at `path` and plans its network; `options` as given.
    public init(path: String, options: Options = Options()) throws(Error) {
        let file: SWMFile
        do { file = try SWMFile.open(path: path, checkCRC: options.checkCRC) } catch { throw .file(path: path, error) }
        do {
            plan = try ExecutionPlan(file.network, int8: options.int8)
        } catch { throw .plan(path: path, error) }
        self.path = path
        self.options = options
        metadata = file.metadata
        metadataText = file.metadataText
        preprocessor = Result { () throws(ImagePreprocessor.UnsupportedFilter) in try ImagePreprocessor(file.metadata.preprocessing) }
        executor = Mutex(PlanExecutor(plan: plan, threads: options.threads, kernels: options.kernels))
    }

    /// Number of classes (logits per input).
    public var classes: Int { plan.classes }
    /// Channels the input must have (3 for RGB images).
    public var inputChannels: Int { plan.inputChannels }
    /// Class names in class order, when the file has them.
    public var classNames: [String]? { metadata.classes.names }
    /// How images are prepared for this model (resize, crop, mean and std, filter), from the metadata.
    public var preprocessing: Preprocessing { metadata.preprocessing }
    /// The kernels that run: float, then integer (`avx512, integer avx512-vnni`).
    public var kernels: String { executor.withLock { $0.kernels.record } }

    /// Logits `[batch][classes]`, row-major, of a float32 NCHW input `[batch, inputChannels, height, width]`
    /// (C order), preprocessed as the model expects.
    public func run(input: [Float], batch: Int, height: Int, width: Int) throws(Error) -> [Float] {
        do {
            return try executor.withLock { (executor) throws(ExecutorError) in
                try executor.run(input: input, batch: batch, height: height, width: width)
            }
        } catch { throw .input(path: path, error) }
    }

    /// The model input for the JPEG or PNG file at `imagePath`: decoded, then resized, cropped and
    /// normalised as the metadata's preprocessing says (torchvision's evaluation transform, bit for bit
    /// on Pillow's pixels). Refused when the file cannot be decoded or the model does not take RGB.
    public func input(imageAt imagePath: String) throws(Error) -> [Float] {
        guard inputChannels == 3 else { throw .image("\(path): images need a 3-channel model, this one takes \(inputChannels)") }
        let preprocessor: ImagePreprocessor
        switch self.preprocessor {
        case .success(let p): preprocessor = p
        case .failure(let error): throw .image("\(path): \(error)")
        }
        let image: ImageDecoder.Image
        do { image = try ImageDecoder.decode(path: imagePath) } catch { throw .image(error.description) }
        return preprocessor.tensor(for: image)
    }

    /// The `k` most probable classes of the image at `imagePath`, most probable first.
    public func classify(imageAt imagePath: String, top k: Int = 5) throws(Error) -> [Prediction] {
        let side = preprocessing.inputSize
        let logits = try run(input: try input(imageAt: imagePath), batch: 1, height: side, width: side)
        return top(k, of: logits)
    }

    /// The `k` most probable classes of one row of logits (`classes` values), most probable first, with labels.
    public func top(_ k: Int, of logits: [Float]) -> [Prediction] {
        Prediction.top(k, of: logits, names: classNames)
    }
}
