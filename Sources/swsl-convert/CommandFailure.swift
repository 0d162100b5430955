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
    /// What went wrong: the error value itself (a library's typed error, or a `Reason`), worded only when printed.
    let cause: any Error
    let kind: Kind

    /// A failure of the command itself, in words.
    struct Reason: Error, CustomStringConvertible {
        let description: String
    }

    /// A failure about `place` (nil: none), in words.
    init(place: String? = nil, _ message: String, kind: Kind = .input) {
        self.init(place: place, error: Reason(description: message), kind: kind)
    }

    /// A library's error about `place` (nil when its description names its file itself), kept as a value.
    init(place: String?, error: any Error, kind: Kind = .input) {
        self.place = place
        self.cause = error
        self.kind = kind
    }

    /// An error whose description already names its file.
    init(_ error: any Error, kind: Kind = .input) {
        self.init(place: nil, error: error, kind: kind)
    }

    /// The one place an error becomes text: `swsl-convert: PLACE: CAUSE`.
    var description: String { "swsl-convert: " + (place.map { "\($0): " } ?? "") + "\(cause)" }
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
