/// Facts read from a TorchScript archive's code, as text: the code is never run. A module's class
/// `__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d` lives in `__torch__/torch/nn/modules/conv/___torch_mangle_3.py`
/// (`…/conv.py` without the mangling). Scripted classes declare their constants (`stride : Final[Tuple[int, int]] = (2, 2)`);
/// traced ones spell them in the call (`torch._convolution(x, weight, None, [2, 2], [1, 1], [1, 1], False, [0, 0], 1, …)`).
enum ScriptCode {
    /// A convolution class's `stride`, `padding`, `dilation` (pairs) and `groups`, from its code; empty when
    /// the class is not a convolution or its code does not say.
    static func convolutionAttributes(of className: String, in code: [String: String]) -> [String: [Int]] {
        guard className.hasSuffix(".Conv2d"), let body = classBody(className, in: code) else { return [:] }
        var out: [String: [Int]] = [:]
        // Scripted: the class's Final constants.
        for line in body.split(separator: "\n") {
            let text = line.trimmingPrefix(while: { $0 == " " })
            for key in ["stride", "padding", "dilation", "groups"] where text.hasPrefix(key + " : Final[") {
                guard let equals = text.firstRange(of: "] = ") else { continue }
                let value = integers(text[equals.upperBound...])
                if !value.isEmpty { out[key] = value }
            }
        }
        if !out.isEmpty { return out }
        // Traced: the call's arguments.
        for call in ["torch._convolution(", "torch.conv2d("] {
            guard let start = body.firstRange(of: call) else { continue }
            let args = arguments(body[start.upperBound...])
            guard args.count >= 6 else { continue }
            out["stride"] = integers(args[3])
            out["padding"] = integers(args[4])
            out["dilation"] = integers(args[5])
            let groupsIndex = call == "torch._convolution(" ? 8 : 6
            out["groups"] = args.count > groupsIndex ? integers(args[groupsIndex]) : [1]
            return out.filter { !$0.value.isEmpty }
        }
        return [:]
    }

    /// The text of `class Name(` up to the next top-level class, in the file the dotted class name points to.
    static func classBody(_ className: String, in code: [String: String]) -> Substring? {
        var parts = className.split(separator: ".")
        guard parts.count >= 2, let name = parts.popLast() else { return nil }
        guard let text = code[parts.joined(separator: "/") + ".py"],
              let start = text.firstRange(of: "class \(name)(") else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.firstRange(of: "\nclass ")?.lowerBound ?? rest.endIndex
        return rest[..<end]
    }

    /// The top-level arguments of a call whose opening parenthesis has been read, up to its closing one
    /// (at most 64 arguments, 4096 characters).
    static func arguments(_ text: Substring) -> [Substring] {
        var out: [Substring] = []
        var depth = 0, start = text.startIndex, count = 0
        for index in text.indices {
            count += 1
            if count > 4096 || out.count >= 64 { break }
            switch text[index] {
            case "[", "(": depth += 1
            case "]": depth -= 1
            case ")" where depth == 0:
                out.append(text[start..<index])
                return out
            case ")": depth -= 1
            case "," where depth == 0:
                out.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        return out
    }

    /// The non-negative integers in a short constant (`[2, 2]`, `(1, 1)`, `1`), in order; at most 4.
    static func integers(_ text: Substring) -> [Int] {
        var out: [Int] = [], current: Int?
        for character in text.prefix(64) {
            if let digit = character.wholeNumberValue, character.isASCII {
                current = min((current ?? 0) * 10 + digit, 1 << 20)
            } else {
                if let value = current { out.append(value) }
                current = nil
                if character == "#" || character == "\n" { break }
            }
        }
        if let value = current { out.append(value) }
        return Array(out.prefix(4))
    }
}
