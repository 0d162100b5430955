internal import CKernels
import Synchronization
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

    init(threads: Int) {
        threadCount = max(1, threads)
        state = WorkerPoolState(workers: threadCount - 1)
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
    }

    /// Runs `body(task, worker)` for every task in `0..<count`, spread over the threads; `worker`
    /// (0 is the caller) tells the body which per-thread scratch memory to use. Returns when all are done.
    func parallelFor(_ count: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
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

/// The shared state of a pool: a job published by bumping `generation`, tasks handed out by `next`,
/// workers reporting to `finished`.
final class WorkerPoolState: @unchecked Sendable {
    private let workers: Int
    private let generation = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var job: ((Int, Int) -> Void)?
    private var count = 0
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Spin iterations before a worker sleeps (tens of microseconds).
    private let spinLimit = 20_000

    init(workers: Int) {
        self.workers = workers
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Publishes a job, works on it, and waits until every worker has finished it.
    func run(count: Int, body: @escaping (Int, Int) -> Void) {
        job = body
        self.count = count
        next.store(0, ordering: .relaxed)
        finished.store(0, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
        work(worker: 0)
        while finished.load(ordering: .acquiring) < workers { swk_cpu_relax() }
        job = nil
    }

    /// Tells the workers to exit.
    func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// A worker thread's life: wait for a generation, work, report, repeat.
    func workerLoop(worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < spinLimit {
                    swk_cpu_relax()
                } else {
                    sleep(while: seen)
                    spins = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            work(worker: worker)
            finished.add(1, ordering: .releasing)
        }
    }

    private func work(worker: Int) {
        guard let job else { return }
        while true {
            let task = next.add(1, ordering: .relaxed).oldValue
            if task >= count { return }
            job(task, worker)
        }
    }

    /// Sleeps until `generation` moves past `seen`. Pairs with `wakeSleepers` through sequentially
    /// consistent operations on `sleepers` and `generation`, so no wake-up is lost.
    private func sleep(while seen: Int) {
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(condition, mutex)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }

    private func wakeSleepers() {
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
