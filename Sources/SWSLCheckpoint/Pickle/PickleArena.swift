/// Keeps every compound value a pickle machine makes, so that:
/// - the depth of a result can be checked without recursion (and cycles found), and
/// - a rejected result can be taken apart iteratively, so releasing a hostile, deeply nested
///   structure never recurses through thousands of `deinit`s.
struct PickleArena {
    private var lists: [PickleList] = []
    private var dicts: [PickleDict] = []
    private var objects: [PickleObject] = []

    mutating func list(_ items: [PickleValue]) -> PickleList {
        let l = PickleList(items)
        lists.append(l)
        return l
    }

    mutating func dict() -> PickleDict {
        let d = PickleDict()
        dicts.append(d)
        return d
    }

    mutating func object(className: String, arguments: [PickleValue]) -> PickleObject {
        let o = PickleObject(className: className, arguments: arguments)
        objects.append(o)
        return o
    }

    /// Empties every compound value so that none holds another.
    mutating func dismantle() {
        for l in lists { l.items.removeAll() }
        for d in dicts { d.removeAll() }
        for o in objects {
            o.arguments.removeAll()
            o.state = .none
        }
        lists.removeAll()
        dicts.removeAll()
        objects.removeAll()
    }

    /// Throws when `root` nests deeper than `limit` or contains a cycle.
    func checkDepth(of root: PickleValue, limit: Int, offset: Int) throws(ReadError) {
        // Iterative post-order walk computing each node's height; shared nodes are measured once.
        var height: [ObjectIdentifier: Int] = [:]
        var onPath: Set<ObjectIdentifier> = []
        var stack: [(children: [PickleValue], id: ObjectIdentifier?, next: Int, tallest: Int)] =
            [(PickleArena.children(of: root), nil, 0, 0)]
        while let top = stack.last {
            if top.next < top.children.count {
                stack[stack.count - 1].next += 1
                let child = top.children[top.next]
                guard let cid = PickleArena.identity(of: child) else { continue }
                if let h = height[cid] {
                    stack[stack.count - 1].tallest = max(top.tallest, h)
                    continue
                }
                if onPath.contains(cid) { throw .pickle(offset: offset, "the pickled object contains a cycle") }
                guard stack.count < limit else {
                    throw .pickle(offset: offset, "the pickled object nests deeper than \(limit) levels")
                }
                onPath.insert(cid)
                stack.append((PickleArena.children(of: child), cid, 0, 0))
            } else {
                stack.removeLast()
                let h = top.tallest + 1
                guard h <= limit else {
                    throw .pickle(offset: offset, "the pickled object nests deeper than \(limit) levels")
                }
                if let id = top.id {
                    onPath.remove(id)
                    height[id] = h
                }
                if !stack.isEmpty { stack[stack.count - 1].tallest = max(stack[stack.count - 1].tallest, h) }
            }
        }
    }

    private static func identity(of value: PickleValue) -> ObjectIdentifier? {
        switch value {
        case .tuple(let l), .list(let l), .set(let l): ObjectIdentifier(l)
        case .dict(let d): ObjectIdentifier(d)
        case .object(let o): ObjectIdentifier(o)
        default: nil
        }
    }

    private static func children(of value: PickleValue) -> [PickleValue] {
        switch value {
        case .tuple(let l), .list(let l), .set(let l): l.items
        case .dict(let d): d.entries.flatMap { [$0.key, $0.value] } + d.attributes.map(\.1)
        case .object(let o): o.arguments + [o.state]
        default: []
        }
    }
}
