import SWSLCore

/// A value built by the pickle machine. Pickles are data here: nothing is ever called or imported.
/// Compound values are reference types (`PickleList`, `PickleDict`, `PickleObject`) because the
/// pickle memo lets one value be shared and mutated after it is stored.
public enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer too large for 64 bits, as little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleList)
    case list(PickleList)
    case set(PickleList)
    case dict(PickleDict)
    /// A global name (`module.qualname`) used as a value, e.g. a storage type or `torch.float32`.
    case global(String)
    /// An instance of a class we never import: its class name, constructor arguments and state.
    case object(PickleObject)
    /// A tensor view; its bytes are resolved once the storages are known.
    case tensor(TensorRef)
    /// A storage named by a persistent id.
    case storage(StorageRef)

    /// The string, when this is one.
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The bytes of a byte string; a Python 2 `str` read as text (valid UTF-8) gives its UTF-8 bytes
    /// back, exactly the bytes the pickle held.
    public var byteString: [UInt8]? {
        switch self {
        case .bytes(let b): b
        case .string(let s): Array(s.utf8)
        default: nil
        }
    }
    /// The integer, when this is one (bools count).
    public var int: Int64? {
        switch self {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
    /// The items of a tuple or list.
    public var items: [PickleValue]? {
        switch self {
        case .tuple(let l), .list(let l): l.items
        default: nil
        }
    }
    /// The dictionary, when this is one.
    public var dict: PickleDict? { if case .dict(let d) = self { d } else { nil } }

    /// A short description of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .set: "set"
        case .dict: "dict"
        case .global(let name): "global \(name)"
        case .object(let o): "object of \(o.className)"
        case .tensor: "tensor"
        case .storage: "storage"
        }
    }
}

/// A list, tuple or set (shared, mutable while unpickling).
public final class PickleList: @unchecked Sendable {
    /// The elements in pickle order; grows while unpickling (`APPEND`, `APPENDS`, `ADDITEMS`) and is
    /// emptied if unpickling fails.
    public internal(set) var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// An ordered dictionary (Python dicts keep insertion order). Keys are any hashable pickle value;
/// string and integer keys are indexed.
public final class PickleDict: @unchecked Sendable {
    /// Key–value pairs in insertion order; setting an equal string, integer or bool key again replaces
    /// its value in place, other keys are appended.
    public internal(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var index: [Key: Int] = [:]
    /// Attributes set on the dict object itself (an `OrderedDict`'s `_metadata`).
    public internal(set) var attributes: [(String, PickleValue)] = []

    private enum Key: Hashable {
        case string(String)
        case int(Int64)
        case other(ObjectIdentifier?)
    }

    init() {}

    private static func key(_ value: PickleValue) -> Key? {
        switch value {
        case .string(let s): .string(s)
        case .int(let i): .int(i)
        case .bool(let b): .int(b ? 1 : 0)
        default: nil
        }
    }

    /// Sets `value` for `key`, replacing an earlier entry with an equal key.
    func set(_ key: PickleValue, _ value: PickleValue) {
        if let k = PickleDict.key(key) {
            if let i = index[k] {
                entries[i].value = value
                return
            }
            index[k] = entries.count
        }
        entries.append((key, value))
    }

    /// The value stored under a string key.
    public subscript(key: String) -> PickleValue? {
        index[.string(key)].map { entries[$0].value }
    }

    /// Number of entries (keys other than strings, integers and bools are never merged, so may repeat).
    public var count: Int { entries.count }

    /// Removes every entry (used to dismantle deep structures iteratively).
    func removeAll() {
        entries.removeAll()
        index.removeAll()
        attributes.removeAll()
    }
}

/// An instance of a class that is never imported: the pickle said "make one of these from these
/// arguments, then give it this state", and we record exactly that.
public final class PickleObject: @unchecked Sendable {
    /// The dotted Python name of the class (`module.qualname`); the class itself is never imported.
    public let className: String
    /// The arguments the pickle passed to the constructor or `__new__`; empty for `copyreg._reconstructor`.
    public internal(set) var arguments: [PickleValue]
    /// What `BUILD` handed over (normally the instance `__dict__`), or `.none`.
    public internal(set) var state: PickleValue = .none

    init(className: String, arguments: [PickleValue]) {
        self.className = className
        self.arguments = arguments
    }

    /// The instance `__dict__` entry `name`, when the state is a dict (or a `(dict, slots)` pair).
    public func attribute(_ name: String) -> PickleValue? {
        if let d = state.dict { return d[name] }
        if let parts = state.items, let d = parts.first?.dict { return d[name] }
        return nil
    }
}

/// A storage named by a persistent id: its key, element type and size; the bytes come from the container.
public struct StorageRef: Sendable {
    /// The storage's key in its container (zip: the member `<prefix>/data/<key>`; legacy and tar: the storage id).
    public let key: String
    /// Element type, from the storage class (`torch.FloatStorage`) or the dtype `_rebuild_tensor_v3` passes.
    public let dtype: DType
    /// Declared number of elements (nil when the container does not say, as in zip files of old torch).
    public let elementCount: Int?
    /// Legacy view storages: (root key, offset in elements) — torch < 1.0 could save storage views.
    public let viewOf: (key: String, offset: Int)?
}

/// A tensor view of a storage, as `_rebuild_tensor_v2` describes it; resolved after unpickling.
public final class TensorRef: @unchecked Sendable {
    /// The storage whose elements this tensor views.
    public let storage: StorageRef
    /// Index of the tensor's first element in the storage, counted in elements, not bytes.
    public let storageOffset: Int
    /// Size of each dimension, outermost first.
    public let shape: [Int]
    /// Distance between neighbours along each dimension, in elements (PyTorch's `stride()`); any
    /// non-contiguous view is copied when the tensor is resolved.
    public let strides: [Int]
    /// The pickled `requires_grad` flag (usually true for parameters); recorded only, the readers do not use it.
    public internal(set) var requiresGrad: Bool
    /// The materialised tensor, once the reader has the storage bytes.
    public internal(set) var resolved: Tensor?

    init(storage: StorageRef, storageOffset: Int, shape: [Int], strides: [Int], requiresGrad: Bool) {
        self.storage = storage
        self.storageOffset = storageOffset
        self.shape = shape
        self.strides = strides
        self.requiresGrad = requiresGrad
    }
}
