import SWSLCheckpoint
import SWSLExecutor
import SWSLFormat
import SWSLSchema

/// Why a model could not be loaded or run. Each case names the file.
public enum RuntimeError: Error, CustomStringConvertible, Sendable {
    case checkpoint(CheckpointError)
    case swm(file: String, SWMError)
    case schema(file: String, SchemaError)
    case plan(file: String, PlanError)
    case input(String)
    case run(ExecutorError)

    /// One line for people; the cases with a `file` put its path first.
    public var description: String {
        switch self {
        case .checkpoint(let e): e.description
        case .swm(let file, let e): "\(file): \(e)"
        case .schema(let file, let e): "\(file): \(e)"
        case .plan(let file, let e): "\(file): \(e)"
        case .input(let m): m
        case .run(let e): e.description
        }
    }
}
