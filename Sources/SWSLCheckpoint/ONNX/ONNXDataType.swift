import SWSLCore

/// ONNX's `TensorProto.DataType` codes: their names, and the `DType` of the ones we read.
enum ONNXDataType {
    /// Names of the codes 0...23, indexed by code.
    private static let names = [
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
        "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
        "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1",
    ]

    /// The `DType` a supported code reads as; nil for every other code.
    static func dtype(code: Int) -> DType? {
        switch code {
        case 1: .float32
        case 2: .uint8
        case 3: .int8
        case 5: .int16
        case 6: .int32
        case 7: .int64
        case 9: .bool
        case 10: .float16
        case 11: .float64
        case 16: .bfloat16
        default: nil
        }
    }

    /// "FLOAT (1)", or "unknown (99)" for codes outside the specification.
    static func describe(code: Int) -> String {
        "\(names.indices.contains(code) ? names[code] : "unknown") (\(code))"
    }
}
