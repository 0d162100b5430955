import Testing
@testable import SWSLSchema

/// The twelve released files by name, size and hash (hubconf.py's URLs, timm's model cards), and
/// what a file that only looks like one gets.
@Suite struct OfficialReleasesTests {
    static let resnet50 = "semi_weakly_supervised_resnet50-16a12f1b.pth"

    @Test func twelveDistinctReleasesOfKnownArchitectures() {
        let all = OfficialReleases.all
        #expect(all.count == 12)
        #expect(Set(all.map(\.fileName)).count == 12 && Set(all.map(\.hubEntry)).count == 12)
        for release in all {
            #expect(release.hashPrefix.count == 8, "\(release.fileName)")
            #expect(KnownModels.all.contains { $0.name == release.architecture }, "\(release.architecture)")
        }
        let swsl50 = all.first { $0.fileName == Self.resnet50 }
        #expect(swsl50?.hubEntry == "resnet50_swsl" && swsl50?.timmOldName == "swsl_resnet50"
                && swsl50?.timmName == "resnet50.fb_swsl_ig1b_ft_in1k" && swsl50?.size == 102_480_594)
        #expect(all.first { $0.hubEntry == "resnet18_swsl" }?.size == 46_811_375)
    }

    @Test func theReleaseIsRecognisedByNameSizeAndHash() {
        let check = OfficialReleases.check(fileName: Self.resnet50, size: 102_480_594, sha256: "16a12f1b" + String(repeating: "0", count: 56))
        #expect(check.release?.hubEntry == "resnet50_swsl" && check.warnings.isEmpty)
        // Renamed (e.g. saved as resnet50.pth): the size and the hash prefix still say which it is.
        let renamed = OfficialReleases.check(fileName: "resnet50.pth", size: 102_480_594, sha256: "16a12f1b" + String(repeating: "e", count: 56))
        #expect(renamed.release?.hubEntry == "resnet50_swsl")
        // The same name and size without the hash (not computed): recognised by name, nothing contradicts it.
        #expect(OfficialReleases.check(fileName: Self.resnet50, size: 102_480_594, sha256: "").release != nil)
    }

    @Test func contradictionsAreWarnedAbout() {
        let altered = OfficialReleases.check(fileName: Self.resnet50, size: 102_480_594, sha256: String(repeating: "a", count: 64))
        #expect(altered.release == nil)
        #expect(altered.warnings.count == 1 && altered.warnings[0].contains("starts with 16a12f1b"))
        let truncated = OfficialReleases.check(fileName: Self.resnet50, size: 4096, sha256: "16a12f1b" + String(repeating: "0", count: 56))
        #expect(truncated.release == nil && truncated.warnings.first?.contains("102480594 bytes") == true)
        // Any torch.hub-style name is held to its hash (torchvision's resnet50-0676ba61.pth, say).
        #expect(OfficialReleases.check(fileName: "resnet50-0676ba61.pth", size: 1, sha256: "0676ba61" + String(repeating: "0", count: 56)).warnings.isEmpty)
        #expect(OfficialReleases.check(fileName: "resnet50-0676ba61.pth", size: 1, sha256: String(repeating: "1", count: 64)).warnings.count == 1)
        // No hash in the name, or a word that is not hex: nothing to check.
        #expect(OfficialReleases.hashPrefix(of: "resnet50-final.pth") == nil && OfficialReleases.hashPrefix(of: "model.pth") == nil)
        #expect(OfficialReleases.hashPrefix(of: "my-model-abc12345.pt") == "abc12345")
        // Dates and counters are not hashes; a short run of hex is not either.
        #expect(OfficialReleases.hashPrefix(of: "resnet50-20240101.pth") == nil)
        #expect(OfficialReleases.hashPrefix(of: "checkpoint-000100.pth") == nil)
        #expect(OfficialReleases.hashPrefix(of: "model-abc123.pth") == nil)
        #expect(OfficialReleases.check(fileName: "resnet50-20240101.pth", size: 1, sha256: String(repeating: "f", count: 64)).warnings.isEmpty)
    }
}
