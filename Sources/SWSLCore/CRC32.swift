internal import CZlib

/// zlib's CRC-32 (the checksum zip and `.swm` use).
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = UInt(crc)
        var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var left = bytes.count
        while left > 0 {
            let chunk = min(left, Int(UInt32.max >> 1))
            value = crc32(value, base, UInt32(chunk))
            base = base! + chunk
            left -= chunk
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
