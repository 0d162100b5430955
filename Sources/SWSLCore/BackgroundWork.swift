import Dispatch

/// Runs a computation on another thread at once; `wait()` returns its result.
public final class BackgroundWork<T>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: T?

    /// Starts `body` at once on a global user-initiated queue; `wait()` returns its result.
    public init(_ body: @escaping @Sendable () -> T) {
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            self.result = body()
            self.group.leave()
        }
    }

    /// Blocks until the work is done and returns its result.
    public func wait() -> T {
        group.wait()
        return result!
    }
}
