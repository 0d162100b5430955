#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call's `errno`, captured where it failed: the one place the project reads `errno`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` value (`ENOENT`, `ELOOP`…).
    public let code: Int32

    /// The error the last failing call on this thread set; read it right after the call.
    public static var last: SystemCallError { SystemCallError(code: errno) }

    /// `strerror`'s words ("No such file or directory").
    public var description: String { String(cString: strerror(code)) }
}

/// The result of a system call that reports failure as -1 and the reason in `errno`: the value, or the
/// error it failed with. A call interrupted by a signal (`EINTR`) is made again.
@inline(__always)
public func valueOrErrno<T: SignedInteger>(_ call: () -> T) throws(SystemCallError) -> T {
    while true {
        let value = call()
        if value != -1 { return value }
        let error = SystemCallError.last
        if error.code != EINTR { throw error }
    }
}
