internal import CImage
import SWSLCore
#if canImport(Glibc)
import Glibc
#endif

/// Decodes JPEG and PNG files (told apart by their signature, not their name) into 8-bit RGB with
/// the system's libjpeg(-turbo) and libpng, giving the pixels Pillow's
/// `Image.open(path).convert("RGB")` gives: grayscale replicated, alpha and transparency dropped
/// (not composited), palettes expanded, 16-bit samples reduced to their high byte, CMYK converted
/// as Pillow does. Gamma and colour profiles are ignored, as Pillow ignores them.
///
/// Hostile files fail with an error naming the file, never a crash or an exit: libjpeg and libpng
/// errors are caught in C, and images wider or taller than ``maxSide`` or with more than
/// ``maxPixels`` pixels are refused before their pixels are allocated.
public enum ImageDecoder {
    /// The largest width or height accepted.
    public static let maxSide = Int(SWSL_IMAGE_MAX_SIDE)
    /// The pixel budget: the largest width × height decoded (2^24; 48 MiB as RGB). Larger PNGs are
    /// refused; larger JPEGs are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling), the
    /// first that fits, so their pixels differ slightly from a full-size decode's.
    public static let maxPixels = Int(SWSL_IMAGE_MAX_PIXELS)

    /// The container a file was recognised as.
    public enum Format: String, Sendable {
        case jpeg = "JPEG"
        case png = "PNG"
    }

    /// A decoded image: `width × height` pixels, row-major, interleaved R, G, B bytes, no padding.
    public struct Image: Sendable, Equatable {
        /// Pixels per row (positive; at most ``ImageDecoder/maxSide`` when decoded).
        public let width: Int
        /// Rows of pixels (positive; at most ``ImageDecoder/maxSide`` when decoded).
        public let height: Int
        /// `3 × width × height` bytes.
        public let rgb: [UInt8]

        /// An image from its pixels; `rgb` must hold exactly `3 × width × height` bytes.
        public init(width: Int, height: Int, rgb: [UInt8]) {
            precondition(width > 0 && height > 0 && rgb.count == 3 * width * height, "RGB size mismatch")
            self.width = width
            self.height = height
            self.rgb = rgb
        }
    }

    /// Why a file could not be decoded. Every case names the file; the reason is the C library's.
    public enum DecodingError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable(file: String, reason: String)
        /// Neither the JPEG nor the PNG signature.
        case unknownFormat(file: String)
        /// Over ``ImageDecoder/maxSide`` or ``ImageDecoder/maxPixels``.
        case tooLarge(file: String, reason: String)
        /// Valid, but in a form not converted to RGB (e.g. an unusual JPEG colour space).
        case unsupported(file: String, format: Format, reason: String)
        /// libjpeg or libpng refused the data: truncated or corrupt.
        case corrupt(file: String, format: Format, reason: String)
        /// The pixels could not be allocated.
        case outOfMemory(file: String, reason: String)

        /// The file that failed.
        public var file: String {
            switch self {
            case .unreadable(let file, _), .unknownFormat(let file), .tooLarge(let file, _),
                 .unsupported(let file, _, _), .corrupt(let file, _, _), .outOfMemory(let file, _):
                file
            }
        }

        /// One line, starting with the file: `a.png: corrupt or truncated PNG: …`.
        public var description: String {
            switch self {
            case .unreadable(let file, let reason): "\(file): \(reason)"
            case .unknownFormat(let file): "\(file): not a JPEG or PNG file (unknown signature)"
            case .tooLarge(let file, let reason): "\(file): too large: \(reason)"
            case .unsupported(let file, let format, let reason): "\(file): unsupported \(format.rawValue): \(reason)"
            case .corrupt(let file, let format, let reason): "\(file): corrupt or truncated \(format.rawValue): \(reason)"
            case .outOfMemory(let file, let reason): "\(file): \(reason)"
            }
        }
    }

    /// Decodes the JPEG or PNG at `path` into RGB. The file is opened by `InputFile` (never
    /// blocking, a regular file only).
    public static func decode(path: String) throws(DecodingError) -> Image {
        let file: InputFile
        do { file = try InputFile.open(path) } catch { throw .unreadable(file: path, reason: error.reason) }
        var image = swsl_image()
        var message = [CChar](repeating: 0, count: Int(SWSL_IMAGE_MESSAGE_SIZE))
        let fd = file.duplicateDescriptor()
        guard fd >= 0 else { throw .unreadable(file: path, reason: SystemCallError.last.description) }
        let status = swsl_image_decode_fd(fd, &image, &message)
        guard status == SWSL_IMAGE_OK, let pixels = image.pixels else {
            throw error(status, format: image.format, file: path, reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { swsl_image_free(&image) }
        let (width, height) = (Int(image.width), Int(image.height))
        return Image(width: width, height: height, rgb: Array(UnsafeBufferPointer(start: pixels, count: 3 * width * height)))
    }

    private static func error(_ status: swsl_image_status, format: swsl_image_format, file: String,
                              reason: String) -> DecodingError {
        let format: Format = format == SWSL_IMAGE_FORMAT_PNG ? .png : .jpeg
        switch status {
        case SWSL_IMAGE_IO: return .unreadable(file: file, reason: reason)
        case SWSL_IMAGE_UNKNOWN_FORMAT: return .unknownFormat(file: file)
        case SWSL_IMAGE_TOO_LARGE: return .tooLarge(file: file, reason: reason)
        case SWSL_IMAGE_UNSUPPORTED: return .unsupported(file: file, format: format, reason: reason)
        case SWSL_IMAGE_NO_MEMORY: return .outOfMemory(file: file, reason: reason)
        default: return .corrupt(file: file, format: format, reason: reason.isEmpty ? "no detail" : reason)
        }
    }
}
