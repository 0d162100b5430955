import SWSLCore

extension PickleValue {
    /// A JSON rendering for reports (sys_info, metadata). Tensors and objects become short descriptions.
    var json: JSONValue { json(depth: 0) }

    private func json(depth: Int) -> JSONValue {
        guard depth < 16 else { return .string("…") }
        switch self {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .bigInt: return .string("<big int>")
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string("<\(b.count) bytes>")
        case .tuple(let l), .list(let l), .set(let l): return .array(l.items.map { $0.json(depth: depth + 1) })
        case .dict(let d):
            return .object(d.entries.map { (key: $0.key.string ?? $0.key.int.map(String.init) ?? $0.key.kindName,
                                            value: $0.value.json(depth: depth + 1)) })
        case .global(let name): return .string(name)
        case .object(let o): return .string("<\(o.className)>")
        case .tensor(let t): return .string("<tensor \(t.shape)>")
        case .storage(let s): return .string("<storage \(s.key)>")
        }
    }
}
