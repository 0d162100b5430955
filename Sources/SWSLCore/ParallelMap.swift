import Dispatch

/// `(0..<count).map(body)`, run on all cores. Each index is computed exactly once; order is kept.
public func parallelMap<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
        slots.deinitialize()
        slots.deallocate()
    }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedBox((body, slots))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            shared.value.1[i] = shared.value.0(i)
        }
    }
    return slots.map { $0! }
}

/// Hands a non-Sendable value to code that is known to use it safely (distinct indices per thread).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
