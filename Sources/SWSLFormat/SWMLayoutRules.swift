/// Constants of the `.swm` layout (Formats/SWM.md).
public enum SWM {
    public static let magic: [UInt8] = [0x89, 0x53, 0x57, 0x4D, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let version: UInt32 = 1
    public static let headerSize = 128
    public static let byteOrderMark: UInt32 = 0x0102_0304
    /// Every section and tensor starts at a multiple of this.
    public static let alignment = 64

    static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}
