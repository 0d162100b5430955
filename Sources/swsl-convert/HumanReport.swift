import SWSLCheckpoint
import SWSLCore
#if canImport(Glibc)
import Glibc
#endif

/// The human-readable `inspect` report.
enum HumanReport {
    static func render(_ checkpoint: Checkpoint, report: JSONValue) -> String {
        var lines = ["\(checkpoint.path): \(checkpoint.format.rawValue)"]
        for (key, value) in checkpoint.facts {
            let text: String = if case .string(let s) = value { s } else { value.serialized() }
            lines.append("  \(key): \(text)")
        }
        var location = checkpoint.wrapper.map { "weights found under '\($0)'" } ?? "weights are the top-level mapping"
        if let prefix = checkpoint.prefix { location += ", every name prefixed '\(prefix)'" }
        lines.append(location)
        let rows = checkpoint.weights.map { w in
            [w.name, w.tensor.dtype.rawValue, "[" + w.tensor.shape.map(String.init).joined(separator: ", ") + "]",
             String(w.tensor.byteCount)]
        }
        lines += table(header: ["name", "dtype", "shape", "bytes"], rows: rows, rightAligned: [3])
        lines.append("\(checkpoint.weights.count) tensors, \(checkpoint.parameterCount) parameters, "
            + "\(checkpoint.weightBytes) bytes, dtype \(checkpoint.weightDType?.rawValue ?? "none")")
        return lines.joined(separator: "\n")
    }

    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                return rightAligned.contains(c) ? pad + row[c] : row[c] + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
