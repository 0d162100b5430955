import Foundation
import SWSLCore
import SWSLTestSupport

/// Paths of the committed fixtures and their goldens.
enum Fixtures {
    /// `<package>/Fixtures`.
    static let root = FixtureFiles.root

    /// Absolute path of a file given relative to `Fixtures/`.
    static func path(_ relative: String) -> String { FixtureFiles.path(relative) }

    /// A checkpoint built from one of the four fixture models, with its golden logits.
    struct ModelCheckpoint: CustomStringConvertible, Sendable {
        /// Relative to `Fixtures/`.
        let file: String
        let architecture: String
        let input: String
        let logits: String
        var description: String { file }
    }

    /// Every golden that names an architecture (all formats and conventions, ONNX flavours too).
    static let modelCheckpoints: [ModelCheckpoint] = {
        let folder = root.appendingPathComponent("golden")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("models__") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                  let json = try? JSONParser.parse(Array(data)),
                  case .string(let file)? = json["file"], case .string(let architecture)? = json["architecture"],
                  case .string(let input)? = json["input"], case .string(let logits)? = json["logits"] else { return nil }
            return ModelCheckpoint(file: file, architecture: architecture, input: input, logits: logits)
        }
    }()
}
