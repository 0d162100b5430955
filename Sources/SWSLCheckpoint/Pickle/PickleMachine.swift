import SWSLCore

/// A restricted pickle interpreter: a stack machine that builds `PickleValue`s.
///
/// Nothing a pickle names is ever imported or executed. `GLOBAL`/`STACK_GLOBAL` names are checked
/// against `PickleAllowList` when they are pushed; calls (`REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `INST`,
/// `OBJ`) are interpreted by `PickleConstructors` for the few data constructors checkpoints use,
/// and everything else is refused with the global's name and the opcode's offset.
struct PickleMachine {
    /// Maps a persistent id (`PERSID`/`BINPERSID`) to a value, or throws. `offset` is the opcode's.
    typealias PersistentLoad = (_ id: PickleValue, _ offset: Int) throws(ReadError) -> PickleValue

    /// Deepest nesting of containers accepted in a result.
    static let maxDepth = 256

    private var reader: ByteReader
    private let persistentLoad: PersistentLoad
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [UInt32: PickleValue] = [:]
    /// Every compound value made, so a failed or rejected result can be dismantled without recursion.
    private var arena = PickleArena()

    /// The machine reads one pickle from `bytes`; `baseOffset` is where `bytes` start in the file.
    init(bytes: UnsafeRawBufferPointer, baseOffset: Int = 0, persistentLoad: @escaping PersistentLoad) {
        self.reader = ByteReader(bytes, baseOffset: baseOffset)
        self.persistentLoad = persistentLoad
    }

    /// Offset (relative to `bytes`) just past the `STOP` opcode, once `run()` returned.
    var endOffset: Int { reader.offset }

    /// Runs until `STOP` and returns the value on top of the stack.
    mutating func run() throws(ReadError) -> PickleValue {
        do {
            let result = try interpret()
            try arena.checkDepth(of: result, limit: PickleMachine.maxDepth, offset: reader.fileOffset)
            return result
        } catch {
            stack.removeAll()
            memo.removeAll()
            arena.dismantle()
            throw error
        }
    }

    private mutating func interpret() throws(ReadError) -> PickleValue {
        while true {
            let at = reader.fileOffset
            let byte = try read { r throws(ByteReaderError) in try r.readUInt8() }
            guard let op = PickleOpcode(rawValue: byte) else {
                throw .pickle(offset: at, "unknown opcode 0x\(String(byte, radix: 16))")
            }
            if op == .stop {
                guard stack.count == 1, marks.isEmpty else {
                    throw .pickle(offset: at, "STOP with \(stack.count) values and \(marks.count) marks on the stack")
                }
                return stack.removeLast()
            }
            try execute(op, at: at)
        }
    }

    // MARK: - Reading operands

    private mutating func read<T>(_ body: (inout ByteReader) throws(ByteReaderError) -> T) throws(ReadError) -> T {
        do { return try body(&reader) } catch { throw .truncated(context: "pickle", error) }
    }

    private mutating func readLength(_ width: Int, at: Int) throws(ReadError) -> Int {
        let length: UInt64 = try read { r throws(ByteReaderError) in
            switch width {
            case 1: UInt64(try r.readUInt8())
            case 4: UInt64(try r.readLE(UInt32.self))
            default: try r.readLE(UInt64.self)
            }
        }
        guard length <= UInt64(reader.remaining) else {
            throw .tooLarge(where: "pickle offset \(at)", "declares \(length) bytes, only \(reader.remaining) remain")
        }
        return Int(length)
    }

    private mutating func readData(_ width: Int, at: Int) throws(ReadError) -> UnsafeRawBufferPointer {
        let n = try readLength(width, at: at)
        return try read { r throws(ByteReaderError) in try r.readSlice(n) }
    }

    private mutating func readUTF8(_ width: Int, at: Int) throws(ReadError) -> String {
        let data = try readData(width, at: at)
        guard let s = String(validating: data, as: UTF8.self) else {
            throw .pickle(offset: at, "string is not valid UTF-8")
        }
        return s
    }

    private mutating func readLine(at: Int) throws(ReadError) -> String {
        let line = try read { r throws(ByteReaderError) in try r.readLine() }
        return String(decoding: line, as: UTF8.self)
    }

    // MARK: - Stack

    private mutating func pop(at: Int) throws(ReadError) -> PickleValue {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw .pickle(offset: at, "stack underflow")
        }
        stack.removeLast()
        return top
    }

    private func peek(at: Int) throws(ReadError) -> PickleValue {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw .pickle(offset: at, "stack underflow")
        }
        return top
    }

    /// Pops everything above the last mark, and the mark.
    private mutating func popToMark(at: Int) throws(ReadError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw .pickle(offset: at, "no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func push(_ value: PickleValue) { stack.append(value) }

    private mutating func makeList(_ items: [PickleValue]) -> PickleList { arena.list(items) }

    // MARK: - Opcodes

    private mutating func execute(_ op: PickleOpcode, at: Int) throws(ReadError) {
        switch op {
        case .proto:
            let version = try read { r throws(ByteReaderError) in try r.readUInt8() }
            guard version <= 5 else { throw .pickle(offset: at, "unsupported pickle protocol \(version)") }
        case .frame:
            _ = try readLength(8, at: at)  // frames only group opcodes; the length is checked, not needed
        case .mark: marks.append(stack.count)
        case .pop:
            if stack.count == (marks.last ?? -1) { marks.removeLast() } else { _ = try pop(at: at) }
        case .popMark: _ = try popToMark(at: at)
        case .dup: push(try peek(at: at))
        case .none: push(.none)
        case .newTrue: push(.bool(true))
        case .newFalse: push(.bool(false))
        case .binInt: push(.int(Int64(try read { r throws(ByteReaderError) in try r.readLE(Int32.self) })))
        case .binInt1: push(.int(Int64(try read { r throws(ByteReaderError) in try r.readUInt8() })))
        case .binInt2: push(.int(Int64(try read { r throws(ByteReaderError) in try r.readLE(UInt16.self) })))
        case .long1, .long4: push(PickleText.long(Array(try readData(op == .long1 ? 1 : 4, at: at))))
        case .int: push(try PickleText.int(try readLine(at: at), at: at))
        case .long: push(try PickleText.longText(try readLine(at: at), at: at))
        case .float:
            let line = try readLine(at: at)
            guard let d = Double(line) else { throw .pickle(offset: at, "bad FLOAT '\(line.prefix(40))'") }
            push(.float(d))
        case .binFloat:
            push(.float(Double(bitPattern: try read { r throws(ByteReaderError) in try r.readBE(UInt64.self) })))
        case .binUnicode: push(.string(try readUTF8(4, at: at)))
        case .shortBinUnicode: push(.string(try readUTF8(1, at: at)))
        case .binUnicode8: push(.string(try readUTF8(8, at: at)))
        case .unicode: push(.string(try PickleText.rawUnicodeEscape(try readLine(at: at), at: at)))
        // Python 2's `str`, which its pickles (and so pre-2019 checkpoints) use for every key and
        // name. `torch.load` decodes them as UTF-8 (its default `encoding`). Bytes that are not UTF-8
        // stay bytes, where torch.load would fail: more lenient than torch, and the bytes are kept as
        // they were (binary data in a Python 2 `str`, a numpy scalar's value, reads back exactly).
        case .string: push(PickleText.python2String(try PickleText.quotedString(try readLine(at: at), at: at)))
        case .binString: push(PickleText.python2String(Array(try readData(4, at: at))))
        case .shortBinString: push(PickleText.python2String(Array(try readData(1, at: at))))
        case .binBytes: push(.bytes(Array(try readData(4, at: at))))
        case .shortBinBytes: push(.bytes(Array(try readData(1, at: at))))
        case .binBytes8, .byteArray8: push(.bytes(Array(try readData(8, at: at))))
        case .nextBuffer, .readonlyBuffer:
            throw .pickle(offset: at, "out-of-band buffers are not supported")
        case .emptyTuple: push(.tuple(makeList([])))
        case .tuple: push(.tuple(makeList(try popToMark(at: at))))
        case .tuple1, .tuple2, .tuple3:
            let n = Int(op.rawValue - PickleOpcode.tuple1.rawValue) + 1
            var items: [PickleValue] = []
            for _ in 0..<n { items.insert(try pop(at: at), at: 0) }
            push(.tuple(makeList(items)))
        case .emptyList: push(.list(makeList([])))
        case .list: push(.list(makeList(try popToMark(at: at))))
        case .append, .appends:
            let items = op == .append ? [try pop(at: at)] : try popToMark(at: at)
            switch try peek(at: at) {
            case .list(let l): l.items += items
            case .object(let o) where o.className == "collections.deque":
                o.arguments += items
            case let other: throw .pickle(offset: at, "APPEND to \(other.kindName)")
            }
        case .emptyDict: push(.dict(arena.dict()))
        case .dict:
            let d = arena.dict()
            try setItems(d, try popToMark(at: at), at: at)
            push(.dict(d))
        case .setItem, .setItems:
            let items: [PickleValue]
            if op == .setItem {
                let value = try pop(at: at)
                items = [try pop(at: at), value]
            } else {
                items = try popToMark(at: at)
            }
            guard case .dict(let d) = try peek(at: at) else {
                throw .pickle(offset: at, "SETITEM on \(try peek(at: at).kindName)")
            }
            try setItems(d, items, at: at)
        case .emptySet: push(.set(makeList([])))
        case .addItems:
            let items = try popToMark(at: at)
            guard case .set(let s) = try peek(at: at) else { throw .pickle(offset: at, "ADDITEMS to a non-set") }
            s.items += items
        case .frozenSet: push(.set(makeList(try popToMark(at: at))))
        case .put: try memoize(UInt32(try PickleText.index(try readLine(at: at), at: at)), at: at)
        case .binPut: try memoize(UInt32(try read { r throws(ByteReaderError) in try r.readUInt8() }), at: at)
        case .longBinPut: try memoize(try read { r throws(ByteReaderError) in try r.readLE(UInt32.self) }, at: at)
        case .memoize: try memoize(UInt32(truncatingIfNeeded: memo.count), at: at)
        case .get: try recall(UInt32(try PickleText.index(try readLine(at: at), at: at)), at: at)
        case .binGet: try recall(UInt32(try read { r throws(ByteReaderError) in try r.readUInt8() }), at: at)
        case .longBinGet: try recall(try read { r throws(ByteReaderError) in try r.readLE(UInt32.self) }, at: at)
        case .global:
            let module = try readLine(at: at)
            let name = try readLine(at: at)
            push(.global(try PickleAllowList.admit(module: module, name: name, offset: at)))
        case .stackGlobal:
            let name = try pop(at: at)
            let module = try pop(at: at)
            guard let m = module.string, let n = name.string else {
                throw .pickle(offset: at, "STACK_GLOBAL needs two strings, got \(module.kindName) and \(name.kindName)")
            }
            push(.global(try PickleAllowList.admit(module: m, name: n, offset: at)))
        case .ext1, .ext2, .ext4:
            throw .pickle(offset: at, "extension-registry globals (EXT1/2/4) are refused: they name code by number")
        case .persID:
            let id = try readLine(at: at)
            push(try persistentLoad(.string(id), at))
        case .binPersID:
            push(try persistentLoad(try pop(at: at), at))
        case .reduce:
            let args = try pop(at: at)
            let callee = try pop(at: at)
            guard let argList = args.items, case .tuple = args else {
                throw .pickle(offset: at, "REDUCE arguments are \(args.kindName), not a tuple")
            }
            push(try PickleConstructors.call(callee, argList, use: "REDUCE", offset: at, arena: &arena))
        case .newObj:
            let args = try pop(at: at)
            let cls = try pop(at: at)
            push(try PickleConstructors.instantiate(cls, args.items ?? [], use: "NEWOBJ", offset: at, arena: &arena))
        case .newObjEx:
            let kwargs = try pop(at: at)
            let args = try pop(at: at)
            let cls = try pop(at: at)
            if let d = kwargs.dict, d.count > 0 {
                throw .pickle(offset: at, "NEWOBJ_EX with keyword arguments for \(cls.kindName) is refused")
            }
            push(try PickleConstructors.instantiate(cls, args.items ?? [], use: "NEWOBJ_EX", offset: at, arena: &arena))
        case .inst:
            let module = try readLine(at: at)
            let name = try readLine(at: at)
            let args = try popToMark(at: at)
            let cls = PickleValue.global(try PickleAllowList.admit(module: module, name: name, offset: at))
            push(try PickleConstructors.instantiate(cls, args, use: "INST", offset: at, arena: &arena))
        case .obj:
            var args = try popToMark(at: at)
            guard !args.isEmpty else { throw .pickle(offset: at, "OBJ without a class") }
            let cls = args.removeFirst()
            push(try PickleConstructors.instantiate(cls, args, use: "OBJ", offset: at, arena: &arena))
        case .build:
            let state = try pop(at: at)
            try PickleConstructors.build(try peek(at: at), state: state, offset: at)
        case .stop:
            break  // handled by interpret()
        }
    }

    private func setItems(_ d: PickleDict, _ items: [PickleValue], at: Int) throws(ReadError) {
        guard items.count % 2 == 0 else { throw .pickle(offset: at, "odd number of items for a dict") }
        var i = 0
        while i < items.count {
            d.set(items[i], items[i + 1])
            i += 2
        }
    }

    private mutating func memoize(_ index: UInt32, at: Int) throws(ReadError) {
        memo[index] = try peek(at: at)
    }

    private mutating func recall(_ index: UInt32, at: Int) throws(ReadError) {
        guard let value = memo[index] else { throw .pickle(offset: at, "memo index \(index) was never stored") }
        push(value)
    }
}
