import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// The allow-list matches a global's module and name exactly. Protocol 4 lets a name be dotted and
/// Python resolves it attribute by attribute, so `('timm.models._hub', 'os.system')` is `os.system`:
/// such names must never pass because their text starts with an admitted namespace.
@Suite struct AllowListExactnessTests {
    static func run(_ bytes: [UInt8]) throws(ReadError) -> PickleValue {
        try PickleMachineTests.run(bytes)
    }

    /// `module`, `name` pushed by STACK_GLOBAL (protocol 4, as the published bypasses use it), then
    /// called with one string argument.
    static func stackGlobalCall(_ module: String, _ name: String) -> [UInt8] {
        PickleBytes(protocol: 4).string(module).string(name).raw([0x93]).string("id").op("\u{85}").op("R").stop
    }

    /// The same pair named by GLOBAL.
    static func globalCall(_ module: String, _ name: String) -> [UInt8] {
        PickleBytes(protocol: 4).global(module, name).string("id").op("\u{85}").op("R").stop
    }

    static let dottedBypasses: [(String, String)] = [
        ("timm.models._hub", "os.system"),
        ("torch.nn.modules.module", "torch.serialization.os.system"),
        ("torchvision.models.resnet", "torch.load"),
        ("__torch__", "builtins.eval"),
        ("torch._utils", "_rebuild_tensor_v2.__globals__"),
        ("collections", "OrderedDict.fromkeys"),
        // A constructor split elsewhere than its module: Python would import `torch` and walk `_utils`.
        ("torch", "_utils._rebuild_tensor_v2"),
        // A capitalised step that is not a class in an admitted namespace.
        ("timm.models._hub", "Path.home"),
    ]

    @Test(arguments: dottedBypasses.map { "\($0.0)|\($0.1)" })
    func dottedNamesAreRefusedByNameAndOffset(pair: String) throws {
        let parts = pair.split(separator: "|").map(String.init)
        for (route, bytes) in [("STACK_GLOBAL", Self.stackGlobalCall(parts[0], parts[1])),
                               ("GLOBAL", Self.globalCall(parts[0], parts[1]))] {
            let message: String
            do { _ = try Self.run(bytes); Issue.record("\(route) \(pair) was admitted"); continue } catch { message = error.description }
            #expect(message.contains("refusing global '\(parts[0]).\(parts[1])'"), "\(route): \(message)")
            #expect(message.contains("pickle offset "), "\(route): \(message)")
        }
    }

    @Test func refusalNamesTheStepThatIsNotAllowed() throws {
        let message = try #require(PickleMachineTests.refusal(Self.stackGlobalCall("timm.models._hub", "os.system")))
        #expect(message.contains("'timm.models._hub.os'"), "\(message)")
        // The STACK_GLOBAL opcode sits after PROTO (2 bytes) and two BINUNICODE strings.
        let offset = 2 + 5 + "timm.models._hub".utf8.count + 5 + "os.system".utf8.count
        #expect(message.contains("pickle offset \(offset):"), "\(message)")
    }

    /// Functions and imported modules live in admitted namespaces too; only classes are admitted there.
    static let functionsInNamespaces: [(String, String)] = [
        ("timm.models", "create_model"),
        ("timm.models._builder", "load_checkpoint"),
        ("timm.models._hub", "download_cached_file"),
        ("torch.nn.modules.module", "os"),
        ("torchvision.models.resnet", "load_state_dict_from_url"),
        ("__torch__", "_private"),
    ]

    @Test(arguments: functionsInNamespaces.map { "\($0.0)|\($0.1)" })
    func lowerCaseNamesInModuleNamespacesAreRefused(pair: String) throws {
        let parts = pair.split(separator: "|").map(String.init)
        let message = try #require(PickleMachineTests.refusal(Self.globalCall(parts[0], parts[1])), "\(pair) was admitted")
        #expect(message.contains("refusing global '\(parts[0]).\(parts[1])'"), "\(message)")
    }

    static let notIdentifiers: [(String, String)] = [
        ("torch._utils ", "_rebuild_tensor_v2"), ("torch..nn", "Conv2d"), ("torch.nn.modules.conv", "Conv2d "),
        ("collections", "OrderedDict."), ("", "OrderedDict"), ("torch.nn.modules.conv", "Conv2d;os"),
        ("torch.nn.modules.conv", ""), ("9torch", "FloatStorage"),
    ]

    @Test(arguments: notIdentifiers.indices)
    func namesThatAreNotIdentifiersAreRefused(index: Int) throws {
        let (module, name) = Self.notIdentifiers[index]
        let bytes = PickleBytes(protocol: 4).string(module).string(name).raw([0x93]).op(".").bytes
        let message = try #require(PickleMachineTests.refusal(bytes), "'\(module)' '\(name)' was admitted")
        #expect(message.contains("refusing global"), "\(message)")
    }

    @Test func moduleClassesAreNeverCalled() throws {
        // Python would run Conv2d.__init__ (for a timm class, possibly a download); only NEWOBJ may allocate one.
        let message = try #require(PickleMachineTests.refusal(
            PickleBytes().global("timm.models.resnet", "ResNet").op(")").op("R").stop))
        #expect(message.contains("'timm.models.resnet.ResNet'") && message.contains("REDUCE"), "\(message)")
    }

    @Test func exactNamesAndNestedClassesStillRead() throws {
        // A nested class of an admitted namespace (every step a class) is an inert record, as before.
        let nested = PickleBytes(protocol: 4).string("timm.layers.helpers").string("Outer.Inner").raw([0x93])
            .op(")").raw([0x81]).op("}").op("b").stop
        guard case .object(let object) = try Self.run(nested) else { Issue.record("not an object"); return }
        #expect(object.className == "timm.layers.helpers.Outer.Inner")
        // The admitted constructors keep working when named exactly.
        let ordered = PickleBytes(protocol: 4).string("collections").string("OrderedDict").raw([0x93])
            .op(")").op("R").stop
        guard case .dict = try Self.run(ordered) else { Issue.record("OrderedDict is not a dict"); return }
    }
}
