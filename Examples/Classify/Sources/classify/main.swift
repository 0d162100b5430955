// classify MODEL.swm IMAGE [K]: the K (default 5) most probable classes of a JPEG or PNG photo, with
// their probabilities, as `swsl-convert run MODEL.swm --image IMAGE` prints them.
import SWMRuntime
#if canImport(Glibc)
import Glibc
#endif

/// One line on standard error.
func complain(_ message: String) {
    var line = message + "\n"
    _ = line.withUTF8 { write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4, let k = arguments.count == 4 ? Int(arguments[3]) : 5, k >= 1 else {
    complain("usage: classify MODEL.swm IMAGE [K]")
    exit(64)
}
do {
    // The defaults, spelled out: integer arithmetic, the file's calibrated activation ranges where it has some.
    let model = try SWMModel(path: arguments[1], options: .init(int8: Int8Mode(.integer, activations: .calibrated)))
    let best = try model.classify(imageAt: arguments[2], top: k)
    print(arguments[2] + ": " + best.map(\.description).joined(separator: ", "))
} catch {
    complain("classify: \(error)")
    exit(2)
}
