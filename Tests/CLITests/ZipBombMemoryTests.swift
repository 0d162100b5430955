import Foundation
import Testing
import SWSLTestSupport

/// A zip member that honestly declares 256 MiB of zeros (in a ~1.7 MB deflate stream) is refused by the
/// inflation budget before any of it is inflated: the refusing process never holds the 256 MiB.
@Suite struct ZipBombMemoryTests {
    @Test func honestDeflateBombIsRefusedBeforeInflating() throws {
        let inflated = 256 << 20
        let path = try TemporaryFiles.write(HostileFiles.honestDeflateBomb(inflatedBytes: inflated), name: "bomb.pth")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let outcome = try LimitedRun.run(["inspect", path])
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.contains("budget"), "\(outcome)")
        #expect(LimitedRun.sanitized || outcome.peakResidentBytes < inflated / 4,
                "peak RSS \(outcome.peakResidentBytes >> 20) MiB: the member was inflated before it was refused")
    }
}
