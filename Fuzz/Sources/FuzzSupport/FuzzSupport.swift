import SWSLCheckpoint
import SWSLCore
import SWSLExecutor
import SWSLFormat
import SWSLPipeline
import SWSLSchema

/// Feeds fuzzer input to the readers. Any refusal is fine; a crash, hang or sanitizer report is a bug.
public enum FuzzSupport {
    /// The legacy stream's first three pickles (magic, protocol 1001, empty sys_info): prefixing them
    /// sends the input straight into the pickle machine as the object pickle.
    static let legacyHeader: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E,
                                        0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E, 0x80, 0x02, 0x7D, 0x2E]

    public static func checkpoint(_ data: UnsafePointer<UInt8>, _ size: Int, prefix: [UInt8] = [], name: String) -> Int32 {
        var bytes = prefix
        bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: size))
        let storage = ByteStorage.copying(bytes)
        if let checkpoint = try? CheckpointReader.read(bytes: storage, path: "/nonexistent-fuzz-dir/" + name) {
            // Touch every tensor's bytes so out-of-bounds views would be caught by the sanitizer.
            for w in checkpoint.weights { _ = w.tensor.crc32 }
            // Then the schema: names, or the ONNX graph walk with its equivalent forms and shape arithmetic.
            _ = try? SchemaMapper.map(checkpoint)
        }
        return 0
    }

    public static func pickle(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        checkpoint(data, size, prefix: legacyHeader, name: "fuzz.pth")
    }

    public static func swm(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        let storage = ByteStorage.copying(Array(UnsafeBufferPointer(start: data, count: size)))
        if let file = try? SWMFile.validate(bytes: storage, path: "fuzz.swm", checkCRC: true) {
            for e in file.entries { _ = file.bytes(of: e).reduce(0, &+) }
            // A valid file goes on to the plan loader (architecture, shapes, scales, packing).
            _ = try? ExecutionPlan(file.network)
        }
        return 0
    }

    /// NumPy arrays: `run --input` and `convert --calibrate` read them from users.
    public static func npy(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        if let array = try? NPYArray.parse(Array(UnsafeBufferPointer(start: data, count: size))) {
            _ = array.values.reduce(0, +)
        }
        return 0
    }
}

/// libFuzzer's entry for programs that keep their own `main` (SwiftPM executables do).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

extension FuzzSupport {
    /// Hands control to libFuzzer with `callback` as the fuzz target; returns its exit status.
    public static func run(_ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32 {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }
}
