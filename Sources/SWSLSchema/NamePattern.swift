/// A dotted module path with integer placeholders, read and written both ways:
/// `layer{s}.{b}.conv{k}` or `encoder.stages.{s-1}.layers.{b}` (the source counts from 0
/// where the canonical name counts from 1).
struct NamePattern: Sendable {
    private enum Token: Sendable {
        case literal(String)
        /// A decimal number standing for `variable + offset`.
        case number(variable: Character, offset: Int)
    }

    private let tokens: [Token]

    /// Parses `text`; placeholders are `{x}` or `{x-1}` with a one-letter variable.
    init(_ text: String) {
        var tokens: [Token] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { tokens.append(.literal(String(rest[..<open]))) }
            let close = rest[open...].firstIndex(of: "}")!
            let body = rest[rest.index(after: open)..<close]
            tokens.append(.number(variable: body.first!, offset: body.count > 1 ? Int(body.dropFirst())! : 0))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { tokens.append(.literal(String(rest))) }
        self.tokens = tokens
    }

    /// The variables' values when `name` matches the whole pattern, else nil.
    func match(_ name: String) -> [Character: Int]? {
        var values: [Character: Int] = [:]
        var rest = Substring(name)
        for token in tokens {
            switch token {
            case .literal(let text):
                guard rest.hasPrefix(text) else { return nil }
                rest = rest.dropFirst(text.count)
            case .number(let variable, let offset):
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count < 10, let value = Int(digits) else { return nil }
                values[variable] = value - offset
                rest = rest.dropFirst(digits.count)
            }
        }
        return rest.isEmpty ? values : nil
    }

    /// The name for these variable values; nil when one is missing.
    func render(_ values: [Character: Int]) -> String? {
        var out = ""
        for token in tokens {
            switch token {
            case .literal(let text): out += text
            case .number(let variable, let offset):
                guard let value = values[variable] else { return nil }
                out += String(value + offset)
            }
        }
        return out
    }
}
