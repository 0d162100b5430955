import SWSLCore

/// A tensor to be written: its bytes (already in the stored dtype and layout) and, for quantized
/// tensors, the name of its scale tensor.
public struct SWMTensor: Sendable {
    /// Canonical tensor name; names must be unique among the tensors of one file.
    public let name: String
    /// Element type of the bytes as stored (already quantized or converted).
    public let dtype: SWMDType
    /// Element order of the bytes; `packed` tensors have a 1-D shape.
    public let layout: SWMLayout
    /// Dimensions; element count × dtype size equals the byte count (a precondition when the tensor is made).
    public let shape: [Int]
    /// Holds the bytes (often a slice of one buffer shared by all of a conversion's tensors).
    public let storage: ByteStorage
    /// Name of this tensor's scale tensor (int8 weights), which must be among the tensors written; nil for none.
    public let scaleName: String?
    /// CRC-32 of the bytes, computed when the tensor is made (on the thread that made it, while the
    /// bytes are still in cache), so writing does not read them twice.
    public let crc32: UInt32

    /// The bytes, as stored.
    public var bytes: UnsafeRawBufferPointer { storage.bytes }
    /// A copy of the bytes.
    public var data: [UInt8] { Array(storage.bytes) }

    /// Wraps bytes already in the stored dtype and layout and computes their CRC-32. Traps when the byte
    /// count does not match `shape` × `dtype`.
    public init(name: String, dtype: SWMDType, layout: SWMLayout = .plain, shape: [Int], storage: ByteStorage,
                scaleName: String? = nil) {
        self.init(name: name, dtype: dtype, layout: layout, shape: shape, storage: storage, scaleName: scaleName,
                  crc32: CRC32.checksum(storage.bytes))
    }

    /// With the CRC-32 of the bytes already computed by the caller (who wrote them).
    package init(name: String, dtype: SWMDType, layout: SWMLayout = .plain, shape: [Int], storage: ByteStorage,
                 scaleName: String? = nil, crc32: UInt32) {
        precondition(shape.reduce(1, *) * dtype.byteSize == storage.count, "\(name): data does not match shape")
        self.name = name
        self.dtype = dtype
        self.layout = layout
        self.shape = shape
        self.storage = storage
        self.scaleName = scaleName
        self.crc32 = crc32
    }

    /// As the `storage:` initializer, with the bytes copied from `data`.
    public init(name: String, dtype: SWMDType, layout: SWMLayout = .plain, shape: [Int], data: [UInt8], scaleName: String? = nil) {
        self.init(name: name, dtype: dtype, layout: layout, shape: shape, storage: .copying(data), scaleName: scaleName)
    }

    /// A plain float32 tensor (biases, scales) copied from `floats`; `floats.count` must be the product of `shape`.
    public init(name: String, floats: [Float], shape: [Int]) {
        self.init(name: name, dtype: .float32, shape: shape, storage: floats.withUnsafeBytes { .copying($0) })
    }
}

/// Writes `.swm` files (Formats/SWM.md), atomically.
public enum SWMWriter {
    /// Writes `tensors` and `metadata` to `path` through a temporary file; on any error the
    /// destination is left as it was. Returns the number of bytes written.
    @discardableResult
    public static func write(to path: String, metadata: SWMMetadata, tensors: [SWMTensor]) throws(SWMError) -> Int {
        try write(to: path, metadataObject: metadata.json, tensors: tensors)
    }

    /// `write(to:metadata:tensors:)` with the metadata as a JSON object, unchecked: for tools and tests that
    /// write keys this version does not type, or metadata a reader must refuse.
    @discardableResult
    public static func write(to path: String, metadataObject: JSONValue, tensors: [SWMTensor]) throws(SWMError) -> Int {
        try SWMPendingFile(path: path, tensors: tensors, metadataDraft: metadataObject).finish(metadata: metadataObject)
    }
}

/// A `.swm` written in two steps: the directory and the tensor data first, then the header and the
/// metadata, so writing (and the disk's writeback) can start before a slow metadata field (the
/// source's SHA-256) is known. The layout is made for the draft metadata; the final metadata must
/// not serialize longer (shorter leaves a zero gap, which the format allows). Dropped unfinished,
/// it leaves no file.
public final class SWMPendingFile {
    private let file: AtomicFileWriter
    private let directory: [UInt8]
    private let tensorCount: Int
    private let metaCapacity: Int
    private let dirOffset: Int
    private let dataOffset: Int
    private let dataLength: Int

    /// Writes the directory and all tensor data to a temporary file beside `path`, with room for metadata as long
    /// as `metadataDraft`. Throws `.badEntry` for duplicate names, `.missingTensor` for an unknown scale name, `.io`.
    public convenience init(path: String, tensors: [SWMTensor], metadataDraft: SWMMetadata) throws(SWMError) {
        try self.init(path: path, tensors: tensors, metadataDraft: metadataDraft.json)
    }

    /// `init(path:tensors:metadataDraft:)` with the draft as a JSON object.
    public init(path: String, tensors: [SWMTensor], metadataDraft: JSONValue) throws(SWMError) {
        let index = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard index.count == tensors.count else { throw .badEntry("?", "duplicate tensor names", rule: nil) }
        // Data offsets, relative to the data section.
        var offsets: [Int] = []
        var dataLength = 0
        for t in tensors {
            offsets.append(dataLength)
            dataLength = SWM.aligned(dataLength + t.storage.count)
        }
        var directory: [UInt8] = []
        for (i, t) in tensors.enumerated() {
            var scaleIndex: Int?
            if let s = t.scaleName {
                guard let si = index[s] else { throw .missingTensor(s, rule: nil) }
                scaleIndex = si
            }
            SWMEntry(name: t.name, dtype: t.dtype, layout: t.layout, shape: t.shape, offset: offsets[i],
                     byteLength: t.storage.count, crc32: t.crc32, scaleIndex: scaleIndex).encode(into: &directory)
        }
        metaCapacity = metadataDraft.serialized().utf8.count
        dirOffset = SWM.aligned(SWM.headerSize + metaCapacity)
        dataOffset = SWM.aligned(dirOffset + directory.count)
        self.dataLength = dataLength
        self.directory = directory
        tensorCount = tensors.count
        do {
            file = try AtomicFileWriter(destination: path)
            try file.writeZeros(dirOffset)
            try file.write(directory)
            try file.writeZeros(dataOffset - dirOffset - directory.count)
            for (i, t) in tensors.enumerated() {
                try file.write(t.bytes)
                let end = i + 1 < tensors.count ? offsets[i + 1] : dataLength
                try file.writeZeros(end - offsets[i] - t.storage.count)
            }
            file.startWriteback()
        } catch {
            throw .io(error.reason)
        }
    }

    /// Writes the header and `metadata`, flushes and renames the file into place. Returns its size.
    @discardableResult
    public func finish(metadata: SWMMetadata) throws(SWMError) -> Int {
        try finish(metadata: metadata.json)
    }

    /// `finish(metadata:)` with the metadata as a JSON object, unchecked.
    @discardableResult
    public func finish(metadata: JSONValue) throws(SWMError) -> Int {
        let meta = Array(metadata.serialized().utf8)
        guard meta.count <= metaCapacity else {
            throw .badMetadata("\(meta.count) bytes of metadata, room for \(metaCapacity)", rule: nil)
        }
        let fileSize = dataOffset + dataLength
        var header: [UInt8] = SWM.magic
        header.appendLE(SWM.version)
        header.appendLE(UInt32(SWM.headerSize))
        header.appendLE(SWM.byteOrderMark)
        header.appendLE(UInt32(0))
        for v in [SWM.headerSize, meta.count, dirOffset, directory.count, dataOffset, dataLength, fileSize] {
            header.appendLE(UInt64(v))
        }
        header.appendLE(UInt32(tensorCount))
        header.appendLE(meta.withUnsafeBytes { CRC32.checksum($0) })
        header.appendLE(directory.withUnsafeBytes { CRC32.checksum($0) })
        header += [UInt8](repeating: 0, count: 124 - header.count)
        header.appendLE(header.withUnsafeBytes { CRC32.checksum($0) })
        let head = header + meta
        do throws(FileAccessError) {
            let result: Result<Void, FileAccessError> = head.withUnsafeBytes { raw in
                Result { () throws(FileAccessError) in try file.write(raw, at: 0) }
            }
            try result.get()
            try file.commit()
        } catch {
            throw .io(error.reason)
        }
        return fileSize
    }
}
