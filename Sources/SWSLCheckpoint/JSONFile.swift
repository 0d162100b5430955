import SWSLCore

/// A small JSON configuration file read whole (a hub folder's `config.json` and
/// `preprocessor_config.json`): at most 1 MiB, parsed strictly with nesting bounded, a JSON object at
/// the top. Its typed accessors take absent and `null` for "not said" and name the file and key in
/// every error.
struct JSONFile {
    /// Larger files are refused (timm's and transformers' configs are a few KB; 1000 labels about 40 KB).
    static let maxBytes = 1 << 20

    let path: String
    let root: JSONValue

    init(_ path: String) throws(CheckpointError) {
        self.path = path
        do throws(ReadError) {
            let file: ByteStorage
            do { file = try ByteStorage.map(path: path) } catch { throw ReadError.unreadable(error.reason) }
            guard file.count <= Self.maxBytes else {
                throw ReadError.tooLarge(where: "JSON", "\(file.count) bytes; a model's configuration is at most \(Self.maxBytes)")
            }
            do { root = try JSONParser.parse(file.bytes, maxDepth: 16) } catch { throw ReadError.corrupt(where: "JSON", "\(error)") }
        } catch {
            throw CheckpointError(file: path, reason: error)
        }
        guard case .object = root else { throw fail("(top level)", "not a JSON object") }
    }

    func fail(_ key: String, _ why: String) -> CheckpointError {
        CheckpointError(file: path, reason: .corrupt(where: "key '\(key)'", why))
    }

    /// A finite JSON number as a Double; nil for anything else.
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: Double(i)
        case .double(let d)?: d.isFinite ? d : nil
        default: nil
        }
    }

    func string(_ value: JSONValue?, _ key: String) throws(CheckpointError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw fail(key, "not a string")
        }
    }

    func flag(_ value: JSONValue?, _ key: String) throws(CheckpointError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw fail(key, "not true or false")
        }
    }

    /// A list of at most 16 finite numbers (exactly `count` when given).
    func numbers(_ value: JSONValue?, _ key: String, count: Int? = nil) throws(CheckpointError) -> [Double]? {
        guard let value, value != .null else { return nil }
        guard case .array(let items) = value, items.count <= 16, count.map({ $0 == items.count }) ?? true else {
            throw fail(key, count.map { "not a list of \($0) numbers" } ?? "not a short list of numbers")
        }
        let values = items.compactMap { Self.number($0) }
        guard values.count == items.count else { throw fail(key, "not a list of finite numbers") }
        return values
    }

    /// A non-negative integer up to 2²⁴ (a count of classes).
    func count(_ value: JSONValue?, _ key: String) throws(CheckpointError) -> Int? {
        guard let value, value != .null else { return nil }
        guard case .int(let i) = value, i >= 0, i <= 1 << 24 else { throw fail(key, "not a count") }
        return Int(i)
    }
}
