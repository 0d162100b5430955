import Foundation
import Testing
import SWSLCore
import SWSLPipeline
import SWSLFormat
import SWSLTestSupport
import SWMRuntime

/// Image input against Pillow and torchvision (goldens from Fixtures/generate_images.py).
/// Named error budget: the preprocessed tensor may differ from torchvision's by at most
/// `tensorBudget`; we match Pillow's integer resampling exactly, so the measured difference is 0.
@Suite struct ImagePreprocessorTests {
    static let fixtures = FixtureFiles.root
    static let tensorBudget: Float = 1e-6
    static let imageNet = ImagePreprocessor(resizeSize: 256, cropSize: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    static func path(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(relative)))
    }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func temporary(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = TemporaryFiles.root.appendingPathComponent("img-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }

    // MARK: - Against torchvision

    @Test(arguments: ["photo.jpg", "shapes.png"])
    func tensorMatchesTorchvision(name: String) throws {
        let ours = try Self.imageNet.tensor(forImageAt: Self.path("images/\(name)"))
        let stem = name.split(separator: ".")[0]
        let golden = try NPYArray.read(path: Self.path("golden/images/\(stem).npy"))
        #expect(golden.shape == [1, 3, 224, 224])
        #expect(ours.count == golden.values.count)
        let maxDiff = zip(ours, golden.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxDiff <= Self.tensorBudget, "\(name): max |Δ| \(maxDiff) vs torchvision")
        #expect(maxDiff == 0, "\(name): expected a bit-exact match with Pillow + torchvision, max |Δ| \(maxDiff)")
    }

    /// About 15× downscaling (31-tap filters) at Resize(64)/CenterCrop(56), where the crop offset
    /// (97 − 56) / 2 = 20.5 rounds to 20 as Python's round does.
    @Test func strongDownscalingMatchesTorchvision() throws {
        let (width, height) = (1530, 1000)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 { rgb[(y * width + x) * 3 + c] = UInt8((3 * x + 5 * y + 85 * c + ((x ^ y) & 31)) % 256) }
            }
        }
        let pre = ImagePreprocessor(resizeSize: 64, cropSize: 56, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        #expect(pre.resizedSize(width: width, height: height) == (97, 64))
        let ours = pre.tensor(for: ImageDecoder.Image(width: width, height: height, rgb: rgb))
        let golden = try NPYArray.read(path: Self.path("golden/images/synthetic_1530x1000_r64_c56.npy"))
        #expect(golden.shape == [1, 3, 56, 56])
        let maxDiff = zip(ours, golden.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxDiff == 0, "max |Δ| \(maxDiff) vs torchvision")
    }

    /// Pillow's BICUBIC (Keys' cubic, a = −0.5, support 2 widened by the downscaling factor) through
    /// torchvision's Resize(..., BICUBIC): bit-exact on the photograph and at 15× downscaling.
    @Test func bicubicMatchesTorchvision() throws {
        let pre = ImagePreprocessor(resizeSize: 256, cropSize: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
                                    resampling: .bicubic)
        let ours = try pre.tensor(forImageAt: Self.path("images/photo.jpg"))
        let golden = try NPYArray.read(path: Self.path("golden/images/photo_bicubic.npy"))
        let maxDiff = zip(ours, golden.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(ours.count == golden.values.count && maxDiff == 0, "photo: max |Δ| \(maxDiff) vs torchvision")
        let bilinear = try Self.imageNet.tensor(forImageAt: Self.path("images/photo.jpg"))
        #expect(bilinear != ours, "bicubic must differ from bilinear")

        let (width, height) = (1530, 1000)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 { rgb[(y * width + x) * 3 + c] = UInt8((3 * x + 5 * y + 85 * c + ((x ^ y) & 31)) % 256) }
            }
        }
        let small = ImagePreprocessor(resizeSize: 64, cropSize: 56, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
                                      resampling: .bicubic)
        let strong = small.tensor(for: ImageDecoder.Image(width: width, height: height, rgb: rgb))
        let strongGolden = try NPYArray.read(path: Self.path("golden/images/synthetic_1530x1000_r64_c56_bicubic.npy"))
        let strongDiff = zip(strong, strongGolden.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(strongDiff == 0, "15× downscaling: max |Δ| \(strongDiff) vs torchvision")
    }

    @Test func resizedSizeFollowsTorchvision() {
        #expect(Self.imageNet.resizedSize(width: 400, height: 300) == (341, 256))  // int(256 * 400 / 300)
        #expect(Self.imageNet.resizedSize(width: 200, height: 300) == (256, 384))
        #expect(Self.imageNet.resizedSize(width: 256, height: 256) == (256, 256))
        #expect(Self.imageNet.resizedSize(width: 3, height: 16384) == (256, 1_398_101))
    }

    @Test func unchangedSizeIsOnlyNormalised() {
        // 4×4 image, resize 4, crop 2 → no resampling, the crop starts at (1, 1).
        let rgb = (0..<48).map { UInt8($0 * 5) }
        let pre = ImagePreprocessor(resizeSize: 4, cropSize: 2, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1])
        let out = pre.tensor(for: ImageDecoder.Image(width: 4, height: 4, rgb: rgb))
        let pixel = { (x: Int, y: Int, c: Int) in Float(rgb[(y * 4 + x) * 3 + c]) }
        #expect(out[0] == (pixel(1, 1, 0) / 255 - 0.5) / 0.25)
        #expect(out[4 + 3] == (pixel(2, 2, 1) / 255 - 0.5) / 0.5)
        #expect(out[8 + 1] == (pixel(2, 1, 2) / 255 - 0.5) / 1)
    }

    @Test func veryThinImagesResampleOnlyTheCrop() {
        let image = ImageDecoder.Image(width: 2, height: 5000, rgb: [UInt8](repeating: 200, count: 2 * 5000 * 3))
        let out = Self.imageNet.tensor(for: image)
        #expect(out.count == 3 * 224 * 224)
        #expect(out[0] == (Float(200) / 255 - Float(0.485)) / Float(0.229))
    }

    // MARK: - Decoding

    @Test func decodesBothFormats() throws {
        let jpeg = try ImageDecoder.decode(path: Self.path("images/photo.jpg"))
        #expect((jpeg.width, jpeg.height, jpeg.rgb.count) == (400, 300, 400 * 300 * 3))
        let png = try ImageDecoder.decode(path: Self.path("images/shapes.png"))
        #expect((png.width, png.height, png.rgb.count) == (200, 300, 200 * 300 * 3))
    }

    static let modes = [
        "gray.jpg", "cmyk.jpg", "progressive.jpg", "gray16.png", "rgba16.png", "palette_trns.png",
        "palette_trns_interlaced.png", "gray2.png", "gray_alpha.png",
    ]

    /// Every mode converts to the RGB Pillow's `convert("RGB")` gives (gray16.png: the high byte).
    @Test(arguments: modes)
    func decodesLikePillow(name: String) throws {
        let image = try ImageDecoder.decode(path: Self.path("images/modes/\(name)"))
        let golden = try NPYArray.read(path: Self.path("golden/images/modes_\(name.replacingOccurrences(of: ".", with: "_"))_rgb.npy"))
        #expect(golden.shape == [image.height, image.width, 3])
        let mismatches = zip(image.rgb, golden.values).filter { Float($0) != $1 }.count
        #expect(mismatches == 0, "\(name): \(mismatches) samples differ from Pillow")
    }

    /// A JPEG over the pixel budget (2^24) is decoded at the first of 1/2, 1/4, 1/8 scale that fits,
    /// by libjpeg's DCT scaling: the pixels Pillow gives after `draft("RGB", (w/2, h/2))`.
    @Test func jpegOverThePixelBudgetIsDecodedScaledLikePillowsDraft() throws {
        let image = try ImageDecoder.decode(path: Self.path("images/large/large_6144x4096.jpg"))
        #expect((image.width, image.height) == (3072, 2048))
        #expect(image.width * image.height <= ImageDecoder.maxPixels)
        let golden = try NPYArray.read(path: Self.path("golden/images/large_6144x4096_half_rgb_every16.npy"))
        #expect(golden.shape == [128, 192, 3])
        var worst: Float = 0
        for y in 0..<128 {
            for x in 0..<192 {
                for c in 0..<3 {
                    let ours = Float(image.rgb[((16 * y) * image.width + 16 * x) * 3 + c])
                    worst = max(worst, abs(ours - golden.values[(y * 192 + x) * 3 + c]))
                }
            }
        }
        // Same library and method; Debian's libjpeg-turbo and Pillow's bundled one may round one step apart.
        #expect(worst <= 1, "largest difference from Pillow's scaled decode: \(worst)")
    }

    // MARK: - Hostile input: an error naming the file, never a crash

    enum Expected: Sendable {
        case unreadable, unknownFormat, tooLarge, corrupt(ImageDecoder.Format)

        func matches(_ error: ImageDecoder.DecodingError) -> Bool {
            switch (self, error) {
            case (.unreadable, .unreadable), (.unknownFormat, .unknownFormat), (.tooLarge, .tooLarge): true
            case (.corrupt(let f), .corrupt(_, let g, _)): f == g
            default: false
            }
        }
    }

    /// Builds a hostile file from the fixtures; returns its bytes and the error it must give.
    static let hostile: [(name: String, make: @Sendable () throws -> [UInt8], expected: Expected)] = [
        ("truncated.jpg", { let b = try bytes("images/photo.jpg"); return Array(b[..<(b.count / 2)]) }, .corrupt(.jpeg)),
        ("headers-only.jpg", { Array(try bytes("images/photo.jpg")[..<700]) }, .corrupt(.jpeg)),
        ("truncated.png", { let b = try bytes("images/shapes.png"); return Array(b[..<(b.count / 2)]) }, .corrupt(.png)),
        ("signature-only.png", { Array(try bytes("images/shapes.png")[..<8]) }, .corrupt(.png)),
        ("random.bin", { randomBytes(4096, seed: 1) }, .unknownFormat),
        ("random-after-jpeg-signature.jpg", { [0xFF, 0xD8, 0xFF] + randomBytes(4096, seed: 2) }, .corrupt(.jpeg)),
        ("random-after-png-signature.png", { Array(pngSignature) + randomBytes(4096, seed: 3) }, .corrupt(.png)),
        ("empty.png", { [] }, .unknownFormat),
        ("huge.png", { png(width: 100_000, height: 100_000) }, .tooLarge),
        ("wide.png", { png(width: 20_000, height: 1) }, .tooLarge),
        ("many-pixels.png", { png(width: 16_384, height: 16_385) }, .tooLarge),
        ("zero-width.png", { png(width: 0, height: 10) }, .corrupt(.png)),
        ("bad-crc.png", { var b = png(width: 10, height: 10); b[29] ^= 1; return b }, .corrupt(.png)),
        ("huge.jpg", { try jpeg(resizedTo: 60_000, 60_000) }, .tooLarge),
        ("no-idat.png", { png(width: 10, height: 10) }, .corrupt(.png)),
    ]

    @Test(arguments: hostile.indices)
    func hostileInputIsAnErrorNamingTheFile(index: Int) throws {
        let (name, make, expected) = Self.hostile[index]
        let path = try Self.temporary(try make(), name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ImageDecoder.decode(path: path)
            Issue.record("\(name): decoded, expected \(expected)")
        } catch {
            #expect(expected.matches(error), "\(name): \(error)")
            #expect(error.file == path)
            #expect(error.description.hasPrefix("\(path): "), "\(error)")
        }
    }

    /// Damaged copies of both fixtures (bytes overwritten past the signature, or cut anywhere):
    /// each decodes to some pixels or fails with an error naming the file, never a crash.
    @Test(arguments: ["images/photo.jpg", "images/shapes.png"])
    func damagedFilesNeverCrash(fixture: String) throws {
        let original = try Self.bytes(fixture)
        for seed in 0..<48 {
            var damaged = original
            let noise = Self.randomBytes(16, seed: UInt64(seed) + 100)
            if seed % 4 == 3 {
                damaged = Array(damaged[..<(8 + Int(noise[0]) * Int(noise[1]) % (original.count - 8))])
            } else {
                for i in stride(from: 0, to: 16, by: 2) {
                    damaged[8 + (Int(noise[i]) << 8 | Int(noise[i + 1])) % (original.count - 8)] = noise[(i + 5) % 16]
                }
            }
            let path = try Self.temporary(damaged, "damaged-\(seed)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                let image = try ImageDecoder.decode(path: path)
                #expect(image.rgb.count == 3 * image.width * image.height)
            } catch {
                #expect(error.file == path, "\(error)")
            }
        }
    }

    @Test func missingFileAndDirectoryAreUnreadable() {
        for path in ["/nonexistent/photo.jpg", FileManager.default.temporaryDirectory.path] {
            #expect(throws: ImageDecoder.DecodingError.self) { try ImageDecoder.decode(path: path) }
            do { _ = try ImageDecoder.decode(path: path) } catch {
                #expect(Expected.unreadable.matches(error), "\(error)")
                #expect(error.description.hasPrefix(path))
            }
        }
    }

    // MARK: - Preprocessing metadata

    @Test func preprocessingMetadataRoundTrips() throws {
        #expect(try Preprocessing(json: Preprocessing.imageNet.json) == .imageNet)
        #expect(Preprocessing.imageNet.resizeSize == 256)
    }

    @Test(arguments: [
        ("input_size", JSONValue.string("224")), ("crop_ratio", .double(0)), ("mean", .array([.double(0.5)])),
        ("std", .array([.double(1), .double(0), .double(1)])), ("resize_size", .int(300)),
        ("channel_order", .string("BGR")), ("layout", .string("NHWC")),
    ])
    func badPreprocessingMetadataNamesTheField(field: String, value: JSONValue) {
        guard case .object(var pairs) = Preprocessing.imageNet.json else { Issue.record("not an object"); return }
        pairs.removeAll { $0.0 == field }
        pairs.append((field, value))
        #expect(throws: Preprocessing.MetadataError.self) { try Preprocessing(json: .object(pairs)) }
        do { _ = try Preprocessing(json: .object(pairs)) } catch { #expect(error.field == "preprocessing.\(field)", "\(error)") }
    }

    // MARK: - Building hostile files

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A PNG signature and a valid IHDR (8-bit RGB) for any size, then IEND: no pixel data.
    static func png(width: UInt32, height: UInt32) -> [UInt8] {
        var ihdr = bigEndian(width) + bigEndian(height)
        ihdr += [8, 2, 0, 0, 0]
        return pngSignature + chunk("IHDR", ihdr) + chunk("IEND", [])
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// photo.jpg with the frame header (SOF0) claiming another size.
    static func jpeg(resizedTo width: UInt16, _ height: UInt16) throws -> [UInt8] {
        var b = try bytes("images/photo.jpg")
        guard let sof = (0..<(b.count - 9)).first(where: { b[$0] == 0xFF && b[$0 + 1] == 0xC0 }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        b[sof + 5] = UInt8(height >> 8); b[sof + 6] = UInt8(height & 0xFF)
        b[sof + 7] = UInt8(width >> 8); b[sof + 8] = UInt8(width & 0xFF)
        return b
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] { TestRandom.bytes(count, seed: seed) }
}
