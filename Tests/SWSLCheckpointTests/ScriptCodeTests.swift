import Testing
@testable import SWSLCheckpoint

/// TorchScript code is read as text for a convolution's constants, never run: scripted `Final` constants,
/// traced call arguments, and code that is neither (or hostile) gives nothing rather than a guess.
@Suite struct ScriptCodeTests {
    static let scripted = """
        class Conv2d(Module):
          padding : Final[Tuple[int, int]] = (1, 1)
          groups : Final[int] = 4
          dilation : Final[Tuple[int, int]] = (2, 2)
          stride : Final[Tuple[int, int]] = (1, 1)
          def forward(self, input: Tensor) -> Tensor:
            return torch.conv2d(input, self.weight, None, [9, 9], [9, 9], [9, 9])
        class Other(Module):
          stride : Final[Tuple[int, int]] = (7, 7)
        """
    static let traced = """
        class Conv2d(Module):
          def forward(self, x: Tensor) -> Tensor:
            input = torch._convolution(x, self.weight, None, [2, 2], [3, 3], [1, 1], False, [0, 0], 32, False, False, True, True)
            return input
        """

    @Test func scriptedConstantsAndTracedCallsAreRead() {
        let code = ["__torch__/torch/nn/modules/conv/___torch_mangle_7.py": Self.scripted,
                    "__torch__/torch/nn/modules/conv.py": Self.traced]
        let scripted = ScriptCode.convolutionAttributes(of: "__torch__.torch.nn.modules.conv.___torch_mangle_7.Conv2d", in: code)
        #expect(scripted == ["padding": [1, 1], "groups": [4], "dilation": [2, 2], "stride": [1, 1]])
        let traced = ScriptCode.convolutionAttributes(of: "__torch__.torch.nn.modules.conv.Conv2d", in: code)
        #expect(traced == ["stride": [2, 2], "padding": [3, 3], "dilation": [1, 1], "groups": [32]])
        #expect(ScriptCode.convolutionAttributes(of: "__torch__.torch.nn.modules.conv.Missing", in: code).isEmpty)
        #expect(ScriptCode.convolutionAttributes(of: "__torch__.torch.nn.modules.batchnorm.BatchNorm2d", in: code).isEmpty)
    }

    @Test(arguments: ["class Conv2d(Module):\n  x = torch._convolution(((((((", "class Conv2d(Module):\n  stride : Final[int] = 99999999999999999999",
                      "class Conv2d(", "", "class Conv2d(Module):\n  y = torch._convolution(x, w, None, [2, 2]" + String(repeating: ",[1]", count: 5000)])
    func hostileCodeGivesNothingOrBoundedValues(_ text: String) {
        let facts = ScriptCode.convolutionAttributes(of: "__torch__.m.Conv2d", in: ["__torch__/m.py": text])
        #expect(facts.values.allSatisfy { $0.count <= 4 && $0.allSatisfy { $0 <= 1 << 20 } })
    }
}
