import Testing
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
@testable import SWSLExecutor
import SWSLPipeline
import SWSLTestSupport

/// Batches, odd sizes, thread counts and kernel choices all give the same logits.
@Suite struct ExecutorTests {
    static func model(_ name: String) throws -> CanonicalModel {
        try SchemaMapper.map(CheckpointReader.read(path: Fixtures.path("models/\(name).zip.pth")))
    }

    @Test(arguments: ["resnet18_tiny", "resnext_tiny", "resnet50d_tiny"])
    func batchesThreadsAndKernelsAgree(name: String) throws {
        let plan = try ExecutionPlan(reference: Self.model(name))
        var random = TestRandom(seed: 11)
        for (height, width) in [(37, 23), (1, 1), (5, 64)] {
            let batch = 3
            let input = random.floats(batch * 3 * height * width)
            let all = try PlanExecutor(plan: plan, threads: 2).run(input: input, batch: batch, height: height, width: width)
            #expect(all.count == batch * plan.classes)
            #expect(all.allSatisfy { $0.isFinite })
            let perImage = 3 * height * width
            for image in 0..<batch {
                let single = Array(input[image * perImage..<(image + 1) * perImage])
                for (threads, kernels) in [(1, KernelChoice.portable), (3, .automatic), (2, .avx2)] {
                    let logits = try PlanExecutor(plan: plan, threads: threads, kernels: kernels)
                        .run(input: single, batch: 1, height: height, width: width)
                    let expected = Array(all[image * plan.classes..<(image + 1) * plan.classes])
                    let scale = expected.map(abs).max() ?? 1
                    #expect(Metrics.maxDifference(logits, expected) <= 1e-5 * max(scale, 1),
                            "\(height)×\(width) image \(image), \(threads) threads, \(kernels)")
                }
            }
        }
    }

    @Test func reusesBuffersAcrossShapes() throws {
        let plan = try ExecutionPlan(reference: Self.model("resnet18_tiny"))
        let executor = PlanExecutor(plan: plan, threads: 2)
        var random = TestRandom(seed: 12)
        let a = random.floats(3 * 32 * 32), b = random.floats(2 * 3 * 17 * 9)
        let first = try executor.run(input: a, batch: 1, height: 32, width: 32)
        _ = try executor.run(input: b, batch: 2, height: 17, width: 9)
        #expect(try executor.run(input: a, batch: 1, height: 32, width: 32) == first)
    }

    @Test func rejectsBadInputs() throws {
        let plan = try ExecutionPlan(reference: Self.model("resnet18_tiny"))
        let executor = PlanExecutor(plan: plan, threads: 1)
        #expect(throws: ExecutorError.inputCount(expected: 2 * 3 * 4 * 4, actual: 5, shape: [2, 3, 4, 4])) {
            try executor.run(input: [Float](repeating: 0, count: 5), batch: 2, height: 4, width: 4)
        }
        #expect(throws: ExecutorError.invalidShape([0, 3, 4, 4])) {
            try executor.run(input: [], batch: 0, height: 4, width: 4)
        }
        #expect(throws: ExecutorError.invalidShape([1, 3, 0, 4])) {
            try executor.run(input: [], batch: 1, height: 0, width: 4)
        }
        // A shape whose element count overflows is refused as too large, before anything is multiplied out or allocated.
        #expect(throws: ExecutorError.tooLarge(shape: [1 << 40, 3, 1 << 20, 1 << 20], bytes: nil, limit: PlanExecutor.maxActivationBytes)) {
            try executor.run(input: [], batch: 1 << 40, height: 1 << 20, width: 1 << 20)
        }
    }

    @Test func planDescribesTheNetwork() throws {
        let plan = try ExecutionPlan(reference: Self.model("resnet50_tiny"))
        #expect(plan.inputChannels == 3)
        #expect(plan.classes == 10)
        // Stem, 16 bottlenecks of 3, 4 projections, classifier.
        #expect(plan.convolutionCount == 1 + 16 * 3 + 4 + 1)
        #expect(plan.multiplyAccumulates(height: 64, width: 64) > 0)
    }
}
