import SWSLCore

/// A mapped, validated `.swm` file. Tensors are views of the mapping (no copies).
public struct SWMFile: Sendable {
    /// The path the file was opened from (or the name given to `validate`), for messages.
    public let path: String
    /// The mapping (or buffer) of the whole file; tensors from `tensor(_:)` keep it alive.
    public let storage: ByteStorage
    /// The metadata, typed and checked (rule 9).
    public let metadata: SWMMetadata
    /// The metadata object as stored (for reports that print it whole).
    public let metadataJSON: JSONValue
    /// The metadata section's text, byte for byte (valid UTF-8 JSON: rule 9 parsed it).
    public let metadataText: String
    /// The directory over the data section: entries in file order, lookups, tensor views.
    let directory: SWMDirectory
    /// The network the architecture describes, its tensors checked against it (rule 14).
    public let network: SWMNetwork

    /// The directory entries in file order; `SWMEntry.scaleIndex` indexes this array.
    public var entries: [SWMEntry] { directory.entries }

    /// Maps and validates `path` (rules 1–19 of Formats/SWM.md; 15, the tensor CRCs, with `checkCRC`).
    public static func open(path: String, checkCRC: Bool = false) throws(SWMError) -> SWMFile {
        let storage: ByteStorage
        do { storage = try ByteStorage.map(path: path) } catch { throw .io(error.reason) }
        return try SWMFile(path: path, storage: storage, checkCRC: checkCRC)
    }

    /// Validates bytes already in memory; `path` names them in errors.
    public static func validate(bytes: ByteStorage, path: String, checkCRC: Bool = false) throws(SWMError) -> SWMFile {
        try SWMFile(path: path, storage: bytes, checkCRC: checkCRC)
    }

    /// True when the file at `path` starts with the `.swm` magic.
    public static func isSWM(path: String) -> Bool {
        guard let storage = try? ByteStorage.map(path: path) else { return false }
        return matches(storage.bytes)
    }

    /// True when `bytes` start with the `.swm` magic.
    public static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && Array(bytes[0..<8]) == SWM.magic
    }

    init(path: String, storage: ByteStorage, checkCRC: Bool) throws(SWMError) {
        self.path = path
        self.storage = storage
        let bytes = storage.bytes
        guard bytes.count >= SWM.headerSize else { throw .truncated("\(bytes.count) bytes, a header needs \(SWM.headerSize)", rule: 1) }
        guard SWMFile.matches(bytes) else { throw .notSWM }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<SWM.headerSize]))
        func u32() -> UInt32 { (try? r.readLE(UInt32.self)) ?? 0 }
        func u64() -> Int { Int(clamping: (try? r.readLE(UInt64.self)) ?? 0) }
        _ = try? r.skip(8)
        let version = u32()
        guard version == SWM.version else { throw .unsupportedVersion(version) }
        let headerSize = u32(), bom = u32()
        _ = u32()
        guard headerSize == UInt32(SWM.headerSize), bom == SWM.byteOrderMark else {
            throw .badHeader("header size \(headerSize), byte-order mark 0x\(String(bom, radix: 16))", rule: 4)
        }
        let headerCRC = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 124, as: UInt32.self))
        guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<124])) == headerCRC else { throw .checksum("header", rule: 5) }
        let metaOffset = u64(), metaLength = u64(), dirOffset = u64(), dirLength = u64()
        let dataOffset = u64(), dataLength = u64(), fileSize = u64()
        let count = Int(u32()), metaCRC = u32(), dirCRC = u32()
        guard fileSize == bytes.count else {
            throw fileSize > bytes.count ? .truncated("header says \(fileSize) bytes, file has \(bytes.count)", rule: 6)
                                         : .badHeader("\(bytes.count - fileSize) bytes after the declared end", rule: 6)
        }
        // Rule 7: sections inside the file, aligned, in order, not overlapping.
        var end = SWM.headerSize
        for (name, offset, length) in [("metadata", metaOffset, metaLength), ("directory", dirOffset, dirLength), ("data", dataOffset, dataLength)] {
            guard offset % SWM.alignment == 0, offset >= end, length <= bytes.count, offset <= bytes.count - length else {
                throw .badSection("\(name) at \(offset) length \(length) is misaligned, overlaps or leaves the file", rule: 7)
            }
            end = offset + length
        }
        let meta = UnsafeRawBufferPointer(rebasing: bytes[metaOffset..<metaOffset + metaLength])
        let dir = UnsafeRawBufferPointer(rebasing: bytes[dirOffset..<dirOffset + dirLength])
        guard CRC32.checksum(meta) == metaCRC else { throw .checksum("metadata", rule: 8) }
        guard CRC32.checksum(dir) == dirCRC else { throw .checksum("directory", rule: 8) }
        do { metadataJSON = try JSONParser.parse(meta, maxDepth: 16) } catch { throw .badMetadata(error.description) }
        metadataText = String(decoding: meta, as: UTF8.self)
        metadata = try SWMMetadata(json: metadataJSON)
        // Rule 16: only zero padding after the data.
        guard end == bytes.count || (SWM.aligned(end) == bytes.count && bytes[end...].allSatisfy { $0 == 0 }) else {
            throw .badSection("unexpected bytes after the data section", rule: 16)
        }

        // Rules 10–13: the directory.
        guard count <= dirLength / 24 else { throw .badSection("\(count) tensors cannot fit a \(dirLength)-byte directory", rule: 10) }
        var reader = ByteReader(dir, baseOffset: dirOffset)
        var entries: [SWMEntry] = []
        var byName: [String: Int] = [:]
        for i in 0..<count {
            let e = try SWMEntry.decode(&reader, index: i)
            guard byName[e.name] == nil else { throw .badEntry(e.name, "appears twice", rule: 10) }
            var elements = 1
            for d in e.shape {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw .badEntry(e.name, "element count overflows", rule: 11) }
                elements = p
            }
            guard elements * e.dtype.byteSize == e.byteLength else {
                throw .badEntry(e.name, "\(e.dtype.name) \(e.shape) needs \(elements * e.dtype.byteSize) bytes, entry says \(e.byteLength)", rule: 11)
            }
            guard e.offset % SWM.alignment == 0, e.offset <= dataLength, e.byteLength <= dataLength - e.offset else {
                throw .badEntry(e.name, "data at \(e.offset) length \(e.byteLength) is misaligned or outside the data section", rule: 12)
            }
            byName[e.name] = i
            entries.append(e)
        }
        guard reader.isAtEnd else { throw .badSection("directory has \(reader.remaining) bytes after its last entry", rule: 10) }
        // Rule 12 (no overlap) and rule 17 (every gap is zero bytes), walking the file in order.
        func zeros(_ range: Range<Int>, _ what: String) throws(SWMError) {
            guard bytes[range].allSatisfy({ $0 == 0 }) else { throw .badSection("non-zero padding \(what)", rule: 17) }
        }
        try zeros(SWM.headerSize..<metaOffset, "before the metadata")
        try zeros(metaOffset + metaLength..<dirOffset, "after the metadata")
        try zeros(dirOffset + dirLength..<dataOffset, "after the directory")
        var last = 0
        for e in entries.sorted(by: { $0.offset < $1.offset }) {
            guard e.offset >= last else { throw .badEntry(e.name, "overlaps another tensor", rule: 12) }
            try zeros(dataOffset + last..<dataOffset + e.offset, "before tensor '\(e.name)'")
            last = e.offset + e.byteLength
        }
        try zeros(dataOffset + last..<dataOffset + dataLength, "at the end of the data")
        for e in entries {
            guard let si = e.scaleIndex else { continue }
            // A packed tensor's channel count comes from the architecture: rule 14 checks its scales.
            guard si < entries.count, entries[si].dtype == .float32, entries[si].shape.count == 1,
                  entries[si].shape[0] == 1 || entries[si].shape[0] == e.shape.first
                    || (e.layout == .packed && entries[si].shape[0] >= 1)
            else { throw .badEntry(e.name, "scale index \(si) is not a float32 vector of its channels", rule: 13) }
        }
        try Self.checkFloatLayers(metadata, entries: entries)
        let directory = SWMDirectory(storage: storage, entries: entries, byName: byName, dataOffset: dataOffset)
        if checkCRC {
            for e in entries where CRC32.checksum(directory.bytes(of: e)) != e.crc32 { throw .checksum("tensor '\(e.name)'", rule: 15) }
        }
        self.directory = directory
        network = try SWMNetwork(metadata.architecture, directory)
    }

    /// Rule 19: every layer `quantization.float_layers` lists has weights of the dtype it names. (Other
    /// layers may hold any dtype, as version 1 always allowed; the list is what `--precision auto` chose.)
    static func checkFloatLayers(_ metadata: SWMMetadata, entries: [SWMEntry]) throws(SWMError) {
        guard metadata.quantization.precision == .int8 else { return }
        var kept: [String: String] = [:]
        for layer in metadata.quantization.floatLayers { kept[layer.layer] = layer.dtype }
        var seen = Set<String>()
        for e in entries where e.name.hasSuffix(".weight") {
            let layer = String(e.name.dropLast(".weight".count))
            if let dtype = kept[layer] {
                guard e.dtype.name == dtype else {
                    throw .badMetadata("quantization.float_layers: \(layer) is listed as \(dtype), its weights are \(e.dtype.name)", rule: 19)
                }
                seen.insert(layer)
            }
        }
        if let missing = kept.keys.sorted().first(where: { !seen.contains($0) }) {
            throw .badMetadata("quantization.float_layers: \(missing) has no weights in the file", rule: 19)
        }
    }

    /// The raw bytes of an entry (inside the mapping).
    public func bytes(of entry: SWMEntry) -> UnsafeRawBufferPointer { directory.bytes(of: entry) }

    /// The entry with the canonical name `name`, nil when the file has none.
    public func entry(_ name: String) -> SWMEntry? { directory.entry(name) }

    /// The scale tensor of a quantized entry.
    public func scale(of entry: SWMEntry) -> SWMEntry? { directory.scale(of: entry) }

    /// An entry as a tensor viewing the mapping (no copy; the file's storage stays alive with it).
    public func tensor(_ entry: SWMEntry) -> Tensor { directory.tensor(entry) }

    /// The float32 values of an f32 entry (copied).
    public func floats(_ entry: SWMEntry) -> [Float] { directory.floats(entry) }
}

/// A validated directory over the mapped data section (rules 10–13): lookups and views of its tensors.
struct SWMDirectory: Sendable {
    let storage: ByteStorage
    let entries: [SWMEntry]
    let byName: [String: Int]
    let dataOffset: Int

    func bytes(of entry: SWMEntry) -> UnsafeRawBufferPointer {
        let start = dataOffset + entry.offset
        return UnsafeRawBufferPointer(rebasing: storage.bytes[start..<start + entry.byteLength])
    }

    func entry(_ name: String) -> SWMEntry? { byName[name].map { entries[$0] } }

    func scale(of entry: SWMEntry) -> SWMEntry? { entry.scaleIndex.map { entries[$0] } }

    func tensor(_ entry: SWMEntry) -> Tensor {
        let offset = dataOffset + entry.offset
        let dtype = entry.dtype.tensorType
        // Validation (rules 11 and 12) guarantees the range; this cannot fail.
        return try! Tensor(dtype: dtype, shape: entry.shape, storage: storage, byteOffset: offset)
    }

    func floats(_ entry: SWMEntry) -> [Float] {
        let raw = bytes(of: entry)
        return (0..<entry.elementCount).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
}
