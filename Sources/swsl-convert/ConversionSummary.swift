import SWSLCore
import SWSLFormat
import SWSLSchema
import SWSLTransform
import SWSLNetwork

/// What `convert` prints at the end: sizes, the worst weight SQNR, time.
struct ConversionSummary {
    let input: String
    let output: String
    let architecture: ResNetArchitecture
    let precision: Precision
    let sourceBytes: Int
    let outputBytes: Int
    let worst: (String, Double)?
    /// How activations were calibrated (int8), nil when they were not.
    let calibration: String?
    /// Seconds per phase (read, map, sha256, fold_quantize, write).
    let phases: [(String, Double)]
    /// `--precision auto`'s choice, nil when off.
    var precisionChoice: String? = nil
    /// The official release the source file is, nil when it is none.
    var release: OfficialRelease? = nil
    /// How the source was read when its file could mean more than one network; nil when it said which.
    var assumption: String? = nil

    var seconds: Double { phases.reduce(0) { $0 + $1.1 } }

    var text: String {
        var lines = [
            "\(output): \(architecture.description)",
        ]
        if let release { lines.append("  release     the official \(release.names)") }
        if let assumption { lines.append("  reading     \(assumption)") }
        lines += [
            "  precision   \(precision.rawValue)",
            "  size        \(Self.megabytes(sourceBytes)) → \(Self.megabytes(outputBytes)) (\(Self.percent(outputBytes, of: sourceBytes)) of the source)",
        ]
        if let (name, db) = worst { lines.append("  worst SQNR  \(Self.decibels(db)) (\(name))") }
        if precision == .int8 { lines.append("  activations \(calibration.map { "calibrated on \($0)" } ?? "not calibrated (the integer path measures each input)")") }
        if let precisionChoice { lines.append("  layers      \(precisionChoice)") }
        let detail = phases.map { "\($0.0) \(Self.fixed($0.1 * 1000, 1))" }.joined(separator: ", ")
        lines.append("  time        \(Self.fixed(seconds * 1000, 1)) ms (\(detail))")
        return lines.joined(separator: "\n")
    }

    private var assumptionJSON: JSONValue { assumption.map(JSONValue.string) ?? .null }

    var json: JSONValue {
        .object([
            ("input", .string(input)),
            ("output", .string(output)),
            ("architecture", architecture.report()),
            ("precision", .string(precision.rawValue)),
            ("source_bytes", .int(Int64(sourceBytes))),
            ("output_bytes", .int(Int64(outputBytes))),
            ("worst_sqnr_db", worst.map { .double($0.1.isFinite ? $0.1 : 999) } ?? .null),
            ("worst_sqnr_tensor", worst.map { .string($0.0) } ?? .null),
            ("calibration", calibration.map(JSONValue.string) ?? .null),
            ("precision_auto", precisionChoice.map(JSONValue.string) ?? .null),
            ("release", release.map { .string($0.hubEntry) } ?? .null),
            ("assumption", assumptionJSON),
            ("seconds", .double(seconds)),
            ("phases", .object(phases.map { ($0.0, .double($0.1)) })),
        ])
    }

    static func megabytes(_ n: Int) -> String { "\(fixed(Double(n) / 1e6, 2)) MB" }
    static func percent(_ a: Int, of b: Int) -> String { b == 0 ? "-" : "\(fixed(100 * Double(a) / Double(b), 1))%" }
    static func decibels(_ d: Double) -> String { d.isFinite ? "\(fixed(d, 1)) dB" : "exact" }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
