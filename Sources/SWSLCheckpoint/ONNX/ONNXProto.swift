internal import CONNX
internal import CProtobufC

/// Safe access to the arrays and strings of protobuf-c's unpacked messages.
enum ONNXProto {
    /// A C string, "" for NULL. Invalid UTF-8 is repaired.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// A `bytes` field decoded as UTF-8 (invalid sequences repaired; NUL bytes kept).
    static func string(_ data: ProtobufCBinaryData) -> String {
        String(decoding: UnsafeRawBufferPointer(start: data.data, count: data.data == nil ? 0 : data.len), as: UTF8.self)
    }

    /// A repeated scalar field; a NULL array with a non-zero count is an error at `place`.
    static func buffer<T>(_ base: UnsafeMutablePointer<T>?, _ count: Int, _ place: String) throws(ReadError)
        -> UnsafeBufferPointer<T>
    {
        guard count == 0 || base != nil else { throw .corrupt(where: place, "NULL array of \(count) elements") }
        return UnsafeBufferPointer(start: base, count: count)
    }

    /// A repeated message field as values; NULL arrays or elements are errors at `place`.
    static func messages<T>(_ base: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int, _ place: String)
        throws(ReadError) -> [T]
    {
        try buffer(base, count, place).map { (element: UnsafeMutablePointer<T>?) throws(ReadError) -> T in
            guard let element else { throw .corrupt(where: place, "NULL element") }
            return element.pointee
        }
    }

    /// A repeated string field.
    static func strings(_ base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int, _ place: String)
        throws(ReadError) -> [String]
    {
        try buffer(base, count, place).map { string($0) }
    }
}
