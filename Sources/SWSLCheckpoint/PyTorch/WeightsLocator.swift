import SWSLCore

/// Finds the weights inside an unpickled checkpoint object: a bare state dict, a training
/// checkpoint that wraps one (`state_dict`, `model`, EMA copies…), or a whole pickled `nn.Module`.
enum WeightsLocator {
    /// Wrapper keys in order of preference; EMA copies only when nothing else is there.
    static let wrapperKeys = [
        "state_dict", "model_state_dict", "model_state", "model", "net", "network", "weights", "params",
        "module", "student", "teacher", "state_dict_ema", "model_ema", "ema_state_dict", "ema", "shadow",
    ]

    /// Prefixes that wrapping code adds to every name: DataParallel, Lightning/wrappers, `torch.compile`.
    static let knownPrefixes = ["module.", "model.", "_orig_mod."]

    struct Found {
        let wrapper: String?
        let entries: [(String, TensorRef)]
        let prefix: String?
        /// Facts about where the weights were found (`module_class`, `wrapper_keys`).
        var facts: [(String, JSONValue)] = []
    }

    static func locate(_ root: PickleValue) throws(ReadError) -> Found {
        if let entries = tensorMapping(root) { return found(wrapper: nil, entries) }
        if case .object(let o) = root, isModule(o) {
            var f = found(wrapper: "nn.Module", try moduleStateDict(o))
            f.facts = [("module_class", .string(o.className))]
            return f
        }
        if case .object(let o) = root, isScriptModule(o) {
            var f = found(wrapper: "TorchScript module", try scriptModuleStateDict(o))
            f.facts = [("module_class", .string(o.className))]
            return f
        }
        guard let dict = root.dict else {
            throw .noWeights("the file holds a \(root.kindName), not a mapping of names to tensors")
        }
        var f = try locate(in: dict)
        f.facts.append(("wrapper_keys", .array(dict.entries.compactMap { $0.key.string.map(JSONValue.string) })))
        return f
    }

    private static func locate(in dict: PickleDict) throws(ReadError) -> Found {
        for key in wrapperKeys {
            guard let value = dict[key] else { continue }
            if let entries = tensorMapping(value) { return found(wrapper: key, entries) }
            if case .object(let o) = value, isModule(o) {
                var f = found(wrapper: key, try moduleStateDict(o))
                f.facts = [("module_class", .string(o.className))]
                return f
            }
            // One more level: {"model": {"state_dict": …}}.
            if let inner = value.dict {
                for innerKey in wrapperKeys {
                    if let v = inner[innerKey], let entries = tensorMapping(v) {
                        return found(wrapper: "\(key).\(innerKey)", entries)
                    }
                }
            }
        }
        let candidates = dict.entries.compactMap { entry -> String? in
            guard let k = entry.key.string, tensorMapping(entry.value) != nil else { return nil }
            return k
        }
        if candidates.count == 1, let key = candidates.first, let entries = dict[key].flatMap(tensorMapping) {
            return found(wrapper: key, entries)
        }
        if candidates.count > 1 {
            throw .noWeights("several entries hold tensors (\(candidates.joined(separator: ", "))); none is a known weights key")
        }
        let keys = dict.entries.prefix(12).map { $0.key.string ?? $0.key.kindName }.joined(separator: ", ")
        throw .noWeights("no entry holds a mapping of names to tensors (keys: \(keys))")
    }

    /// The entries of a dict whose values are all tensors under string keys, or nil.
    static func tensorMapping(_ value: PickleValue) -> [(String, TensorRef)]? {
        guard let dict = value.dict, dict.count > 0 else { return nil }
        var out: [(String, TensorRef)] = []
        out.reserveCapacity(dict.count)
        for entry in dict.entries {
            guard let name = entry.key.string, case .tensor(let t) = entry.value else { return nil }
            out.append((name, t))
        }
        return out
    }

    private static func found(wrapper: String?, _ entries: [(String, TensorRef)]) -> Found {
        Found(wrapper: wrapper, entries: entries, prefix: commonPrefix(entries.map(\.0)))
    }

    /// The known prefixes every name starts with, concatenated (`module.` or `module.model.`), or nil.
    static func commonPrefix(_ names: [String]) -> String? {
        var prefix = ""
        outer: while true {
            for p in knownPrefixes where names.allSatisfy({ $0.hasPrefix(prefix + p) }) {
                prefix += p
                continue outer
            }
            break
        }
        return prefix.isEmpty ? nil : prefix
    }

    static func isModule(_ o: PickleObject) -> Bool {
        o.attribute("_parameters")?.dict != nil && o.attribute("_modules")?.dict != nil
    }

    /// A module of a TorchScript archive: a `__torch__.` class whose state is its attribute dict.
    static func isScriptModule(_ o: PickleObject) -> Bool {
        o.className.hasPrefix("__torch__.") && o.state.dict != nil
    }

    /// The state dict of a TorchScript module: its tensor attributes (parameters and buffers) and,
    /// depth first in attribute order, those of its submodules, named by attribute path.
    static func scriptModuleStateDict(_ root: PickleObject) throws(ReadError) -> [(String, TensorRef)] {
        var out: [(String, TensorRef)] = []
        var pending: [(prefix: String, module: PickleObject, depth: Int)] = [("", root, 0)]
        var visited = Set<ObjectIdentifier>()
        while let (prefix, module, depth) = pending.popLast() {
            guard depth < 64 else { throw .noWeights("TorchScript modules nest deeper than 64 levels at '\(prefix)'") }
            // A module reached twice (shared, or a cycle a pickle can build with its memo) is read once.
            guard visited.insert(ObjectIdentifier(module)).inserted else { continue }
            var children: [(String, PickleObject, Int)] = []
            for (key, value) in module.state.dict?.entries ?? [] {
                guard let name = key.string else { continue }
                switch value {
                case .tensor(let t): out.append((prefix + name, t))
                case .object(let child) where isScriptModule(child): children.append((prefix + name + ".", child, depth + 1))
                default: break
                }
            }
            pending.append(contentsOf: children.reversed())
        }
        guard !out.isEmpty else { throw .noWeights("the TorchScript module \(root.className) has no tensors") }
        return out
    }

    /// What `module.state_dict()` returns: each module's parameters, then its persistent buffers,
    /// then its children's, depth first; `None` entries skipped.
    static func moduleStateDict(_ root: PickleObject) throws(ReadError) -> [(String, TensorRef)] {
        var out: [(String, TensorRef)] = []
        var pending: [(prefix: String, module: PickleObject)] = [("", root)]
        var visited = Set<ObjectIdentifier>()
        while let (prefix, module) = pending.popLast() {
            // A module reached twice (shared, or a cycle a pickle can build with its memo) is read once.
            guard visited.insert(ObjectIdentifier(module)).inserted else { continue }
            guard let params = module.attribute("_parameters")?.dict,
                  let children = module.attribute("_modules")?.dict
            else { throw .noWeights("module '\(prefix)' (\(module.className)) has no _parameters/_modules") }
            let buffers = module.attribute("_buffers")?.dict
            let transient = Set((module.attribute("_non_persistent_buffers_set")?.itemsOfSet ?? []).compactMap(\.string))
            for (key, value) in params.entries {
                if case .tensor(let t) = value, let name = key.string { out.append((prefix + name, t)) }
            }
            for (key, value) in buffers?.entries ?? [] {
                if case .tensor(let t) = value, let name = key.string, !transient.contains(name) {
                    out.append((prefix + name, t))
                }
            }
            var next: [(String, PickleObject)] = []
            for (key, value) in children.entries {
                guard let name = key.string else { continue }
                if case .object(let child) = value { next.append((prefix + name + ".", child)) }
            }
            pending.append(contentsOf: next.reversed())
        }
        guard !out.isEmpty else { throw .noWeights("the pickled \(root.className) has no parameters or buffers") }
        return out
    }
}

extension PickleValue {
    /// The members of a set (or list/tuple).
    var itemsOfSet: [PickleValue]? {
        switch self {
        case .set(let l), .list(let l), .tuple(let l): l.items
        default: nil
        }
    }
}
