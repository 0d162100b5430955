import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The pieces every reader and writer of the tool goes through: `InputFile` (regular files only,
/// remembered by identity) and `AtomicFileWriter` (never over an input, never a partial file).
@Suite struct OutputSafetyTests {
    @Test func inputFileRefusesWhatIsNotARegularFile() throws {
        let dir = try TemporaryFiles.directory()
        let link = dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        for (path, kind) in [(dir.path, "a folder"), ("/dev/null", "a character device"), (link, "a character device")] {
            let error = #expect(throws: FileAccessError.self) { _ = try InputFile.open(path) }
            #expect(error?.description == "\(path): is \(kind), not a regular file; only regular files are read")
        }
        let error = #expect(throws: FileAccessError.self) { _ = try InputFile.open(link, followSymlinks: false) }
        #expect(error?.reason == "is a symbolic link")
    }

    @Test func aFileReadIsNeverReplacedWhateverItsPath() throws {
        let dir = try TemporaryFiles.directory()
        let input = dir.appendingPathComponent("in.bin").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: input))
        let twin = dir.appendingPathComponent("twin.bin").path
        try FileManager.default.linkItem(atPath: input, toPath: twin)
        let unread = dir.appendingPathComponent("other.bin").path
        try Data([9]).write(to: URL(fileURLWithPath: unread))
        #expect(!InputFile.isInput(input))
        _ = try ByteStorage.map(path: input)
        #expect(InputFile.isInput(input) && InputFile.isInput(twin) && !InputFile.isInput(unread))
        for path in [input, twin] {
            let error = #expect(throws: FileAccessError.self) { _ = try AtomicFileWriter(destination: path) }
            #expect(error?.reason == "is a file this command reads; refusing to write over it")
        }
        // An unread file is replaced as before, and the input keeps its bytes.
        let writer = try AtomicFileWriter(destination: unread)
        try writer.write([7, 7])
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: unread)) == Data([7, 7]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == Data([1, 2, 3]))
    }

    @Test func outputsThatCannotBeWrittenSayWhyOnce() throws {
        let dir = try TemporaryFiles.directory()
        let cases: [(String, String)] = [
            (dir.path, "is a folder; an output replaces a regular file only"),
            ("/dev/null", "is a character device; an output replaces a regular file only"),
            (dir.appendingPathComponent("missing/out.swm").path,
             "cannot be written: the folder '\(dir.appendingPathComponent("missing").path)' does not exist"),
        ]
        for (path, reason) in cases {
            let error = #expect(throws: FileAccessError.self) { _ = try AtomicFileWriter(destination: path) }
            #expect(error?.reason == reason, "\(path)")
            #expect(error?.description.components(separatedBy: path).count == 2, "the path once: \(String(describing: error))")
        }
    }

    @Test func aDroppedWriterLeavesNothing() throws {
        let dir = try TemporaryFiles.directory()
        let out = dir.appendingPathComponent("out.bin").path
        do {
            let writer = try AtomicFileWriter(destination: out)
            try writer.write([1, 2, 3])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func jsonObjectsMayNotRepeatAKey() throws {
        let refused: [(String, String, Int)] = [
            (#"{"a":1,"a":2}"#, "a", 7),
            (#"{"x":{"k":1,"j":2,"k":3}}"#, "k", 18),
            (#"{"a":1,"\u0061":2}"#, "a", 7),
        ]
        for (text, key, offset) in refused {
            let error = #expect(throws: JSONParser.ParseError.self) { _ = try JSONParser.parse(Array(text.utf8)) }
            #expect(error?.description == "invalid JSON at byte \(offset): key '\(key)' appears twice in one object", "\(text)")
        }
        // The same key in sibling objects and in arrays of objects is fine.
        _ = try JSONParser.parse(Array(#"{"a":{"k":1},"b":{"k":2},"c":[{"k":3},{"k":4}]}"#.utf8))
    }
}
