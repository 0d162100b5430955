import SWSLCheckpoint
import SWSLCore
import Testing
@testable import SWSLSchema

/// Full-size torchvision, timm and Hugging Face state dicts, as (name, shape) lists from
/// Fixtures/shapes, each in the ways training code wraps it.
@Suite struct ShapeFixtureTests {
    /// How the state dict reaches the mapper.
    enum Wrapping: String, CaseIterable, CustomStringConvertible {
        case bare
        /// DataParallel: every name starts with `module.`.
        case dataParallel
        /// A training checkpoint: the weights under `state_dict`, as the reader reports them.
        case stateDict
        /// An EMA copy of a compiled model: `ema._orig_mod.` on every name.
        case compiledEMA

        var description: String { rawValue }

        var prefix: String {
            switch self {
            case .bare, .stateDict: ""
            case .dataParallel: "module."
            case .compiledEMA: "ema._orig_mod."
            }
        }
    }

    @Test(arguments: SchemaFixtures.shapeFiles, Wrapping.allCases)
    func mapsToTheExpectedArchitecture(_ file: String, _ wrapping: Wrapping) throws {
        let list = try SchemaFixtures.ShapeList(file)
        let checkpoint = try SchemaFixtures.checkpoint(list.tensors, prefix: wrapping.prefix,
                                                       wrapper: wrapping == .stateDict ? "state_dict" : nil)
        let model = try SchemaMapper.map(checkpoint)
        #expect(model.architecture.report() == list.expectedReport)
        #expect(model.convention.rawValue == list.expectedConvention)
    }

    /// The canonical tensors are the state dict's tensors, step counters aside; torchvision and timm
    /// even list them in the same order.
    @Test(arguments: SchemaFixtures.shapeFiles)
    func canonicalTensorsAreTheSourceTensors(_ file: String) throws {
        let list = try SchemaFixtures.ShapeList(file)
        let model = try SchemaMapper.map(SchemaFixtures.checkpoint(list.tensors))
        let source = list.tensors.filter { !$0.0.hasSuffix("num_batches_tracked") }.map(\.1)
        let canonical = model.canonicalTensors.map(\.1.shape)
        if model.convention == .huggingface {
            #expect(canonical.map(\.description).sorted() == source.map(\.description).sorted())
        } else {
            #expect(canonical == source)
        }
    }

    /// The twelve SWSL/SSL models of the paper, by their torch.hub and timm names.
    @Test func everyPaperModelMapsToItsName() throws {
        guard case .array(let models)? = try SchemaFixtures.json("shapes/swsl_ssl.json")["models"] else {
            Issue.record("swsl_ssl.json has no models")
            return
        }
        #expect(models.count == 12)
        for entry in models {
            guard case .string(let hub)? = entry["hub"], case .string(let timm)? = entry["timm"],
                  case .string(let file)? = entry["fixture"] else {
                Issue.record("bad entry \(entry)")
                continue
            }
            let list = try SchemaFixtures.ShapeList(file)
            let architecture = try SchemaMapper.map(SchemaFixtures.checkpoint(list.tensors)).architecture
            let name = try #require(architecture.name)
            #expect(timm.hasPrefix(name + "."), "\(timm)")
            #expect(hub == name + "_swsl" || hub == name + "_ssl", "\(hub)")
            #expect(architecture.numClasses == 1000)
        }
    }
}
