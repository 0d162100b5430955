#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SWSLCore
import SWMRuntime

/// The inputs a calibration runs: NCHW float32, preprocessed as the model expects.
public struct CalibrationInputs: Sendable {
    /// `samples × channels × height × width` floats, NCHW.
    public let values: [Float]
    /// Number of images (the N of NCHW), at most the limit asked for.
    public let samples: Int
    /// Image height in pixels: the crop size for photos and synthetic images, a `.npy`'s own H.
    public let height: Int
    /// Image width in pixels: the crop size for photos and synthetic images, a `.npy`'s own W.
    public let width: Int
    /// Where they came from, for the file's metadata: `synthetic`, or the file or folder name.
    public let source: String

    /// The samples used when the user names none: `count` deterministic smooth random images in
    /// the normalised ImageNet range (`SyntheticInputs`). They only approximate real photos' ranges.
    public static func synthetic(count: Int, channels: Int, size: Int) -> CalibrationInputs {
        // Another seed than `verify`'s synthetic inputs, so a check never runs the calibration set.
        CalibrationInputs(values: SyntheticInputs.make(samples: count, channels: channels, height: size, width: size,
                                                       seed: 0xCA1_1B8A7E),
                          samples: count, height: size, width: size, source: "synthetic")
    }

    /// Reads `path`: a float32 `.npy` of shape `[N, channels, H, W]` (already preprocessed, like
    /// `run --input`), one JPEG or PNG photo, or a folder whose JPEG and PNG files (`ImageFolder`: recursively,
    /// sorted, at most `limit`) are decoded and preprocessed with `preprocessor`.
    public static func load(path: String, channels: Int, preprocessor: ImagePreprocessor,
                            limit: Int) throws(RuntimeError) -> CalibrationInputs {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        var info = stat()
        guard stat(path, &info) == 0 else { throw .input("\(path): no such file or folder") }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            let folder = try ImageFolder(path)
            let photos = Array(folder.paths.prefix(limit))
            guard !photos.isEmpty else { throw .input("\(path): the folder has no .jpg, .jpeg or .png files") }
            return try images(Array(photos), channels: channels, preprocessor: preprocessor, source: name + "/")
        }
        if path.lowercased().hasSuffix(".npy") {
            let array: NPYArray
            do { array = try NPYArray.read(path: path) } catch { throw .input("\(path): \(error)") }
            guard array.shape.count == 4, array.shape[1] == channels, array.shape[0] >= 1,
                  array.shape[2] >= 1, array.shape[3] >= 1 else {
                throw .input("\(path): calibration input must be float32 [N, \(channels), H, W], got \(array.shape)")
            }
            guard array.values.allSatisfy(\.isFinite) else { throw .input("\(path): calibration input holds NaN or infinity") }
            let n = min(array.shape[0], limit)
            let count = n * channels * array.shape[2] * array.shape[3]
            return CalibrationInputs(values: Array(array.values.prefix(count)), samples: n, height: array.shape[2],
                                     width: array.shape[3], source: name)
        }
        return try images([path], channels: channels, preprocessor: preprocessor, source: name)
    }

    private static func images(_ paths: [String], channels: Int, preprocessor: ImagePreprocessor,
                               source: String) throws(RuntimeError) -> CalibrationInputs {
        guard channels == 3 else { throw .input("\(paths[0]): photos need a 3-channel model, this one takes \(channels)") }
        var values: [Float] = []
        for path in paths {
            do { values += try preprocessor.tensor(forImageAt: path) } catch { throw .input("\(error)") }
        }
        return CalibrationInputs(values: values, samples: paths.count, height: preprocessor.cropSize,
                                 width: preprocessor.cropSize, source: source)
    }
}
