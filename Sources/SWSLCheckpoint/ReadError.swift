import SWSLCore

/// Why a file could not be read. Every case carries where in the file it went wrong.
public enum ReadError: Error, CustomStringConvertible, Sendable {
    /// The file cannot be opened or mapped.
    case unreadable(String)
    /// Nothing we know: not a zip, legacy stream, tar, ONNX or safetensors file.
    case unknownFormat(String)
    /// The file ends early.
    case truncated(context: String, ByteReaderError)
    /// A structural problem at a place (`where` names the member, tensor, key or offset).
    case corrupt(where: String, String)
    /// A pickle opcode or value we refuse or cannot interpret.
    case pickle(offset: Int, String)
    /// A pickle names a global outside the allow-list.
    case forbiddenGlobal(name: String, offset: Int, use: String)
    /// A tensor's layout does not fit its storage.
    case tensor(name: String, TensorLayoutError)
    /// A zip archive is damaged or hostile.
    case zip(member: String?, String)
    /// An ONNX external-data location escapes the model's folder.
    case externalDataEscape(tensor: String, location: String, String)
    /// A declared size is larger than the file can hold.
    case tooLarge(where: String, String)
    /// No tensors found where weights should be.
    case noWeights(String)

    /// One line for the CLI: where in the file (offset, member, tensor) when known, then the problem.
    public var description: String {
        switch self {
        case .unreadable(let m): m
        case .unknownFormat(let m): "unknown format: \(m)"
        case .truncated(let context, let e): "\(context): \(e)"
        case .corrupt(let place, let m): "\(place): \(m)"
        case .pickle(let offset, let m): "pickle offset \(offset): \(m)"
        case .forbiddenGlobal(let name, let offset, let use):
            "pickle offset \(offset): refusing global '\(name)' (\(use)); it is not on the allow-list of data constructors, and pickles are never executed"
        case .tensor(let name, let e): "tensor '\(name)': \(e)"
        case .zip(let member, let m): member.map { "zip member '\($0)': \(m)" } ?? "zip: \(m)"
        case .externalDataEscape(let tensor, let location, let m):
            "tensor '\(tensor)': external data location '\(location)' refused: \(m)"
        case .tooLarge(let place, let m): "\(place): \(m)"
        case .noWeights(let m): "no weights found: \(m)"
        }
    }
}

/// A `ReadError` together with the file it happened in. This is what the CLI prints.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The path of the checkpoint that was being read, as given.
    public let file: String
    /// What went wrong, and where inside the file.
    public let reason: ReadError

    /// Attaches the checkpoint's path to a read error.
    public init(file: String, reason: ReadError) {
        self.file = file
        self.reason = reason
    }

    /// `FILE: REASON`, as the CLI prints it.
    public var description: String { "\(file): \(reason)" }
}
