import Testing
import SWSLCore
import SWSLCheckpoint
import SWSLSchema
@testable import SWSLExecutor
import SWSLPipeline

/// The float reference plan against PyTorch's eval logits for every fixture checkpoint.
@Suite struct ReferencePlanTests {
    /// Named tolerance of the issue: max |ours − PyTorch| ≤ 1e-4 × max |PyTorch logit|.
    static let relativeBound: Float = 1e-4

    @Test(arguments: Fixtures.modelCheckpoints)
    func matchesPyTorch(checkpoint: Fixtures.ModelCheckpoint) throws {
        let model = try SchemaMapper.map(CheckpointReader.read(path: Fixtures.path(checkpoint.file)))
        let plan = try ExecutionPlan(reference: model)
        let input = try NPYArray.read(path: Fixtures.path(checkpoint.input))
        let golden = try NPYArray.read(path: Fixtures.path(checkpoint.logits))
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        for kernels in [KernelChoice.automatic, .portable] {
            let logits = try PlanExecutor(plan: plan, threads: 2, kernels: kernels)
                .run(input: input.values, batch: batch, height: height, width: width)
            #expect(logits.count == golden.values.count)
            let scale = golden.values.map(abs).max() ?? 1
            let maxDiff = zip(logits, golden.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxDiff <= Self.relativeBound * scale, "\(kernels): max diff \(maxDiff), max |logit| \(scale)")
        }
    }

    @Test func fixturesAreFound() {
        let architectures = Set(Fixtures.modelCheckpoints.map(\.architecture))
        #expect(architectures == ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"])
    }
}
