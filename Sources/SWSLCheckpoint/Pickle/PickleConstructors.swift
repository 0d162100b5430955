import SWSLCore

/// Interprets the calls a checkpoint pickle makes. Each admitted constructor is re-implemented here
/// as data manipulation; no name is ever looked up in a running Python.
enum PickleConstructors {
    /// `REDUCE`: `callee(*args)`.
    static func call(
        _ callee: PickleValue, _ args: [PickleValue], use: String, offset: Int, arena: inout PickleArena
    ) throws(ReadError) -> PickleValue {
        guard case .global(let name) = callee else {
            throw .pickle(offset: offset, "\(use) calls a \(callee.kindName), not a global")
        }
        guard PickleAllowList.constructors.contains(name) else {
            if PickleAllowList.recordClasses.contains(name) {
                return .object(arena.object(className: name, arguments: args))
            }
            if PickleAllowList.isModuleClass(name) {
                // Python would call the class (running its constructor); pickled modules are
                // rebuilt with NEWOBJ or copyreg._reconstructor, which only allocate.
                throw .forbiddenGlobal(name: name, offset: offset,
                                       use: "called by \(use); a pickled module is allocated with NEWOBJ, never called")
            }
            throw .forbiddenGlobal(name: name, offset: offset, use: "called by \(use)")
        }
        func fail(_ why: String) -> ReadError { .pickle(offset: offset, "\(name)\(describe(args)): \(why)") }

        switch name {
        case "collections.OrderedDict":
            let d = arena.dict()
            if let pairs = args.first?.items {
                for pair in pairs {
                    guard let kv = pair.items, kv.count == 2 else { throw fail("items must be (key, value) pairs") }
                    d.set(kv[0], kv[1])
                }
            }
            return .dict(d)
        case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset":
            return .set(arena.list(args.first?.items ?? []))
        case "builtins.bytearray", "__builtin__.bytearray":
            if case .bytes(let b)? = args.first { return .bytes(b) }
            return .bytes([])
        case "_codecs.encode":
            guard let text = args.first?.string else { throw fail("expects a string") }
            var out: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw fail("character beyond latin-1") }
                out.append(UInt8(scalar.value))
            }
            return .bytes(out)
        case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3":
            return .tensor(try rebuildTensor(args, fail: fail))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
             "torch.nn.parameter.Parameter":
            guard case .tensor(let t)? = args.first else { throw fail("expects a tensor") }
            if args.count > 1, let grad = args[1].int { t.requiresGrad = grad != 0 }
            return .tensor(t)
        case "torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_from_type_v2":
            // (func, new_type, args, state): only plain tensors and parameters are admitted.
            guard args.count >= 3, let inner = args[2].items else { throw fail("expects (func, type, args, state)") }
            guard case .global(let type) = args[1], ["torch.Tensor", "torch.nn.parameter.Parameter"].contains(type) else {
                throw fail("tensor subclass \(args[1].kindName) is refused")
            }
            return try call(args[0], inner, use: use, offset: offset, arena: &arena)
        case "torch.Size":
            guard let dims = args.first?.items else { throw fail("expects a tuple") }
            return .tuple(arena.list(dims))
        case "torch.device":
            guard let kind = args.first?.string else { throw fail("expects a device name") }
            return .string(args.count > 1 ? "\(kind):\(args[1].int ?? 0)" : kind)
        case _ where PickleAllowList.torchScriptConstructors.contains(name):
            // `build_intlist(list)`, `restore_type_tag(value, "Dict[str, Tensor]")`: the value itself.
            guard let value = args.first else { throw fail("expects a value") }
            if name.hasSuffix("build_tensor_from_id") {
                guard let id = value.int else { throw fail("expects an integer id, got \(value.kindName)") }
                return .int(id)
            }
            if !name.hasSuffix("restore_type_tag") && value.items == nil {
                throw fail("expects a list, got \(value.kindName)")
            }
            return value
        case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar":
            return try NumpyScalar.decode(args, fail: fail)
        default:
            // Records: numpy.dtype, numpy ndarray reconstruction, copyreg._reconstructor, slice, complex.
            if name.hasSuffix("_reconstructor") {
                guard case .global(let cls)? = args.first else { throw fail("expects a class") }
                guard PickleAllowList.recordClasses.contains(cls) || PickleAllowList.isModuleClass(cls) else {
                    throw .forbiddenGlobal(name: cls, offset: offset, use: "instantiated by \(name)")
                }
                return .object(arena.object(className: cls, arguments: []))
            }
            let className = name.hasSuffix("_reconstruct") ? "numpy.ndarray" : name
            return .object(arena.object(className: className, arguments: args))
        }
    }

    /// `NEWOBJ`, `NEWOBJ_EX`, `INST`, `OBJ`: `cls.__new__(cls, *args)`. Only record classes and the
    /// classes of pickled modules are admitted; they become inert `PickleObject`s.
    static func instantiate(
        _ cls: PickleValue, _ args: [PickleValue], use: String, offset: Int, arena: inout PickleArena
    ) throws(ReadError) -> PickleValue {
        guard case .global(let name) = cls else {
            throw .pickle(offset: offset, "\(use) instantiates a \(cls.kindName), not a class")
        }
        if name == "collections.OrderedDict" { return .dict(arena.dict()) }
        if PickleAllowList.constructors.contains(name) {
            return try call(cls, args, use: use, offset: offset, arena: &arena)
        }
        guard PickleAllowList.recordClasses.contains(name) || PickleAllowList.isModuleClass(name) else {
            throw .forbiddenGlobal(name: name, offset: offset, use: "instantiated by \(use)")
        }
        return .object(arena.object(className: name, arguments: args))
    }

    /// `BUILD`: gives an object its state. Inert objects keep it; dicts keep it as attributes.
    static func build(_ target: PickleValue, state: PickleValue, offset: Int) throws(ReadError) {
        switch target {
        case .object(let o):
            o.state = state
        case .dict(let d):
            // OrderedDict's instance attributes, e.g. a state_dict's `_metadata`.
            let attrs = state.dict ?? state.items?.first?.dict
            for (key, value) in attrs?.entries ?? [] {
                if let k = key.string { d.attributes.append((k, value)) }
            }
        case .tensor:
            break  // a tensor's Python-side state (hooks, attributes) carries no data we need
        default:
            throw .pickle(offset: offset, "BUILD on \(target.kindName) is refused")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...)`.
    private static func rebuildTensor(
        _ args: [PickleValue], fail: (String) -> ReadError
    ) throws(ReadError) -> TensorRef {
        guard args.count >= 4, case .storage(var storage) = args[0] else {
            throw fail("expects (storage, offset, size, stride, ...)")
        }
        guard let offset = args[1].int, let size = args[2].items, let stride = args[3].items else {
            throw fail("offset, size and stride must be an int and two tuples")
        }
        func ints(_ values: [PickleValue]) throws(ReadError) -> [Int] {
            var out: [Int] = []
            for v in values {
                guard let i = v.int else { throw fail("size and stride must be integers") }
                out.append(Int(i))
            }
            return out
        }
        // _rebuild_tensor_v3 passes the dtype separately for untyped storages.
        if args.count >= 7, case .global(let dtypeName) = args[6], let dtype = PickleAllowList.dtype(named: dtypeName) {
            storage = StorageRef(key: storage.key, dtype: dtype, elementCount: nil, viewOf: storage.viewOf)
        }
        let requiresGrad = args.count > 4 ? (args[4].int ?? 0) != 0 : false
        return TensorRef(storage: storage, storageOffset: Int(offset), shape: try ints(size),
                         strides: try ints(stride), requiresGrad: requiresGrad)
    }

    static func describe(_ args: [PickleValue]) -> String {
        "(" + args.prefix(4).map(\.kindName).joined(separator: ", ") + (args.count > 4 ? ", …" : "") + ")"
    }
}
