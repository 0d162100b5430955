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

    /// A batch runs as whole images, one per thread at a time (the rest layer by layer with every thread): each
    /// image's logits are the ones a run of that image alone gives, bit for bit, for float and integer plans
    /// (whose activation ranges are each image's own), whatever the batch and thread count.
    @Test(arguments: [false, true])
    func eachImageOfABatchGetsItsOwnLogits(integer: Bool) throws {
        let model = try Self.model("resnet50_tiny")
        let plan = integer ? try TestFolding.plan(model, weights: .int8, int8: .integer) : try ExecutionPlan(reference: model)
        var random = TestRandom(seed: 13)
        let (height, width) = (29, 21), perImage = 3 * 29 * 21
        let input = random.floats(5 * perImage)
        for threads in [1, 2, 3] {
            let executor = PlanExecutor(plan: plan, threads: threads)
            let alone = try (0..<5).map { image in
                try PlanExecutor(plan: plan, threads: threads)
                    .run(input: Array(input[image * perImage..<(image + 1) * perImage]), batch: 1, height: height, width: width)
            }
            for batch in 1...5 {
                let logits = try executor.run(input: Array(input[0..<batch * perImage]), batch: batch, height: height, width: width)
                for image in 0..<batch {
                    #expect(Array(logits[image * plan.classes..<(image + 1) * plan.classes]) == alone[image],
                            "\(integer ? "integer" : "float") batch \(batch), \(threads) threads, image \(image)")
                }
            }
        }
    }

    /// Profiling (`bench --layers`): each step's wait is the time the average thread spent outside its tasks, so it
    /// lies between zero and the step's wall time; the threads' time inside tasks is no more than all of them
    /// together had, and matches the wall time less the waits. A profiled run gives the logits an unprofiled one gives.
    @Test func profilingSplitsWallTimeIntoWorkAndWaits() throws {
        let plan = try ExecutionPlan(reference: Self.model("resnet18_tiny"))
        var random = TestRandom(seed: 5)
        let input = random.floats(3 * 64 * 64)
        let executor = PlanExecutor(plan: plan, threads: 2)
        let plain = try executor.run(input: input, batch: 1, height: 64, width: 64)
        executor.startProfiling()
        var profiled: [Float] = []
        for _ in 0..<3 { profiled = try executor.run(input: input, batch: 1, height: 64, width: 64) }
        #expect(profiled == plain)
        let walls = try #require(executor.stepSeconds), waits = try #require(executor.stepWaitSeconds)
        #expect(walls.count == plan.steps.count && waits.count == walls.count)
        for (wall, wait) in zip(walls, waits) {
            #expect(wall > 0 && wait >= 0 && wait <= wall, "wall \(wall) s, wait \(wait) s")
        }
        let busy = executor.profiledBusySecondsPerThread
        // The caller always takes tasks; the worker may find none left on a loaded machine.
        #expect(busy.count == 2 && busy[0] > 0 && busy[1] >= 0, "\(busy)")
        #expect(busy.reduce(0, +) <= 2 * walls.reduce(0, +))
        let worked = walls.reduce(0, +) - waits.reduce(0, +)
        #expect(abs(worked - busy.reduce(0, +) / 2) <= 1e-6 + 1e-3 * walls.reduce(0, +))
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
