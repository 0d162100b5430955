/// Constants of the `.swm` layout (Formats/SWM.md).
public enum SWM {
    /// The 8 bytes every file starts with (`\x89SWM\r\n\x1a\n`); a mismatch fails rule 2.
    public static let magic: [UInt8] = [0x89, 0x53, 0x57, 0x4D, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Format version at header offset 8; readers accept only this one (rule 3).
    public static let version: UInt32 = 1
    /// Header length in bytes, also stored at offset 12 (rule 4); the metadata starts at or after it.
    public static let headerSize = 128
    /// Stored little-endian at header offset 16; any other value means a byte-swapped or foreign file (rule 4).
    public static let byteOrderMark: UInt32 = 0x0102_0304
    /// Every section and tensor starts at a multiple of this.
    public static let alignment = 64

    static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}
