#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SWSLCore
import SWSLFormat

/// The class index of each image of an `ImageFolder`, the ways datasets are laid out:
/// - ImageFolder (torchvision's and timm's): one sub-folder per class. Folder names that are ImageNet
///   WordNet ids map through the standard 1000-synset order (`ImageNetClasses.synsets`) for a 1000-class
///   model, even when only some classes are present; otherwise the folder names, sorted, are classes 0, 1, …
///   as `ImageFolder` numbers them.
/// - A label file (`val.txt`): `relative/path label` lines.
public struct DatasetLabels: Sendable {
    /// Per image of the folder, in its order: the class, nil when the layout gives none.
    public let labels: [Int?]
    /// How the labels were read, for the report (`ImageNet WordNet ids (…)`, `sorted folder names (…)`, `FILE`).
    public let description: String
    /// True when the labels are ImageNet-1k's (WordNet-id class folders for a 1000-class model).
    public var isImageNet = false

    /// Labels from the folder layout; nil when not every image sits in a class sub-folder.
    public static func imageFolder(_ folder: ImageFolder, classes: Int) throws(RuntimeError) -> DatasetLabels? {
        let classOf = folder.images.map { path -> String? in
            let parts = path.split(separator: "/", maxSplits: 1)
            return parts.count == 2 ? String(parts[0]) : nil
        }
        guard !classOf.isEmpty, classOf.allSatisfy({ $0 != nil }) else { return nil }
        let names = Array(Set(classOf.compactMap { $0 })).sorted()
        let synsets = Dictionary(uniqueKeysWithValues: ImageNetClasses.synsets.enumerated().map { ($1, $0) })
        let wordNet = names.allSatisfy { isWordNetID($0) }
        if wordNet, classes == ImageNetClasses.synsets.count {
            if let unknown = names.first(where: { synsets[$0] == nil }) {
                throw .input("\(folder.root)/\(unknown): not one of ImageNet's 1000 WordNet ids")
            }
            return DatasetLabels(labels: classOf.map { synsets[$0!] },
                                 description: "ImageNet WordNet ids of \(names.count) class folders, in the standard 1000-synset order",
                                 isImageNet: true)
        }
        guard names.count <= classes else {
            throw .input("\(folder.root): \(names.count) class folders, but the model has \(classes) classes")
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let note = wordNet ? " (WordNet ids, but the model has \(classes) classes, not ImageNet's 1000)" : ""
        return DatasetLabels(labels: classOf.map { index[$0!] },
                             description: "the \(names.count) class folders' names, sorted, as classes 0…\(names.count - 1)\(note)")
    }

    /// Labels from a file of `relative/path label` lines (blank lines and `#` comments skipped); images it
    /// does not list are unlabelled. A line that does not parse, a label outside the model's classes, or a
    /// path listed twice is refused, naming the line.
    public static func file(_ path: String, folder: ImageFolder, classes: Int) throws(RuntimeError) -> DatasetLabels {
        // Opened once, as every input is (a regular file only, never blocking on a FIFO), then sized and mapped.
        let bytes: ByteStorage
        do {
            let file = try InputFile.open(path)
            guard file.size <= 256 << 20 else { throw FileAccessError(path: path, reason: "is a label file over 256 MB") }
            bytes = try ByteStorage.map(file)
        } catch { throw .input("\(error)") }
        // The mapping must outlive the copy.
        let text = withExtendedLifetime(bytes) { String(decoding: bytes.bytes, as: UTF8.self) }
        let position = Dictionary(uniqueKeysWithValues: folder.images.enumerated().map { ($1, $0) })
        var labels = [Int?](repeating: nil, count: folder.images.count)
        var seen = Set<String>()
        // "\r\n" is one Character in Swift: both line ends split.
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, let label = Int(fields[1]) else {
                throw .input("\(path):\(number + 1): expected 'relative/path label'")
            }
            guard (0..<classes).contains(label) else {
                throw .input("\(path):\(number + 1): label \(label) is not one of the model's \(classes) classes")
            }
            let name = String(fields[0])
            guard seen.insert(name).inserted else { throw .input("\(path):\(number + 1): '\(name)' is listed twice") }
            if let i = position[name] { labels[i] = label }
        }
        return DatasetLabels(labels: labels, description: path)
    }

    /// `n` and eight digits.
    static func isWordNetID(_ name: String) -> Bool {
        name.count == 9 && name.first == "n" && name.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }
}
