import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// The pickle machine interprets data and refuses everything that would run code.
@Suite struct PickleMachineTests {
    static func run(_ bytes: [UInt8]) throws(ReadError) -> PickleValue {
        let storage = ByteStorage.copying(bytes)
        var machine = PickleMachine(bytes: storage.bytes, persistentLoad: TorchLegacyReader.refuse)
        return try withExtendedLifetime(storage) { () throws(ReadError) in try machine.run() }
    }

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            out.append(UInt8(text[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func refusal(_ bytes: [UInt8]) -> String? {
        do { _ = try run(bytes); return nil } catch { return error.description }
    }

    // MARK: Globals outside the allow-list, by every route

    static let forbiddenRoutes: [(String, [UInt8])] = [
        ("REDUCE", PickleBytes().global("posix", "system").string("touch /tmp/x").op("\u{85}").op("R").stop),
        ("STACK_GLOBAL", PickleBytes().string("posix").string("system").raw([0x93]).string("id").op("\u{85}").op("R").stop),
        ("INST", PickleBytes().op("(").string("id").raw([0x69] + Array("posix\nsystem\n".utf8)).stop),
        ("OBJ", PickleBytes().op("(").global("os", "system").string("id").op("o").stop),
        ("NEWOBJ", PickleBytes().global("subprocess", "Popen").string("id").op("\u{85}").raw([0x81]).stop),
        ("NEWOBJ_EX", PickleBytes().global("subprocess", "Popen").raw([0x29, 0x7D, 0x92]).stop),
        ("BUILD setstate", PickleBytes().global("builtins", "getattr").op("N").op("b").stop),
        ("builtins.eval", PickleBytes().global("builtins", "eval").string("1").op("\u{85}").op("R").stop),
        ("torch.load", PickleBytes().global("torch", "load").string("x").op("\u{85}").op("R").stop),
    ]

    @Test(arguments: forbiddenRoutes.map(\.0))
    func forbiddenGlobalIsRefusedWithNameAndOffset(route: String) throws {
        let bytes = try #require(Self.forbiddenRoutes.first { $0.0 == route }?.1)
        let message = try #require(Self.refusal(bytes))
        #expect(message.contains("refusing global"), "\(route): \(message)")
        #expect(message.contains("pickle offset 2") || message.contains("pickle offset"), "\(route): \(message)")
    }

    @Test func refusalNamesTheGlobal() throws {
        let message = try #require(Self.refusal(Self.forbiddenRoutes[0].1))
        #expect(message.contains("'posix.system'"))
        #expect(message.contains("offset 2"))  // the GLOBAL opcode follows the 2-byte PROTO
    }

    @Test func allowedValueGlobalCannotBeCalled() throws {
        // torch.FloatStorage may be named (as a storage type) but never called.
        let bytes = PickleBytes().global("torch", "FloatStorage").int(3).op("\u{85}").op("R").stop
        let message = try #require(Self.refusal(bytes))
        #expect(message.contains("torch.FloatStorage") && message.contains("called by REDUCE"))
    }

    @Test func extensionRegistryIsRefused() throws {
        let message = try #require(Self.refusal(PickleBytes().raw([0x82, 0x01]).stop))
        #expect(message.contains("EXT1/2/4"))
    }

    // MARK: Malformed streams

    static let malformed: [(String, [UInt8], String)] = [
        ("memo index never stored", PickleBytes().raw([0x68, 0x07]).stop, "memo index 7"),
        ("stack underflow", PickleBytes().op("R").stop, "stack underflow"),
        ("APPEND with empty stack", PickleBytes().op("a").stop, "stack underflow"),
        ("unknown opcode", PickleBytes().raw([0xFF]).stop, "unknown opcode 0xff"),
        ("truncated", [0x80, 0x02, 0x58, 0x10, 0x00], "truncated"),
        ("no STOP", PickleBytes().op("N").bytes, "truncated"),
        ("BINBYTES8 larger than file", PickleBytes().raw([0x8E, 0, 0, 0, 0, 0, 0, 0, 0x40]).stop, "declares"),
        ("SETITEM on a list", PickleBytes().raw([0x5D]).int(1).int(2).op("s").stop, "SETITEM on list"),
        ("two values at STOP", PickleBytes().op("N").op("N").stop, "STOP with 2 values"),
        ("pop below mark", PickleBytes().op("N").op("(").op("0").op("0").stop, "STOP with"),
        ("protocol 6", [0x80, 0x06, 0x4E, 0x2E], "protocol 6"),
        ("out-of-band buffer", PickleBytes(protocol: 5).raw([0x97]).stop, "out-of-band"),
    ]

    @Test(arguments: malformed.map(\.0))
    func malformedStreamIsRefused(name: String) throws {
        let (_, bytes, expected) = try #require(Self.malformed.first { $0.0 == name })
        let message = try #require(Self.refusal(bytes), "\(name) was accepted")
        #expect(message.contains(expected), "\(name): \(message)")
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        // 200 000 nested 1-tuples: a recursive reader or a recursive deinit would overflow the stack.
        let bytes = PickleBytes().op("N").raw([UInt8](repeating: 0x85, count: 200_000)).stop
        let message = try #require(Self.refusal(bytes))
        #expect(message.contains("nests deeper"))
    }

    @Test func deepNestingThroughTheMemoIsRefused() throws {
        // Lists made first and linked afterwards, so no single opcode sees the depth.
        func le(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(i).littleEndian, Array.init) }
        let n = 50_000
        var bytes: [UInt8] = [0x80, 0x02]
        for i in 0..<n { bytes += [0x5D, 0x72] + le(i) + [0x30] }  // EMPTY_LIST, LONG_BINPUT i, POP
        for i in 0..<n - 1 { bytes += [0x6A] + le(i) + [0x6A] + le(i + 1) + [0x61, 0x30] }  // list[i].append(list[i+1])
        bytes += [0x6A] + le(0) + [0x2E]
        let message = try #require(Self.refusal(bytes))
        #expect(message.contains("nests deeper"))
    }

    @Test func cycleIsRefused() throws {
        // a = []; a.append(a)
        let bytes = PickleBytes().raw([0x5D, 0x71, 0x00, 0x68, 0x00, 0x61]).stop
        let message = try #require(Self.refusal(bytes))
        #expect(message.contains("cycle"))
    }

    // MARK: Data the allow-list admits

    @Test func torchScriptModulesAreInertRecordsAndSharedOnesAreReadOnce() throws {
        // A cycle through BUILD states is refused by the machine itself.
        let cycle = PickleBytes()
            .global("__torch__.evil", "M").op(")").raw([0x81, 0x71, 0x00])  // NEWOBJ, BINPUT 0
            .op("}").string("self").raw([0x68, 0x00]).op("s").op("b").stop   // state {"self": memo 0}; BUILD
        #expect(Self.refusal(cycle)?.contains("cycle") == true)

        // 40 levels, each module holding the one below twice ("a" and "b"): a naive walk visits
        // 2^40 modules. Each is read once, and the answer is that there are no tensors.
        var bytes = PickleBytes()
        for level in 0..<40 {
            bytes = bytes.global("__torch__.evil", "M").op(")").raw([0x81]).op("}")
            if level > 0 {
                bytes = bytes.string("a").raw([0x68, UInt8(level - 1)]).op("s").string("b").raw([0x68, UInt8(level - 1)]).op("s")
            }
            bytes = bytes.op("b").raw([0x71, UInt8(level), 0x30])  // BUILD, BINPUT level, POP
        }
        let root = try Self.run(bytes.raw([0x68, 39]).stop)
        guard case .object(let object) = root else { Issue.record("not an object: \(root.kindName)"); return }
        #expect(object.className == "__torch__.evil.M" && WeightsLocator.isScriptModule(object))
        let error = #expect(throws: ReadError.self) { try WeightsLocator.locate(root) }
        #expect(error?.description.contains("has no tensors") == true, "\(String(describing: error))")
    }

    @Test func orderedDictAndNumpyScalarAreData() throws {
        // OrderedDict([("a", 1)]) and numpy.float64(0.75) as numpy pickles them.
        let dict = try Self.run(PickleBytes().global("collections", "OrderedDict").op("]").op("(")
            .string("a").int(1).op("\u{86}").op("e").op("\u{85}").op("R").stop)
        #expect(dict.dict?["a"]?.int == 1)
        // pickle.dumps(numpy.float64(0.75), protocol=2) and numpy.int64(7), as numpy 2.4 writes them.
        let float64 = Self.hex("8002636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7100636e756d70790a64747970650a71015802000000663871028988877103527104284b0358010000003c71054e4e4e4affffffff4affffffff4b0074710662635f636f646563730a656e636f64650a71075809000000000000000000c3a83f710858060000006c6174696e31710986710a52710b86710c52710d2e")
        let int64 = Self.hex("8002636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7100636e756d70790a64747970650a71015802000000693871028988877103527104284b0358010000003c71054e4e4e4affffffff4affffffff4b0074710662635f636f646563730a656e636f64650a710758080000000700000000000000710858060000006c6174696e31710986710a52710b86710c52710d2e")
        #expect(try Self.run(int64).int == 7)
        let value = try Self.run(float64)
        guard case .float(let d) = value else { Issue.record("got \(value.kindName)"); return }
        #expect(d == 0.75)
    }

    /// Python 2's `str` opcodes decode as UTF-8 text, as `torch.load` decodes them by default.
    @Test func python2StringsAreText() throws {
        // pickle.dumps at protocol 0 under Python 2: S'conv1.weight'\n, and an escaped one.
        let text = try Self.run(PickleBytes(protocol: 2).raw(Array("S'conv1.weight'\n".utf8)).stop)
        #expect(text.string == "conv1.weight")
        let escaped = try Self.run(PickleBytes(protocol: 2).raw(Array("S'caf\\xc3\\xa9\\n'\n".utf8)).stop)
        #expect(escaped.string == "café\n")
        // BINSTRING (4-byte length) and SHORT_BINSTRING (1-byte length).
        let bin = try Self.run(PickleBytes().raw([0x54, 7, 0, 0, 0] + Array("storage".utf8)).stop)
        #expect(bin.string == "storage")
        let short = try Self.run(PickleBytes().raw([0x55, 3] + Array("cpu".utf8)).stop)
        #expect(short.string == "cpu")
        // Bytes that are not UTF-8 (a Python 2 str holding binary data) stay bytes.
        guard case .bytes(let raw) = try Self.run(PickleBytes().raw([0x55, 2, 0xFF, 0xFE]).stop) else {
            Issue.record("binary Python 2 string did not stay bytes"); return
        }
        #expect(raw == [0xFF, 0xFE])
    }

    /// A numpy scalar pickled by Python 2: its value bytes are a Python 2 `str`, here valid UTF-8
    /// (np.int64(5): 05 00 … 00), so they read as text and must give back the same bytes.
    @Test func python2NumpyScalarReadsItsBytes() throws {
        let bytes = PickleBytes().global("numpy.core.multiarray", "scalar")
            .global("numpy", "dtype").string("i8").op("\u{89}").op("\u{88}").op("\u{87}").op("R")
            .op("(").int(3).string("<").op("N").op("N").op("N").raw([0x4A, 0xFF, 0xFF, 0xFF, 0xFF])
            .raw([0x4A, 0xFF, 0xFF, 0xFF, 0xFF]).int(0).op("t").op("b")
            .raw([0x55, 8, 5, 0, 0, 0, 0, 0, 0, 0]).op("\u{86}").op("R").stop
        #expect(try Self.run(bytes).int == 5)
    }

    /// The data constructors of scripted TorchScript archives return their argument.
    @Test func torchScriptListConstructorsAreData() throws {
        let list = try Self.run(PickleBytes().global("torch.jit._pickle", "build_intlist").op("]").op("(")
            .int(3).int(4).op("e").op("\u{85}").op("R").stop)
        #expect(list.items?.map(\.int) == [3, 4])
        let tagged = try Self.run(PickleBytes().global("torch.jit._pickle", "restore_type_tag").op("}")
            .string("Dict[str, int]").op("\u{86}").op("R").stop)
        #expect(tagged.dict != nil)
        // build_intlist of something that is not a list is malformed, not passed through.
        let refusal = Self.refusal(PickleBytes().global("torch.jit._pickle", "build_intlist").int(3)
            .op("\u{85}").op("R").stop)
        #expect(refusal?.contains("expects a list") == true, "\(String(describing: refusal))")
        // Other names in the module stay refused.
        let other = Self.refusal(PickleBytes().global("torch.jit._pickle", "load").op(")").op("R").stop)
        #expect(other?.contains("refusing global 'torch.jit._pickle.load'") == true, "\(String(describing: other))")
    }

    @Test func wholeModuleClassesBecomeInertObjects() throws {
        let bytes = PickleBytes().global("torch.nn.modules.conv", "Conv2d").raw([0x29, 0x81]).op("}")
            .string("training").raw([0x88]).op("s").op("b").stop
        guard case .object(let o) = try Self.run(bytes) else { Issue.record("not an object"); return }
        #expect(o.className == "torch.nn.modules.conv.Conv2d")
        #expect(o.attribute("training")?.int == 1)
    }
}
