/// Why a `.swm` file was refused, or could not be written. `rule` is the number of the
/// validation rule of Formats/SWM.md the file broke (nil for I/O and for the writer's own checks);
/// each rule has its own test that expects its own number.
public struct SWMError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, as the spec names it.
    public enum Kind: String, Sendable, Equatable {
        case truncated, notSWM, unsupportedVersion, badHeader, badSection, checksum, badMetadata, badEntry,
             missingTensor, io
    }

    /// Which failure it is, as the spec's validation list names it; callers and tests match on this.
    public let kind: Kind
    /// Number of the Formats/SWM.md validation rule the file broke; nil for I/O and the writer's own checks.
    public let rule: Int?
    /// What is wrong, without the file's name.
    public let message: String

    /// Builds an error; `rule` is nil when no spec rule applies, and `message` omits the file's name.
    public init(_ kind: Kind, rule: Int?, _ message: String) {
        self.kind = kind
        self.rule = rule
        self.message = message
    }

    /// `message`, followed by "(SWM rule N)" when `rule` is set.
    public var description: String { rule.map { "\(message) (SWM rule \($0))" } ?? message }

    /// Rule 1 (shorter than a header) or 6 (shorter than the header says).
    public static func truncated(_ m: String, rule: Int) -> SWMError { SWMError(.truncated, rule: rule, "truncated: \(m)") }
    /// Rule 2.
    public static let notSWM = SWMError(.notSWM, rule: 2, "not a .swm file (bad magic)")
    /// Rule 3.
    public static func unsupportedVersion(_ v: UInt32) -> SWMError {
        SWMError(.unsupportedVersion, rule: 3, "unsupported .swm version \(v) (this reader knows 1)")
    }
    /// Rule 4 (header size or byte-order mark) or 6 (bytes after the file size the header declares).
    public static func badHeader(_ m: String, rule: Int) -> SWMError { SWMError(.badHeader, rule: rule, "bad header: \(m)") }
    /// Rule 7 (section placement), 10 (directory size), 16 (bytes after the data) or 17 (non-zero gap).
    public static func badSection(_ m: String, rule: Int) -> SWMError { SWMError(.badSection, rule: rule, "bad section: \(m)") }
    /// Rule 5 (header), 8 (metadata, directory) or 15 (a tensor).
    public static func checksum(_ what: String, rule: Int) -> SWMError {
        SWMError(.checksum, rule: rule, "CRC-32 mismatch in \(what)")
    }
    /// Rule 9.
    public static func badMetadata(_ m: String, rule: Int? = 9) -> SWMError { SWMError(.badMetadata, rule: rule, "bad metadata: \(m)") }
    /// Rules 10–14: `which` names the tensor (or `#index` before its name is known).
    public static func badEntry(_ which: String, _ m: String, rule: Int?) -> SWMError {
        SWMError(.badEntry, rule: rule, "tensor \(which): \(m)")
    }
    /// Rule 14 (or the writer's own check of a scale's name).
    public static func missingTensor(_ name: String, rule: Int? = 14) -> SWMError {
        SWMError(.missingTensor, rule: rule, "missing tensor '\(name)'")
    }
    /// Rule 14, from the architecture's numbers alone: it implies more tensors than the directory holds.
    public static func tooFewTensors(blocks: Int, implied: Int, present: Int) -> SWMError {
        SWMError(.missingTensor, rule: 14,
                 "missing tensors: the architecture implies \(blocks) blocks, at least \(implied) tensors; the file has \(present)")
    }
    /// The file could not be mapped, or the output could not be written; carries no rule number.
    public static func io(_ m: String) -> SWMError { SWMError(.io, rule: nil, m) }
}
