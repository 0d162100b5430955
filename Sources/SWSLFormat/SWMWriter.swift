import SWSLCore

/// A tensor to be written: its bytes (already in the stored dtype and layout) and, for quantized
/// tensors, the name of its scale tensor.
public struct SWMTensor: Sendable {
    public let name: String
    public let dtype: SWMDType
    public let layout: SWMLayout
    public let shape: [Int]
    public let data: [UInt8]
    public let scaleName: String?

    public init(name: String, dtype: SWMDType, layout: SWMLayout = .plain, shape: [Int], data: [UInt8], scaleName: String? = nil) {
        precondition(shape.reduce(1, *) * dtype.byteSize == data.count, "\(name): data does not match shape")
        self.name = name
        self.dtype = dtype
        self.layout = layout
        self.shape = shape
        self.data = data
        self.scaleName = scaleName
    }

    public init(name: String, floats: [Float], shape: [Int]) {
        self.init(name: name, dtype: .float32, shape: shape,
                  data: floats.withUnsafeBytes { Array($0) })
    }
}

/// Writes `.swm` files (Formats/SWM.md), atomically.
public enum SWMWriter {
    /// Writes `tensors` and `metadata` to `path` through a temporary file; on any error the
    /// destination is left as it was. Returns the number of bytes written.
    @discardableResult
    public static func write(to path: String, metadata: JSONValue, tensors: [SWMTensor]) throws(SWMError) -> Int {
        let index = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard index.count == tensors.count else { throw .badEntry("?", "duplicate tensor names") }

        // Data offsets, relative to the data section.
        var offsets: [Int] = []
        var dataLength = 0
        for t in tensors {
            offsets.append(dataLength)
            dataLength = SWM.aligned(dataLength + t.data.count)
        }
        var directory: [UInt8] = []
        for (i, t) in tensors.enumerated() {
            var scaleIndex: Int?
            if let s = t.scaleName {
                guard let si = index[s] else { throw .missingTensor(s) }
                scaleIndex = si
            }
            let crc = t.data.withUnsafeBytes { CRC32.checksum($0) }
            SWMEntry(name: t.name, dtype: t.dtype, layout: t.layout, shape: t.shape, offset: offsets[i],
                     byteLength: t.data.count, crc32: crc, scaleIndex: scaleIndex).encode(into: &directory)
        }
        let meta = Array(metadata.serialized().utf8)
        let metaOffset = SWM.headerSize
        let dirOffset = SWM.aligned(metaOffset + meta.count)
        let dataOffset = SWM.aligned(dirOffset + directory.count)
        let fileSize = dataOffset + dataLength

        var header: [UInt8] = SWM.magic
        header.appendLE(SWM.version)
        header.appendLE(UInt32(SWM.headerSize))
        header.appendLE(SWM.byteOrderMark)
        header.appendLE(UInt32(0))
        for v in [metaOffset, meta.count, dirOffset, directory.count, dataOffset, dataLength, fileSize] {
            header.appendLE(UInt64(v))
        }
        header.appendLE(UInt32(tensors.count))
        header.appendLE(meta.withUnsafeBytes { CRC32.checksum($0) })
        header.appendLE(directory.withUnsafeBytes { CRC32.checksum($0) })
        header += [UInt8](repeating: 0, count: 124 - header.count)
        header.appendLE(header.withUnsafeBytes { CRC32.checksum($0) })

        do {
            let file = try AtomicFileWriter(destination: path)
            try file.write(header)
            try file.write(meta)
            try file.writeZeros(dirOffset - metaOffset - meta.count)
            try file.write(directory)
            try file.writeZeros(dataOffset - dirOffset - directory.count)
            for (i, t) in tensors.enumerated() {
                try file.write(t.data)
                let end = i + 1 < tensors.count ? offsets[i + 1] : dataLength
                try file.writeZeros(end - offsets[i] - t.data.count)
            }
            try file.commit()
        } catch {
            throw .io(error.description)
        }
        return fileSize
    }
}
