import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The one way a command fails on bad input: `SWSLConvert.main` prints it as one line on stderr,
/// `swsl-convert: PLACE: what is wrong`, and exits with its kind's status. PLACE is the file (or the
/// option) at fault; errors that name their file themselves are printed as they are.
struct CommandFailure: Error, CustomStringConvertible {
    /// Exit statuses, one per kind of failure.
    enum Kind: Int32 {
        /// A numerical failure: `convert --verify` found the converted model too far from its source.
        case numerical = 1
        /// A file, path or argument that cannot be used: unreadable, hostile, not a ResNet, not writable.
        case input = 2
    }

    let place: String?
    let message: String
    let kind: Kind

    init(place: String? = nil, _ message: String, kind: Kind = .input) {
        self.place = place
        self.message = message
        self.kind = kind
    }

    /// An error whose description already names its file.
    init(_ error: any Error, kind: Kind = .input) {
        self.init(place: nil, "\(error)", kind: kind)
    }

    var description: String { "swsl-convert: " + (place.map { "\($0): " } ?? "") + message }
}

extension SWSLConvert {
    /// Parses and runs the command. A `CommandFailure` ends here, in one line and its exit status;
    /// everything else (usage errors, `verify`'s exit status 1) as swift-argument-parser ends it.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printError(failure.description)
            Glibc.exit(failure.kind.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
