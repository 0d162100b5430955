import SWSLCore

/// The globals a checkpoint pickle may name. A name outside this list is refused the moment a
/// `GLOBAL`, `STACK_GLOBAL` or `INST` opcode pushes it, before anything could try to call it.
///
/// Three kinds of names are admitted:
/// - data constructors that `PickleConstructors` interprets (`_rebuild_tensor_v2`, `OrderedDict`, …);
/// - plain values (storage types, dtypes, layouts) that are only ever compared, never called;
/// - classes of whole pickled `nn.Module`s (and TorchScript modules) and of small records training scripts save
///   (`argparse.Namespace`), which become inert `PickleObject`s: their code is never imported.
enum PickleAllowList {
    /// Callables interpreted as data constructors.
    static let constructors: Set<String> = Set<String>([
        "collections.OrderedDict", "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset",
        "builtins.bytearray", "__builtin__.bytearray", "_codecs.encode", "builtins.slice", "builtins.complex",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_from_type_v2",
        "torch.nn.parameter.Parameter", "torch.Size", "torch.device",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.dtype", "copyreg._reconstructor", "copy_reg._reconstructor",
    ]).union(torchScriptConstructors)

    /// The data constructors of TorchScript archives (`torch.jit._pickle`): in Python each returns
    /// its first argument (a list, or a value whose static type `restore_type_tag` names), and
    /// `build_tensor_from_id` an integer id.
    static let torchScriptConstructors: Set<String> = [
        "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist",
        "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag",
    ]

    /// Classes whose instances are recorded as inert objects (class name, arguments, state).
    static let recordClasses: Set<String> = [
        "argparse.Namespace", "numpy.ndarray", "collections.deque", "collections.defaultdict",
        "datetime.datetime", "datetime.date", "datetime.timedelta", "builtins.object", "__builtin__.object",
        "torch.nn.parameter.Parameter", "torch.Tensor",
    ]

    /// Module paths whose classes may appear in a whole pickled model (`torch.save(model)`), and
    /// `__torch__.`, the namespace of the compiled classes a TorchScript archive (`torch.jit.save`)
    /// pickles its modules as. Their code (the archive's `code/` folder) is read as text only, for convolution
    /// attributes (`ScriptCode`), never run.
    static let moduleNamespaces = [
        "torch.nn.modules.", "torchvision.models.", "timm.models.", "timm.layers.", "__torch__.",
    ]

    /// Names that are values only: compared, never called.
    static let values: Set<String> = {
        var names: Set<String> = ["torch.strided", "torch.sparse_coo", "torch.contiguous_format",
                                  "torch.channels_last", "torch.preserve_format", "builtins.object",
                                  "torch.storage.UntypedStorage", "torch.UntypedStorage", "torch.Tensor",
                                  "numpy.ndarray", "builtins.float", "builtins.int", "builtins.str",
                                  "builtins.bool"]
        for name in storageTypes.keys {
            names.insert(name)
            // Tensor types named by the tar format (`torch.FloatTensor`, `torch.cuda.FloatTensor`).
            names.insert(String(name.dropLast("Storage".count)) + "Tensor")
        }
        for dtype in DType.allCases { names.insert("torch.\(dtype.rawValue)") }
        for alias in ["float", "double", "half", "long", "int", "short", "uint8", "bool"] { names.insert("torch.\(alias)") }
        return names
    }()

    /// Storage types and the element type of their data.
    static let storageTypes: [String: DType] = [
        "torch.FloatStorage": .float32, "torch.DoubleStorage": .float64, "torch.HalfStorage": .float16,
        "torch.BFloat16Storage": .bfloat16, "torch.LongStorage": .int64, "torch.IntStorage": .int32,
        "torch.ShortStorage": .int16, "torch.CharStorage": .int8, "torch.ByteStorage": .uint8,
        "torch.BoolStorage": .bool, "torch.UntypedStorage": .uint8, "torch.storage.UntypedStorage": .uint8,
        "torch.cuda.FloatStorage": .float32, "torch.cuda.DoubleStorage": .float64, "torch.cuda.HalfStorage": .float16,
        "torch.cuda.LongStorage": .int64, "torch.cuda.IntStorage": .int32, "torch.cuda.ByteStorage": .uint8,
        "torch.cuda.BFloat16Storage": .bfloat16, "torch.cuda.BoolStorage": .bool,
        "torch.cuda.CharStorage": .int8, "torch.cuda.ShortStorage": .int16,
    ]

    /// The element type a `torch.<dtype>` global stands for.
    static func dtype(named name: String) -> DType? {
        guard name.hasPrefix("torch.") else { return nil }
        let short = String(name.dropFirst(6))
        if let d = DType(rawValue: short) { return d }
        return ["float": .float32, "double": .float64, "half": .float16, "long": .int64, "int": .int32,
                "short": .int16][short]
    }

    /// True for an admitted class of a pickled module, given as its full dotted name.
    static func isModuleClass(_ fullName: String) -> Bool {
        guard let dot = fullName.lastIndex(of: ".") else { return false }
        return isModuleClass(module: Substring(fullName[..<dot]), name: fullName[fullName.index(after: dot)...])
    }

    /// A class of a pickled module: a module path inside one of `moduleNamespaces`, and a class
    /// name: an identifier starting with a capital letter, as every class of torch.nn, torchvision
    /// and timm is named. Lower-case names there are functions or imported modules (`os`, `load`,
    /// `create_model`), which a pickle could otherwise reach through an admitted namespace.
    static func isModuleClass(module: Substring, name: Substring) -> Bool {
        guard let first = name.utf8.first, (0x41...0x5A).contains(first), isIdentifier(name) else { return false }
        let path = module + "."
        return moduleNamespaces.contains { path.hasPrefix($0) }
    }

    /// Returns `module.name` if it is admitted, else throws `forbiddenGlobal`.
    ///
    /// Module and name are matched exactly: the module must be a dotted path of identifiers and the
    /// name one identifier, and `module.name` must be listed (or be a module class). Protocol 4
    /// lets a name be dotted, and Python then resolves it attribute by attribute
    /// (`('timm.models._hub', 'os.system')` is `os.system`), so a dotted name is admitted only when
    /// every step of it is itself an admitted class (a nested class); never by prefix.
    static func admit(module: String, name: String, offset: Int) throws(ReadError) -> String {
        let full = "\(module).\(name)"
        let moduleParts = module.split(separator: ".", omittingEmptySubsequences: false)
        let nameParts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard moduleParts.allSatisfy(isIdentifier), nameParts.allSatisfy(isIdentifier) else {
            throw .forbiddenGlobal(name: full, offset: offset, use: "module '\(module)' and name '\(name)' are not Python identifiers")
        }
        if nameParts.count == 1 {
            if constructors.contains(full) || recordClasses.contains(full) || values.contains(full)
                || isModuleClass(module: Substring(module), name: Substring(name)) {
                return full
            }
            throw .forbiddenGlobal(name: full, offset: offset, use: "named by the pickle")
        }
        var owner = Substring(module)
        for part in nameParts {
            guard isModuleClass(module: owner, name: part) else {
                throw .forbiddenGlobal(
                    name: full, offset: offset,
                    use: "the dotted name '\(name)' in module '\(module)' resolves attribute by attribute, and its step '\(owner).\(part)' is not an allowed class")
            }
            owner = Substring(owner + "." + part)
        }
        return full
    }

    /// A Python identifier (ASCII letters, digits and `_`, not starting with a digit). Names outside
    /// ASCII never occur in the modules admitted here.
    static func isIdentifier(_ part: Substring) -> Bool {
        guard let first = part.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return part.utf8.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
