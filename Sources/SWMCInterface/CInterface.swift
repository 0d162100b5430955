import CSWMInterface
import SWSLExecutor
import SWMRuntime
#if canImport(Glibc)
import Glibc
#endif

// The C interface of include/swm.h, over SWMModel. Every entry point catches its errors and reports them
// through swm_last_error; none traps on arguments a caller can pass (NULL pointers, sizes out of range).

/// A model behind a `swm_model *`, with the C strings it has handed out (freed with it).
private final class Handle {
    let model: SWMModel
    let metadataJSON: UnsafeMutablePointer<CChar>
    let classNames: [UnsafeMutablePointer<CChar>]

    init(_ model: SWMModel) {
        self.model = model
        metadataJSON = strdup(model.metadataText)
        classNames = (model.classNames ?? []).map { strdup($0) }
    }

    deinit {
        free(metadataJSON)
        for name in classNames { free(name) }
    }

    static func from(_ pointer: OpaquePointer?) -> Handle? {
        pointer.map { Unmanaged<Handle>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

/// The per-thread message of the last failure (`swm_last_error`), freed when replaced or when its thread ends.
private let errorKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
}()

private func fail(_ message: String) -> Int32 {
    free(pthread_getspecific(errorKey))
    pthread_setspecific(errorKey, strdup(message))
    return -1
}

/// The largest input a run accepts, in floats (2^28: 1 GiB), and the largest batch and side.
private let maxInputFloats = 1 << 28, maxBatch = 1 << 16, maxSide = 1 << 15

/// `swm_open` (swm.h): the validated model behind an opaque handle, or NULL and the reason in `swm_last_error`.
@_cdecl("swm_open")
public func swm_open(_ path: UnsafePointer<CChar>?, _ options: UnsafePointer<swm_options>?) -> OpaquePointer? {
    guard let path else { _ = fail("swm_open: path is NULL"); return nil }
    let file = String(cString: path)
    var chosen = SWMModel.Options()
    if let o = options?.pointee {
        guard o.threads >= 0, o.threads <= 1024 else { _ = fail("swm_open: threads \(o.threads) is not in 0...1024"); return nil }
        if o.threads > 0 { chosen.threads = Int(o.threads) }
        switch o.int8_arithmetic {
        case Int32(SWM_INT8_INTEGER.rawValue): chosen.int8.arithmetic = .integer
        case Int32(SWM_INT8_DEQUANTIZED.rawValue): chosen.int8.arithmetic = .dequantized
        case Int32(SWM_INT8_INTEGER_7BIT.rawValue): chosen.int8.arithmetic = .integer7Bit
        default: _ = fail("swm_open: int8_arithmetic \(o.int8_arithmetic) is not a swm_int8_arithmetic"); return nil
        }
        chosen.checkCRC = o.check_crc != 0
        chosen.int8.activations = o.dynamic_activations != 0 ? .dynamic : .calibrated
    }
    do {
        let model = try SWMModel(path: file, options: chosen)
        return OpaquePointer(Unmanaged.passRetained(Handle(model)).toOpaque())
    } catch {
        _ = fail(error.description)
        return nil
    }
}

/// `swm_close` (swm.h): releases the model and every string it handed out; NULL is ignored.
@_cdecl("swm_close")
public func swm_close(_ model: OpaquePointer?) {
    guard let model else { return }
    Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(model)).release()
}

/// `swm_classes` (swm.h): logits per input.
@_cdecl("swm_classes")
public func swm_classes(_ model: OpaquePointer?) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_classes: model is NULL") }
    return Int32(clamping: handle.model.classes)
}

/// `swm_input_channels` (swm.h): channels of the input.
@_cdecl("swm_input_channels")
public func swm_input_channels(_ model: OpaquePointer?) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_input_channels: model is NULL") }
    return Int32(clamping: handle.model.inputChannels)
}

/// `swm_input_size` (swm.h): the side of the preprocessing's crop.
@_cdecl("swm_input_size")
public func swm_input_size(_ model: OpaquePointer?) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_input_size: model is NULL") }
    return Int32(clamping: handle.model.preprocessing.inputSize)
}

/// `swm_run` (swm.h): logits of a float NCHW input into the caller's buffer; 0, or -1 and `swm_last_error`.
@_cdecl("swm_run")
public func swm_run(_ model: OpaquePointer?, _ input: UnsafePointer<Float>?, _ batch: Int32, _ height: Int32, _ width: Int32,
                    _ logits: UnsafeMutablePointer<Float>?, _ capacity: Int) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_run: model is NULL") }
    guard let input, let logits else { return fail("swm_run: input or logits is NULL") }
    let m = handle.model
    guard (1...maxBatch).contains(Int(batch)), (1...maxSide).contains(Int(height)), (1...maxSide).contains(Int(width)) else {
        return fail("\(m.path): swm_run: batch \(batch), height \(height), width \(width) must be in 1...\(maxBatch), 1...\(maxSide)")
    }
    let pixels = Int(batch) * Int(height) * Int(width)  // at most 2^46: no overflow
    guard pixels <= maxInputFloats / max(m.inputChannels, 1) else {
        return fail("\(m.path): swm_run: [\(batch), \(m.inputChannels), \(height), \(width)] is more than \(maxInputFloats) input floats")
    }
    let count = pixels * m.inputChannels
    guard capacity >= Int(batch) * m.classes else {
        return fail("\(m.path): swm_run: logits holds \(capacity) floats, \(batch) inputs need \(Int(batch) * m.classes)")
    }
    do {
        let out = try m.run(input: Array(UnsafeBufferPointer(start: input, count: count)), batch: Int(batch),
                            height: Int(height), width: Int(width))
        out.withUnsafeBufferPointer { logits.update(from: $0.baseAddress!, count: out.count) }
        return 0
    } catch {
        return fail(error.description)
    }
}

/// `swm_image_input` (swm.h): a photo preprocessed as the model says, into the caller's buffer.
@_cdecl("swm_image_input")
public func swm_image_input(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ input: UnsafeMutablePointer<Float>?,
                            _ capacity: Int) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_image_input: model is NULL") }
    guard let path, let input else { return fail("swm_image_input: image_path or input is NULL") }
    do {
        let values = try handle.model.input(imageAt: String(cString: path))
        guard capacity >= values.count else {
            return fail("\(handle.model.path): swm_image_input: input holds \(capacity) floats, the image needs \(values.count)")
        }
        values.withUnsafeBufferPointer { input.update(from: $0.baseAddress!, count: values.count) }
        return 0
    } catch {
        return fail(error.description)
    }
}

/// `swm_top_k` (swm.h): the k most probable classes of one row of logits; how many, or -1.
@_cdecl("swm_top_k")
public func swm_top_k(_ model: OpaquePointer?, _ logits: UnsafePointer<Float>?, _ k: Int32,
                      _ indices: UnsafeMutablePointer<Int32>?, _ probabilities: UnsafeMutablePointer<Float>?) -> Int32 {
    guard let handle = Handle.from(model) else { return fail("swm_top_k: model is NULL") }
    guard let logits else { return fail("swm_top_k: logits is NULL") }
    guard k >= 1 else { return fail("swm_top_k: k is \(k), must be at least 1") }
    let top = handle.model.top(Int(k), of: Array(UnsafeBufferPointer(start: logits, count: handle.model.classes)))
    for (i, p) in top.enumerated() {
        indices?[i] = Int32(p.index)
        probabilities?[i] = p.probability
    }
    return Int32(top.count)
}

/// `swm_class_name` (swm.h): a class name owned by the model, NULL when there is none.
@_cdecl("swm_class_name")
public func swm_class_name(_ model: OpaquePointer?, _ index: Int32) -> UnsafePointer<CChar>? {
    guard let handle = Handle.from(model) else { _ = fail("swm_class_name: model is NULL"); return nil }
    guard index >= 0, Int(index) < handle.classNames.count else { return nil }
    return UnsafePointer(handle.classNames[Int(index)])
}

/// `swm_metadata_json` (swm.h): the stored metadata as JSON, owned by the model.
@_cdecl("swm_metadata_json")
public func swm_metadata_json(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = Handle.from(model) else { _ = fail("swm_metadata_json: model is NULL"); return nil }
    return UnsafePointer(handle.metadataJSON)
}

/// `swm_last_error` (swm.h): this thread's last failure, "" when none.
@_cdecl("swm_last_error")
public func swm_last_error() -> UnsafePointer<CChar> {
    if let message = pthread_getspecific(errorKey) { return UnsafePointer(message.assumingMemoryBound(to: CChar.self)) }
    let empty: StaticString = ""  // static storage: valid for the life of the process
    return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
}
