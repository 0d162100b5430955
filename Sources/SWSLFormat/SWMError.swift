/// Why a `.swm` file was refused. Cases follow the numbered rules of Formats/SWM.md.
public enum SWMError: Error, CustomStringConvertible, Sendable, Equatable {
    case truncated(String)
    case notSWM
    case unsupportedVersion(UInt32)
    case badHeader(String)
    case badSection(String)
    case checksum(String)
    case badMetadata(String)
    case badEntry(String, String)
    case missingTensor(String)
    case io(String)

    public var description: String {
        switch self {
        case .truncated(let m): "truncated: \(m)"
        case .notSWM: "not a .swm file (bad magic)"
        case .unsupportedVersion(let v): "unsupported .swm version \(v) (this reader knows 1)"
        case .badHeader(let m): "bad header: \(m)"
        case .badSection(let m): "bad section: \(m)"
        case .checksum(let what): "CRC-32 mismatch in \(what)"
        case .badMetadata(let m): "bad metadata: \(m)"
        case .badEntry(let which, let m): "tensor \(which): \(m)"
        case .missingTensor(let name): "missing tensor '\(name)'"
        case .io(let m): m
        }
    }
}
