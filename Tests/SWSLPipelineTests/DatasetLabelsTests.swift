import Foundation
import Testing
import SWSLPipeline
import SWSLTestSupport

/// Labels from an ImageFolder layout: WordNet ids through ImageNet's 1000-synset order for a 1000-class
/// model (a subset of classes keeps their indices), sorted names otherwise; a WordNet id ImageNet lacks is refused.
@Suite struct DatasetLabelsTests {
    static func folder(_ paths: [String]) throws -> ImageFolder {
        let root = try TemporaryFiles.directory()
        for path in paths {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        return try ImageFolder(root.path)
    }

    @Test func wordNetFoldersMapThroughTheSynsetOrder() throws {
        let folder = try Self.folder(["n15075141/b.jpg", "n01440764/a.JPEG", "n01443537/c.png"])
        #expect(folder.images == ["n01440764/a.JPEG", "n01443537/c.png", "n15075141/b.jpg"])
        let imageNet = try #require(try DatasetLabels.imageFolder(folder, classes: 1000))
        #expect(imageNet.labels == [0, 1, 999])
        let ten = try #require(try DatasetLabels.imageFolder(folder, classes: 10))
        #expect(ten.labels == [0, 1, 2] && ten.description.contains("not ImageNet's 1000"))
        let unknown = try Self.folder(["n99999999/a.jpg"])
        #expect(throws: RuntimeError.self) { try DatasetLabels.imageFolder(unknown, classes: 1000) }
    }

    @Test func tooManyClassFoldersAndFlatFolders() throws {
        let three = try Self.folder(["a/1.jpg", "b/2.jpg", "c/3.jpg"])
        #expect(throws: RuntimeError.self) { try DatasetLabels.imageFolder(three, classes: 2) }
        let flat = try Self.folder(["x.jpg", "a/y.jpg"])
        #expect(try DatasetLabels.imageFolder(flat, classes: 10) == nil)
    }

    @Test func theWalkSkipsWhatIsNotAnImage() throws {
        let root = try TemporaryFiles.directory()
        let manager = FileManager.default
        try manager.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        for name in ["a/b/z.png", "a/x.jpg", "a/readme.md", ".hidden.jpg"] { try Data().write(to: root.appendingPathComponent(name)) }
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("a/b/up").path, withDestinationPath: "../..")
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("a/broken.jpg").path, withDestinationPath: "nowhere")
        #expect(mkfifo(root.appendingPathComponent("a/pipe").path, 0o600) == 0)
        let folder = try ImageFolder(root.path)
        #expect(folder.images == ["a/b/z.png", "a/x.jpg"])
        #expect(folder.skipped == 3, "readme.md, the broken link and the FIFO")
        #expect(throws: RuntimeError.self) { try ImageFolder(root.path, limit: 3) }
        // A FIFO named like an image is refused by name, never opened.
        #expect(mkfifo(root.appendingPathComponent("a/pipe.jpg").path, 0o600) == 0)
        do {
            _ = try ImageFolder(root.path)
            Issue.record("a FIFO named pipe.jpg was not refused")
        } catch {
            #expect("\(error)".contains("a/pipe.jpg: a named pipe, not a regular file"), "\(error)")
        }
    }
}
