import Testing
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
@testable import SWSLExecutor
import SWSLPipeline
import SWSLFormat

/// Plans from folded convolutions (what a `.swm` loader builds) against the float reference.
@Suite struct FoldedPlanTests {
    /// Named error budgets: fp32 as tight as the reference bound, fp16 and int8 by cosine.
    static let fp32RelativeBound: Float = 1e-4
    static let fp16Cosine = 0.9999
    static let int8Cosine = 0.99
    static let integerCosine = 0.99

    @Test(arguments: ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"], TestFolding.WeightType.allCases)
    func foldedMatchesReference(name: String, weights: TestFolding.WeightType) throws {
        let model = try ExecutorTests.model(name)
        let input = try NPYArray.read(path: Fixtures.path("golden/input_2x3x64x64.npy"))
        let reference = try PlanExecutor(plan: ExecutionPlan(reference: model), threads: 2)
            .run(input: input.values, batch: 2, height: 64, width: 64)
        let plain = try TestFolding.plan(model, weights: weights)
        let logits = try PlanExecutor(plan: plain, threads: 2).run(input: input.values, batch: 2, height: 64, width: 64)
        let classes = plain.classes
        for image in 0..<2 {
            let range = image * classes..<(image + 1) * classes
            let cosine = Metrics.cosine(logits[range], reference[range])
            switch weights {
            case .fp32:
                let scale = reference[range].map(abs).max() ?? 1
                #expect(Metrics.maxDifference(Array(logits[range]), Array(reference[range])) <= Self.fp32RelativeBound * scale)
            case .fp16:
                #expect(cosine >= Self.fp16Cosine)
            case .int8:
                #expect(cosine >= Self.int8Cosine)
                #expect(Metrics.argmax(logits[range]) == Metrics.argmax(reference[range]))
            }
        }
        // Pre-packed weights (zero-copy) give exactly the same logits as plain ones.
        let packed = try TestFolding.plan(model, weights: weights, packed: true)
        #expect(try PlanExecutor(plan: packed, threads: 2).run(input: input.values, batch: 2, height: 64, width: 64) == logits)
    }

    /// Integer arithmetic, with each input's own range and with calibrated scales. Per-tensor 8-bit
    /// activations cost accuracy on these narrow random networks (measured: cosine 0.9927 at worst with
    /// 255 levels, 0.9745 with AVX2's 127), and top-1 can flip where the two best logits are within a
    /// few percent (resnext_tiny image 1, calibrated), so this path has its own budget and is not the default.
    @Test(arguments: ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"], [false, true])
    func integerArithmeticKeepsAccuracy(name: String, calibrated: Bool) throws {
        let model = try ExecutorTests.model(name)
        let input = try NPYArray.read(path: Fixtures.path("golden/input_2x3x64x64.npy"))
        let referencePlan = try ExecutionPlan(reference: model)
        let reference = try PlanExecutor(plan: referencePlan, threads: 2)
            .run(input: input.values, batch: 2, height: 64, width: 64)
        let maxima = calibrated
            ? try Calibration.activationMaxima(referencePlan, input: input.values, batch: 2, height: 64, width: 64) : [:]
        let plan = try TestFolding.plan(model, weights: .int8, int8: .integer, activationMaxima: maxima)
        for kernels in KernelChoice.supportedChoices {
            let logits = try PlanExecutor(plan: plan, threads: 2, kernels: kernels)
                .run(input: input.values, batch: 2, height: 64, width: 64)
            for image in 0..<2 {
                let range = image * plan.classes..<(image + 1) * plan.classes
                let cosine = Metrics.cosine(logits[range], reference[range])
                #expect(cosine >= Self.integerCosine, "\(kernels) image \(image): cosine \(cosine)")
            }
        }
    }

    /// 7-bit activations (`--int8 integer-7bit`): the same integers on every kernel set, so logits differ
    /// between CPUs by float rounding only; within int8's budget of the float reference.
    @Test(arguments: ["resnet50_tiny", "resnext_tiny"])
    func sevenBitActivationsAreTheSameOnEveryCPU(name: String) throws {
        let model = try ExecutorTests.model(name)
        let input = try NPYArray.read(path: Fixtures.path("golden/input_2x3x64x64.npy"))
        let reference = try PlanExecutor(plan: ExecutionPlan(reference: model), threads: 2)
            .run(input: input.values, batch: 2, height: 64, width: 64)
        let plan = try TestFolding.plan(model, weights: .int8, int8: .integer7Bit)
        let portable = try PlanExecutor(plan: plan, threads: 2, kernels: .portable).run(input: input.values, batch: 2, height: 64, width: 64)
        let full = try PlanExecutor(plan: TestFolding.plan(model, weights: .int8, int8: .integer), threads: 2, kernels: .portable)
            .run(input: input.values, batch: 2, height: 64, width: 64)
        #expect(portable != full, "7-bit activations must round differently from 8-bit ones")
        for kernels in KernelChoice.supportedChoices {
            let logits = try PlanExecutor(plan: plan, threads: 2, kernels: kernels).run(input: input.values, batch: 2, height: 64, width: 64)
            let peak = portable.map { abs(Double($0)) }.max() ?? 1
            let worst = zip(logits, portable).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst <= 1e-5 * peak, "\(kernels): \(worst) from portable's")
            for image in 0..<2 {
                let range = image * plan.classes..<(image + 1) * plan.classes
                #expect(Metrics.cosine(logits[range], reference[range]) >= 0.97, "\(kernels) image \(image)")
            }
        }
    }

    @Test func packedLayoutIsDocumentedOrder() throws {
        // 7 output channels, 2 groups would not divide; use 1 group, 7 rows, K = 2: two panels of 6.
        let values: [Float] = (0..<14).map(Float.init)
        let packed = try PackedWeightLayout.pack(TestFolding.tensor(values, shape: [7, 2, 1, 1]), groups: 1)
        #expect(packed.shape == [PackedWeightLayout.elementCount(outChannels: 7, groups: 1, reductionSize: 2)])
        #expect(packed.shape == [24])
        let floats = packed.floats()
        // Panel 0: k = 0 rows 0-5, then k = 1 rows 0-5; panel 1: row 6, then padding.
        #expect(Array(floats[0..<6]) == [0, 2, 4, 6, 8, 10])
        #expect(Array(floats[6..<12]) == [1, 3, 5, 7, 9, 11])
        #expect(Array(floats[12..<24]) == [12, 0, 0, 0, 0, 0, 13, 0, 0, 0, 0, 0])
        #expect(PackedWeightLayout.version == 1 && PackedWeightLayout.panelRows == 6)
        // The kernels read what SWSLFormat describes.
        #expect(PackedWeightLayout.matchesKernels)
    }

    @Test func packingEveryElementSizeAndGroupsMatchesTheFormula() throws {
        // ((g × P + p) × K + k) × 6 + r ← weight[g × Mg + p × 6 + r][k]; zero for padding rows. Unaligned sources too.
        for dtype in [DType.int8, .float16, .float32] {
            let (out, groups, k) = (14, 2, 5)
            let size = dtype.byteSize
            let plain = (0..<out * k * size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let storage = ByteStorage.copying([0] + plain).slice(1..<plain.count + 1)  // off by one byte
            let tensor = try Tensor(dtype: dtype, shape: [out, k], storage: storage)
            let packed = try PackedWeightLayout.pack(tensor, groups: groups)
            let bytes = Array(packed.bytes)
            let mg = out / groups, panels = (mg + 5) / 6
            #expect(bytes.count == PackedWeightLayout.elementCount(outChannels: out, groups: groups, reductionSize: k) * size)
            for g in 0..<groups {
                for p in 0..<panels {
                    for kk in 0..<k {
                        for r in 0..<6 {
                            let at = (((g * panels + p) * k + kk) * 6 + r) * size
                            let row = p * 6 + r
                            let expected = row < mg ? Array(plain[((g * mg + row) * k + kk) * size..<((g * mg + row) * k + kk + 1) * size])
                                                    : [UInt8](repeating: 0, count: size)
                            #expect(Array(bytes[at..<at + size]) == expected, "\(dtype) g\(g) p\(p) k\(kk) r\(r)")
                        }
                    }
                }
            }
        }
    }
}
