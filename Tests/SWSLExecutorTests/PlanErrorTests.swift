import Testing
import SWSLCore
import SWSLSchema
@testable import SWSLExecutor
import SWSLNetwork
import SWSLFormat

/// Each plan error, from a small hand-built network.
@Suite struct PlanErrorTests {

    static func conv(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int = 3, bias: Int? = nil,
                     dtype: DType = .float32, scales: [Float]? = nil, groups: Int = 1, packedCount: Int? = nil) -> LayerSpec {
        let count = outChannels * inChannels / groups * kernel * kernel
        let tensor: Tensor
        if dtype == .int8 {
            tensor = try! Tensor(dtype: .int8, shape: [outChannels, inChannels / groups, kernel, kernel],
                                 storage: ByteStorage.copying([UInt8](repeating: 1, count: count)))
        } else {
            tensor = TestFolding.tensor([Float](repeating: 0.1, count: packedCount ?? count),
                                        shape: packedCount.map { [$0] } ?? [outChannels, inChannels / groups, kernel, kernel])
        }
        return LayerSpec(name: name, weights: packedCount == nil ? .plain(tensor) : .packed(tensor), scales: scales,
                          bias: [Float](repeating: 0, count: bias ?? outChannels), inChannels: inChannels,
                          outChannels: outChannels, kernel: kernel, padding: kernel / 2, groups: groups)
    }

    static func plan(stem: LayerSpec = conv(stem1, 3, 4), block: [LayerSpec] = [conv(conv1, 4, 4), conv(conv2, 4, 4)],
                     fc: LayerSpec = conv("fc", 4, 2, kernel: 1)) throws(PlanError) -> ExecutionPlan {
        try ExecutionPlan(backbone: Backbone(stem: [stem], stages: [[.init(path: "stage1.block0", convs: block, downsample: nil,
                                                                          stride: 1)]]), fc: fc)
    }

    /// Canonical paths of the test network's layers (the plan names layers by them).
    static let stem1 = "stem.conv1", conv1 = "stage1.block0.conv1", conv2 = "stage1.block0.conv2"

    @Test func aValidPlanBuilds() throws {
        let plan = try Self.plan()
        let logits = try PlanExecutor(plan: plan, threads: 1).run(input: [Float](repeating: 1, count: 3 * 8 * 8), batch: 1,
                                                               height: 8, width: 8)
        #expect(logits.count == 2)
    }

    @Test func errorsNameTheLayer() {
        #expect(throws: PlanError.missingScales(layer: "stage1.block0.conv2")) {
            try Self.plan(block: [Self.conv(Self.conv1, 4, 4), Self.conv(Self.conv2, 4, 4, dtype: .int8)])
        }
        #expect(throws: PlanError.shapeMismatch(layer: "stem.conv1", what: "bias", expected: "[4]", actual: "[3]")) {
            try Self.plan(stem: Self.conv(Self.stem1, 3, 4, bias: 3))
        }
        #expect(throws: PlanError.shapeMismatch(layer: "stage1.block0.conv1", what: "input channels", expected: "5",
                                                actual: "4")) {
            try Self.plan(block: [Self.conv(Self.conv1, 5, 4), Self.conv(Self.conv2, 4, 4)])
        }
        #expect(throws: PlanError.shapeMismatch(layer: "stage1.block0.conv2", what: "packed weight elements",
                                                expected: "216", actual: "10")) {  // 6 panel rows × 36
            try Self.plan(block: [Self.conv(Self.conv1, 4, 4), Self.conv(Self.conv2, 4, 4, packedCount: 10)])
        }
        #expect(throws: PlanError.shapeMismatch(layer: "stage1.block0.conv2", what: "scales", expected: "[4]",
                                                actual: "[1]")) {
            try Self.plan(block: [Self.conv(Self.conv1, 4, 4), Self.conv(Self.conv2, 4, 4, dtype: .int8, scales: [1])])
        }
        #expect(throws: PlanError.shapeMismatch(layer: "stage1.block0.conv2", what: "shortcut channels", expected: "6",
                                                actual: "4")) {
            try Self.plan(block: [Self.conv(Self.conv1, 4, 4), Self.conv(Self.conv2, 4, 6)], fc: Self.conv("fc", 6, 2, kernel: 1))
        }
        #expect(throws: PlanError.self) { try Self.plan(stem: Self.conv(Self.stem1, 3, 4, groups: 2)) }
        #expect(throws: PlanError.invalidGeometry(layer: "fc", reason: "the classifier must be a 1×1 convolution without groups")) {
            try Self.plan(fc: Self.conv("fc", 4, 2, kernel: 3))
        }
    }

    @Test func unsupportedWeightTypeIsRefused() {
        let weights = try! Tensor(dtype: .int32, shape: [4, 4, 1, 1], storage: ByteStorage.copying([UInt8](repeating: 0, count: 64)))
        #expect(throws: PackedWeightLayout.PackingError.unsupportedType(.int32)) {
            try PackedWeightLayout.pack(weights, groups: 1)
        }
        // In a plan the refusal names the layer.
        #expect(throws: PlanError.unsupportedType(layer: "stage1.block0.conv1", dtype: .int32)) {
            try PackedWeightLayout.packing(weights, groups: 1, layer: "stage1.block0.conv1")
        }
    }

    @Test func descriptionsReadWell() {
        #expect(PlanError.missingScales(layer: "fc").description == "fc: int8 weights need per-output-channel scales")
        #expect(ExecutorError.invalidShape([0, 3, 1, 1]).description.contains("[0, 3, 1, 1]"))
    }
}
