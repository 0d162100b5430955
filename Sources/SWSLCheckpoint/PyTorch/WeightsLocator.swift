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
        if case .object(let o) = root, let f = try module(o, wrapper: nil) { return f }
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
            if case .object(let o) = value, let f = try module(o, wrapper: key) { return f }
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

    /// The weights of a whole pickled `nn.Module` or a TorchScript module, nil for other objects.
    /// `wrapper`: the key it was found under (nil at the top, which names the module kind instead).
    private static func module(_ o: PickleObject, wrapper: String?) throws(ReadError) -> Found? {
        var f: Found
        if isModule(o) {
            f = found(wrapper: wrapper ?? "nn.Module", try moduleStateDict(o))
        } else if isScriptModule(o) {
            f = found(wrapper: wrapper ?? "TorchScript module", try scriptModuleStateDict(o))
        } else {
            return nil
        }
        f.facts = [("module_class", .string(o.className))]
        return f
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
        let out = try collect(from: root) { (module, _) throws(ReadError) in
            var tensors: [(String, TensorRef)] = [], children: [(String, PickleObject)] = []
            for (key, value) in module.state.dict?.entries ?? [] {
                guard let name = key.string else { continue }
                switch value {
                case .tensor(let t): tensors.append((name, t))
                case .object(let child) where isScriptModule(child): children.append((name, child))
                default: break
                }
            }
            return (tensors, children)
        }
        guard !out.isEmpty else { throw .noWeights("the TorchScript module \(root.className) has no tensors") }
        return out
    }

    /// What `module.state_dict()` returns: each module's parameters, then its persistent buffers,
    /// then its children's, depth first; `None` entries skipped.
    static func moduleStateDict(_ root: PickleObject) throws(ReadError) -> [(String, TensorRef)] {
        let out = try collect(from: root) { (module, prefix) throws(ReadError) in
            guard let params = module.attribute("_parameters")?.dict,
                  let children = module.attribute("_modules")?.dict
            else { throw .noWeights("module '\(prefix)' (\(module.className)) has no _parameters/_modules") }
            let transient = Set((module.attribute("_non_persistent_buffers_set")?.itemsOfSet ?? []).compactMap(\.string))
            var tensors: [(String, TensorRef)] = []
            for (key, value) in params.entries {
                if case .tensor(let t) = value, let name = key.string { tensors.append((name, t)) }
            }
            for (key, value) in module.attribute("_buffers")?.dict?.entries ?? [] {
                if case .tensor(let t) = value, let name = key.string, !transient.contains(name) { tensors.append((name, t)) }
            }
            let modules = children.entries.compactMap { entry -> (String, PickleObject)? in
                guard let name = entry.key.string, case .object(let child) = entry.value else { return nil }
                return (name, child)
            }
            return (tensors, modules)
        }
        guard !out.isEmpty else { throw .noWeights("the pickled \(root.className) has no parameters or buffers") }
        return out
    }

    /// Walks a module tree depth first from `root`: `read(module, its prefix)` gives the module's own
    /// tensors and its children, in order; names are joined with dots. A module reached twice is read
    /// once: a pickle can share one object along many paths (cycles and depth the machine refuses).
    private static func collect(
        from root: PickleObject,
        _ read: (PickleObject, String) throws(ReadError) -> (tensors: [(String, TensorRef)], children: [(String, PickleObject)])
    ) throws(ReadError) -> [(String, TensorRef)] {
        var out: [(String, TensorRef)] = []
        var pending: [(prefix: String, module: PickleObject)] = [("", root)]
        var visited = Set<ObjectIdentifier>()
        while let (prefix, module) = pending.popLast() {
            guard visited.insert(ObjectIdentifier(module)).inserted else { continue }
            let (tensors, children) = try read(module, prefix)
            out += tensors.map { (prefix + $0.0, $0.1) }
            pending += children.reversed().map { (prefix + $0.0 + ".", $0.1) }
        }
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
