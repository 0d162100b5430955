internal import CKernels
import SWSLCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads that run parallel loops together with the calling thread. Workers
/// busy-wait briefly between loops (layers follow each other within microseconds), then sleep on
/// a condition variable, so an idle pool costs nothing.
final class WorkerPool: @unchecked Sendable {
    /// Threads taking part in a loop, the caller included.
    let threadCount: Int
    private let state: WorkerPoolState
    private var workerThreads: [pthread_t] = []
    /// While true, each thread's time inside tasks is summed (`busySeconds`): the profile's wait time is what the
    /// threads did not spend in tasks.
    var measuresBusy = false
    /// Per thread, seconds spent inside tasks while `measuresBusy`, one cache line apart.
    private let busy: UnsafeMutablePointer<Double>

    init(threads: Int) {
        threadCount = max(1, threads)
        busy = .allocate(capacity: threadCount * 8)
        busy.initialize(repeating: 0, count: threadCount * 8)
        state = WorkerPoolState()
        for worker in 1..<threadCount {
            let context = Unmanaged.passRetained(WorkerContext(state: state, worker: worker)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.state.workerLoop(worker: context.worker)
                return nil
            }, context)
            precondition(status == 0, "pthread_create failed: \(status)")
            workerThreads.append(thread)
        }
    }

    deinit {
        state.shutdown()
        for thread in workerThreads { pthread_join(thread, nil) }
        busy.deallocate()
    }

    /// Seconds all threads together spent inside tasks while `measuresBusy` (read between loops).
    var busySeconds: Double { busySecondsPerThread.reduce(0, +) }

    /// Sets every thread's time inside tasks back to zero (between loops).
    func resetBusy() { busy.update(repeating: 0, count: threadCount * 8) }

    /// Seconds each thread (0: the caller) spent inside tasks while `measuresBusy` (read between loops).
    var busySecondsPerThread: [Double] { (0..<threadCount).map { busy[$0 * 8] } }

    /// Runs `body(task, worker)` for every task in `0..<count`, spread over the threads; `worker`
    /// (0 is the caller) tells the body which per-thread scratch memory to use. Returns when all are done.
    func parallelFor(_ count: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        guard measuresBusy else { return spread(count, body) }
        let busy = self.busy
        spread(count) { task, worker in
            let start = ContinuousClock.now
            body(task, worker)
            busy[worker * 8] += (ContinuousClock.now - start).inSeconds
        }
    }

    private func spread(_ count: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        if threadCount == 1 || count <= 1 {
            for task in 0..<count { body(task, 0) }
            return
        }
        withoutActuallyEscaping(body) { escaping in state.run(count: count, body: escaping) }
    }
}

/// What a worker thread needs to start.
private final class WorkerContext {
    let state: WorkerPoolState
    let worker: Int
    init(state: WorkerPoolState, worker: Int) {
        self.state = state
        self.worker = worker
    }
}
