import Testing
@testable import SWSLSchema

/// The model-name table a hub folder's `config.json` is held to (timm's and torchvision's names).
@Suite struct ModelVariantsTests {
    @Test(arguments: [
        ("resnet50", true), ("resnet50d", true), ("resnet101s", true), ("resnet50.fb_swsl_ig1b_ft_in1k", true),
        ("resnext101_32x16d", true), ("wide_resnet50_2", true), ("swsl_resnext101_32x8d", true), ("gluon_resnet50_v1d", true),
        ("resnetaa50d", false), ("resnetblur50", false), ("seresnext50_32x4d", false), ("senet154", false),
        ("ecaresnet50t", false), ("resnet10t", true), ("resnet26t", true), ("resnest50d", false), ("res2net50_26w_4s", false),
        ("resnetv2_50", false), ("resnet50_gn", false), ("resnet50_clip", false), ("resnetrs50", false),
        ("skresnet18", false), ("resnet33ts", false),
    ])
    func namesAreClassified(name: String, supported: Bool) {
        let status = ModelVariants.status(of: name)
        if supported { #expect(status == .supported, "\(name): \(String(describing: status))") }
        else if case .notCovered? = status {} else { Issue.record("\(name): \(String(describing: status))") }
    }

    @Test func unknownNamesAreNotGuessed() {
        #expect(ModelVariants.status(of: "my_custom_net") == nil)
        #expect(ModelVariants.bareStateDictAssumption("resnet50").contains("plain resnet50"))
    }
}
