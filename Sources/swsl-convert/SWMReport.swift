import SWSLCore
import SWSLFormat

/// `inspect` of a `.swm` file: metadata, tensor directory, validation result.
enum SWMReport {
    static func json(_ file: SWMFile, checked: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("file", .string(file.path)), ("format", .string("swm"))]
        if case .object(let meta) = file.metadataJSON {
            pairs += meta.filter { !["format", "classes"].contains($0.0) }
        }
        pairs.append(("num_classes", .int(Int64(file.metadata.classes.count))))
        pairs.append(("validation", .object([
            ("valid", .bool(true)),
            ("crc_checked", .bool(checked)),
        ])))
        pairs.append(("tensor_count", .int(Int64(file.entries.count))))
        pairs.append(("tensors", .array(file.entries.map { e in
            .object([
                ("name", .string(e.name)),
                ("dtype", .string(e.dtype.name)),
                ("shape", .array(e.shape.map { .int(Int64($0)) })),
                ("layout", .string(e.layout.name)),
                ("offset", .int(Int64(e.offset))),
                ("bytes", .int(Int64(e.byteLength))),
                ("crc32", .int(Int64(e.crc32))),
                ("scale", file.scale(of: e).map { .string($0.name) } ?? .null),
            ])
        })))
        return .object(pairs)
    }

    static func text(_ file: SWMFile, checked: Bool) -> String {
        var lines = ["\(file.path): swm, version 1, \(file.storage.count) bytes"]
        for key in ["architecture", "quantization", "provenance", "preprocessing", "report"] {
            if let value = file.metadataJSON[key] { lines.append("  \(key): \(value.serialized())") }
        }
        if let record = file.metadata.verification {
            lines.append("  verified: \(record.pass ? "PASS" : "FAIL") by \(record.tool) on \(record.samples) inputs (\(record.inputs); "
                         + "CRC-32 \(record.inputsCRC32)): cosine min \(record.cosineMin) (≥ \(record.cosineThreshold)), "
                         + "top-1 \(record.top1Agreement) (≥ \(record.top1Threshold))\(record.int8.map { "; int8 \($0)" } ?? "")"
                         + (record.kernels.map { "; kernels \($0)" } ?? ""))
        } else {
            lines.append("  verified: no record (convert --verify writes one)")
        }
        lines.append("  valid: \(checked ? "all rules, tensor CRCs checked" : "all rules (tensor CRCs not checked; use --check)")")
        let rows = file.entries.map { e in
            [e.name, e.dtype.name, "[" + e.shape.map(String.init).joined(separator: ", ") + "]", e.layout.name, String(e.byteLength)]
        }
        lines += HumanReport.table(header: ["name", "dtype", "shape", "layout", "bytes"], rows: rows, rightAligned: [4])
        lines.append("\(file.entries.count) tensors, \(file.entries.reduce(0) { $0 + $1.byteLength }) bytes of data")
        return lines.joined(separator: "\n")
    }
}
