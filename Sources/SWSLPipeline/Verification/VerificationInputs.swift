import CSampleImages
import SWSLFormat
import SWMRuntime

/// `verify`'s default inputs when the user gives none: three families chosen to be unlike each other
/// and unlike anything a conversion calibrates on (`SyntheticInputs`, or the user's own images).
///
/// - photographs: the four everyday photographs bundled in `CSampleImages` (scikit-image's
///   astronaut, chelsea, coffee and rocket), preprocessed as the model's metadata says;
/// - shapes: flat backgrounds with hard-edged rectangles and discs of random colours over a linear
///   gradient, drawn in pixel space with a SplitMix64 generator (the calibration generator is a
///   xorshift of smooth sinusoids and noise);
/// - noise: independent uniform pixels over the whole 0–255 range.
///
/// Pixels are normalised with the model's mean and deviation. A model with other than three input
/// channels takes channel `c` from the photograph's channel `c % 3`, or their mean for one channel.
public struct VerificationInputs: Sendable {
    /// One family of inputs: `range` indexes the batch.
    public struct Group: Sendable, Equatable {
        /// `photographs`, `shapes` or `noise`.
        public let name: String
        /// What the inputs are, for the report.
        public let description: String
        /// The inputs of the batch that belong to it.
        public let range: Range<Int>
    }

    /// NCHW float32 values of the whole batch.
    public let values: [Float]
    /// `[N, C, H, W]`.
    public let shape: [Int]
    /// The families in batch order.
    public let groups: [Group]

    /// Names of the bundled photographs.
    public static var photographNames: [String] {
        (0..<Int(swsl_sample_image_count())).map { String(cString: swsl_sample_image_name(Int32($0))) }
    }

    /// The default set for a model with `channels` input channels at `size` × `size`: every bundled
    /// photograph, then `generated` inputs of which a third (rounded down) are noise and the rest shapes.
    /// The photographs are resized with the preprocessing's own filter; one this project does not apply is refused.
    public static func defaults(channels: Int, size: Int, generated: Int,
                                preprocessing: Preprocessing = .imageNet) throws(RuntimeError) -> VerificationInputs {
        let preprocessor: ImagePreprocessor
        do { preprocessor = try ImagePreprocessor(preprocessing, cropSize: size) } catch { throw .input(error.description) }
        let plane = size * size
        var values: [Float] = []
        var groups: [Group] = []

        func append(_ rgb: [Float]) {
            // rgb: [3][plane], normalised.
            for c in 0..<channels {
                if channels == 1 {
                    values += (0..<plane).map { (rgb[$0] + rgb[plane + $0] + rgb[2 * plane + $0]) / 3 }
                } else {
                    values += rgb[(c % 3) * plane..<(c % 3 + 1) * plane]
                }
            }
        }

        let photos = photographNames.count
        let side = Int(swsl_sample_image_side())
        for index in 0..<photos {
            let pixels = Array(UnsafeBufferPointer(start: swsl_sample_image_rgb(Int32(index)), count: 3 * side * side))
            append(preprocessor.tensor(for: ImageDecoder.Image(width: side, height: side, rgb: pixels)))
        }
        groups.append(Group(name: "photographs", description: "\(photos) bundled photographs (\(photographNames.joined(separator: ", ")))",
                            range: 0..<photos))

        var random = SplitMix64(seed: 0x7665_7269_6679)
        let noise = generated / 3, shapes = generated - noise
        for _ in 0..<shapes { append(preprocessor.normalized(drawShapes(size: size, random: &random))) }
        groups.append(Group(name: "shapes", description: "\(shapes) drawn images (hard-edged shapes over gradients)",
                            range: photos..<photos + shapes))
        for _ in 0..<noise { append(preprocessor.normalized((0..<3 * plane).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) })) }
        groups.append(Group(name: "noise", description: "\(noise) uniform noise images", range: photos + shapes..<photos + shapes + noise))
        return VerificationInputs(values: values, shape: [photos + generated, channels, size, size],
                                  groups: groups.filter { !$0.range.isEmpty })
    }

    /// One image of rectangles and discs over a gradient, interleaved RGB.
    static func drawShapes(size: Int, random: inout SplitMix64) -> [UInt8] {
        func colour() -> [Double] { (0..<3).map { _ in Double(random.next() >> 56) } }
        let (from, to) = (colour(), colour())
        let horizontal = random.next() & 1 == 0
        var pixels = [UInt8](repeating: 0, count: 3 * size * size)
        for y in 0..<size {
            for x in 0..<size {
                let t = Double(horizontal ? x : y) / Double(max(size - 1, 1))
                for c in 0..<3 { pixels[3 * (y * size + x) + c] = UInt8(from[c] + (to[c] - from[c]) * t) }
            }
        }
        let count = 6 + Int(random.next() % 7)
        for _ in 0..<count {
            let fill = colour().map { UInt8($0) }
            let cx = Int(random.next() % UInt64(size)), cy = Int(random.next() % UInt64(size))
            let radius = max(2, Int(random.next() % UInt64(max(size / 4, 3))))
            let disc = random.next() & 1 == 0
            for y in max(0, cy - radius)..<min(size, cy + radius) {
                for x in max(0, cx - radius)..<min(size, cx + radius) {
                    if disc && (x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius { continue }
                    for c in 0..<3 { pixels[3 * (y * size + x) + c] = fill[c] }
                }
            }
        }
        return pixels
    }
}

/// SplitMix64 (Steele, Lea and Flood): the shapes and noise generator, unrelated to the xorshift of
/// `SyntheticInputs`.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
