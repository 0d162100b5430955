import SWSLCore

/// One module of a whole pickled model (`torch.save(model)`) or TorchScript archive: where it sits, its
/// class, and the constructor facts that decide what it computes but are not tensors (a convolution's
/// stride, padding, dilation and groups; a pool's kernel and stride). A bare state dict has none of this,
/// which is why two networks with the same tensors cannot be told apart from one.
public struct PickledModule: Sendable, Equatable {
    /// The attribute path from the pickled root (`layer3.0.conv2`; "" for the root), as the state dict's
    /// names start.
    public let path: String
    /// The dotted class name as the pickle gives it (`torch.nn.modules.conv.Conv2d`, TorchScript's
    /// `__torch__.torch.nn.modules.conv.Conv2d`).
    public let className: String
    /// Integer attributes read from the module's `__dict__` (TorchScript: from its class's code, as
    /// `ScriptCode` reads it): `stride`, `padding`, `dilation` (pairs), `groups`; a padding
    /// given as a string (`same`) is absent.
    public let attributes: [String: [Int]]
    /// Names of the direct children.
    public let children: [String]

    /// The class name without module path and TorchScript's prefix (`Conv2d`).
    public var shortClassName: String { String(className.split(separator: ".").last ?? Substring(className)) }
}

extension Checkpoint {
    /// The module tree of a whole pickled model or TorchScript module, depth first from its root; nil when
    /// the weights were a mapping of names to tensors (a bare state dict, safetensors, ONNX).
    public var pickledModules: [PickledModule]? {
        guard let object, let root = WeightsLocator.moduleRoot(object, wrapper: wrapper) else { return nil }
        return WeightsLocator.moduleTree(root, code: scriptCode)
    }
}

extension WeightsLocator {
    /// The object the weights were read from when it is a module: the root itself, or under `wrapper`.
    static func moduleRoot(_ root: PickleValue, wrapper: String?) -> PickleObject? {
        if case .object(let o) = root, isModule(o) || isScriptModule(o) { return o }
        guard let wrapper, let dict = root.dict else { return nil }
        var value: PickleValue? = nil
        for key in wrapper.split(separator: ".") {
            value = (value ?? root).dict?[String(key)]
        }
        if case .object(let o)? = value, isModule(o) || isScriptModule(o) { return o }
        if case .object(let o)? = dict[wrapper], isModule(o) || isScriptModule(o) { return o }
        return nil
    }

    /// Every module below `root` with its facts, depth first in child order; a module reached twice is listed once.
    static func moduleTree(_ root: PickleObject, code: [String: String] = [:]) -> [PickledModule] {
        var out: [PickledModule] = []
        var pending: [(String, PickleObject)] = [("", root)]
        var visited = Set<ObjectIdentifier>()
        while let (path, module) = pending.popLast(), out.count < 1 << 16 {
            guard visited.insert(ObjectIdentifier(module)).inserted else { continue }
            var children: [(String, PickleObject)] = []
            let entries = isModule(module) ? module.attribute("_modules")?.dict?.entries ?? [] : module.state.dict?.entries ?? []
            for (key, value) in entries {
                if let name = key.string, case .object(let child) = value, isModule(child) || isScriptModule(child) {
                    children.append((name, child))
                }
            }
            var attributes: [String: [Int]] = [:]
            if isScriptModule(module) {
                attributes = ScriptCode.convolutionAttributes(of: module.className, in: code)
            } else if isModule(module) {
                for key in ["stride", "padding", "dilation", "groups"] {
                    guard let value = module.attribute(key) else { continue }
                    if let n = value.int { attributes[key] = [Int(clamping: n)] }
                    else if let items = value.items, !items.isEmpty, items.count <= 4, items.allSatisfy({ $0.int != nil }) {
                        attributes[key] = items.map { Int(clamping: $0.int!) }
                    }
                }
            }
            out.append(PickledModule(path: path, className: module.className, attributes: attributes,
                                     children: children.map(\.0)))
            let prefix = path.isEmpty ? "" : path + "."
            pending += children.reversed().map { (prefix + $0.0, $0.1) }
        }
        return out
    }
}
