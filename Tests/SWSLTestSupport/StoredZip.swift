import SWSLCore

/// A zip archive of stored (uncompressed) members laid out one after the other, for building
/// checkpoints in tests (hostile ones through `declaredSize`). `ZipLayout` writes it.
public struct StoredZip {
    public var members: [(name: String, data: [UInt8])] = []
    /// Overrides the uncompressed size written for a member (to make lying headers).
    public var declaredSize: [String: UInt32] = [:]

    public init(members: [(name: String, data: [UInt8])] = [], declaredSize: [String: UInt32] = [:]) {
        self.members = members
        self.declaredSize = declaredSize
    }

    public var bytes: [UInt8] {
        var zip = ZipLayout()
        for (name, data) in members {
            zip.append(name, data: data, size: declaredSize[name].map(Int.init))
        }
        return zip.bytes
    }
}
