import SWSLCore

/// Opens any checkpoint we read: detects the format from its bytes, never from its name
/// (except that ONNX, which has no magic number, is tried last).
public enum CheckpointReader {
    /// Reads the file at `path`, or the weights of the Hugging Face hub folder at `path`
    /// (`HubFolder`). Every failure is a `CheckpointError` naming the file.
    public static func read(path: String) throws(CheckpointError) -> Checkpoint {
        if HubFolder.isFolder(path) { return try read(hub: try HubFolder.open(path)) }
        return try readFile(path: path)
    }

    /// Reads the weights of an opened hub folder; `hub` and its facts go with them.
    public static func read(hub: HubConfig) throws(CheckpointError) -> Checkpoint {
        var checkpoint = try readFile(path: hub.weightsPath)
        checkpoint.hub = hub
        let facts: [(String, String?)] = [("hub_folder", hub.folder), ("hub_weights", hub.weightsPath.split(separator: "/").last.map(String.init)),
                                          ("hub_model", hub.modelName), ("hub_license", hub.license),
                                          ("hub_preprocessing", hub.preprocessingSource)]
        checkpoint.facts += facts.compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
        return checkpoint
    }

    /// Reads the file at `path` (never a folder: that is refused as not a regular file).
    static func readFile(path: String) throws(CheckpointError) -> Checkpoint {
        do throws(ReadError) {
            let file: ByteStorage
            do { file = try ByteStorage.map(path: path) } catch {
                throw ReadError.unreadable(error.reason)
            }
            return try read(path: path, file: file)
        } catch {
            throw CheckpointError(file: path, reason: error)
        }
    }

    /// The format the bytes look like, or nil.
    public static func detect(_ bytes: UnsafeRawBufferPointer, path: String) -> CheckpointFormat? {
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 0x03 || bytes[2] == 0x05 { return .pytorchZip }
        if TarArchive.matches(bytes) { return .pytorchTar }
        if TorchLegacyReader.matches(bytes) { return .pytorchLegacy }
        if SafetensorsReader.matches(bytes) { return .safetensors }
        if path.lowercased().hasSuffix(".onnx") || (bytes.first == 0x08 && bytes.count > 16) { return .onnx }
        return nil
    }

    /// Reads a checkpoint from bytes already in memory; `path` names it in errors (and locates ONNX
    /// external data). Every failure is a `CheckpointError`.
    public static func read(bytes file: ByteStorage, path: String) throws(CheckpointError) -> Checkpoint {
        do { return try read(path: path, file: file) } catch { throw CheckpointError(file: path, reason: error) }
    }

    static func read(path: String, file: ByteStorage) throws(ReadError) -> Checkpoint {
        guard file.count > 0 else { throw .unknownFormat("the file is empty") }
        guard let format = detect(file.bytes, path: path) else {
            let head = file.bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw .unknownFormat("not a PyTorch (zip, legacy or tar), ONNX or safetensors file (first bytes: \(head))")
        }
        switch format {
        case .pytorchZip: return try TorchZipReader.read(path: path, file: file)
        case .pytorchLegacy: return try TorchLegacyReader.read(path: path, file: file)
        case .pytorchTar: return try TorchTarReader.read(path: path, file: file)
        case .safetensors: return try SafetensorsReader.read(path: path, file: file)
        case .onnx: return try ONNXReader.read(path: path, storage: file)
        }
    }
}
