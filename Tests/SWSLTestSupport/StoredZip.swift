import SWSLCore

/// Writes a zip archive of stored (uncompressed) members, for building hostile checkpoints in tests.
public struct StoredZip {
    public var members: [(name: String, data: [UInt8])] = []
    /// Overrides the uncompressed size written for a member (to make lying headers).
    public var declaredSize: [String: UInt32] = [:]

    public init(members: [(name: String, data: [UInt8])] = [], declaredSize: [String: UInt32] = [:]) {
        self.members = members
        self.declaredSize = declaredSize
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in members {
            let offset = UInt32(out.count)
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            let size = declaredSize[name] ?? UInt32(data.count)
            let nameBytes = Array(name.utf8)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(data.count)) + le32(size) + le16(UInt16(nameBytes.count)) + le16(0) + nameBytes + data
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(data.count)) + le32(size) + le16(UInt16(nameBytes.count)) + le16(0) + le16(0)
                + le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
            + le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
}
