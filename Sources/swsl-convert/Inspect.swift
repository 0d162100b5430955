#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SWSLCheckpoint
import SWSLCore
import SWSLFormat
import SWSLSchema

/// `swsl-convert inspect FILE [--json]`: format facts, where the weights are, and a table of tensors.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a checkpoint's format facts, where its weights are, and its tensors.")

    @Argument(help: "A PyTorch (.pth/.pt: zip, legacy or tar), ONNX, safetensors or .swm file, or a Hugging Face hub folder.")
    var file: String

    @Flag(help: "Print one JSON object on stdout instead of the human report.")
    var json = false

    @Flag(help: "For .swm files: also verify every tensor's CRC-32.")
    var check = false

    func run() throws {
        if SWMFile.isSWM(path: file) {
            let swm = try openSWM(file, checkCRC: check)
            print(json ? SWMReport.json(swm, checked: check).serialized(pretty: true) : SWMReport.text(swm, checked: check))
            return
        }
        let checkpoint = try withInputErrors { () throws(CheckpointError) in try CheckpointReader.read(path: file) }
        let report = checkpoint.report()
        let mapping = Result { () throws(SchemaError) in try SchemaMapper.map(checkpoint) }
        let release = Self.release(of: checkpoint.path)
        for warning in release.warnings { printError("swsl-convert: warning: \(checkpoint.path): \(warning)") }
        if json {
            print(Self.adding(release, to: Self.adding(mapping, to: report)).serialized(pretty: true))
        } else {
            print(HumanReport.render(checkpoint, report: report))
            switch mapping {
            case .success(let model):
                print("architecture: \(model.architecture)")
                if let assumption = model.assumption, release.release == nil { print("reading: \(assumption)") }
            case .failure(let error): print("architecture: not recognised: \(error)")
            }
            if let found = release.release {
                print("release: the official \(found.names)")
            }
        }
    }

    /// Checks the file against the official releases by name, size and SHA-256.
    static func release(of path: String) -> ReleaseCheck {
        var info = stat()
        let size = stat(path, &info) == 0 ? Int(info.st_size) : 0
        let name = String(path.split(separator: "/").last ?? Substring(path))
        // The hash is computed only when the name or the size could be a release's (it reads the whole file).
        let candidate = OfficialReleases.hashPrefix(of: name) != nil || OfficialReleases.all.contains { $0.size == size }
        return OfficialReleases.check(fileName: name, size: size, sha256: candidate ? SHA256.hex(path: path) ?? "" : "")
    }

    /// The report with `release` (the official release's names, or null) and `release_warnings`.
    static func adding(_ release: ReleaseCheck, to report: JSONValue) -> JSONValue {
        guard case .object(var pairs) = report else { return report }
        let found: JSONValue = release.release.map { r in
            .object([("hub_entry", .string(r.hubEntry)), ("timm_old_name", .string(r.timmOldName)),
                     ("timm_name", .string(r.timmName)), ("file_name", .string(r.fileName)), ("size", .int(Int64(r.size)))])
        } ?? .null
        pairs += [("release", found), ("release_warnings", .array(release.warnings.map(JSONValue.string)))]
        return .object(pairs)
    }

    /// The report with `convention` and `architecture`; both null, and `architecture_error` added,
    /// when the weights are not a ResNet the schema recognises.
    static func adding(_ mapping: Result<CanonicalModel, SchemaError>, to report: JSONValue) -> JSONValue {
        guard case .object(var pairs) = report else { return report }
        switch mapping {
        case .success(let model):
            pairs += [("convention", .string(model.convention.rawValue)), ("architecture", model.architecture.report()),
                      ("assumption", model.assumption.map(JSONValue.string) ?? .null)]
        case .failure(let error):
            pairs += [("convention", .null), ("architecture", .null), ("architecture_error", .string(error.description))]
        }
        return .object(pairs)
    }
}

/// Opens and validates a `.swm`; a refusal is printed as `swsl-convert: FILE: why` and exits with 2.
func openSWM(_ path: String, checkCRC: Bool) throws -> SWMFile {
    do { return try SWMFile.open(path: path, checkCRC: checkCRC) } catch {
        throw CommandFailure(place: path, error: error)
    }
}

/// Runs `body`; a checkpoint error is printed to stderr as `swsl-convert: FILE: why` and exits with 2.
func withInputErrors<T>(_ body: () throws(CheckpointError) -> T) throws -> T {
    do { return try body() } catch {
        throw CommandFailure(error)
    }
}
