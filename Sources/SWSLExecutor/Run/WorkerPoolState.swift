internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared state of a pool. A job is published by storing a new generation in the high bits of
/// `ticket`; threads claim task indices from its low bits with compare-and-swap, so a thread that
/// wakes late can never claim a task of a finished or newer job. Generations alternate between two
/// slots (job and task count), and the caller waits only for its tasks to be done, not for every
/// worker to notice the job (a descheduled worker with nothing claimed costs nothing).
final class WorkerPoolState: @unchecked Sendable {
    private static let indexBits = 32
    /// The shared counters, one per cache line, used only through the C atomics.
    private enum Slot: Int { case ticket, done, sleepers, stopping, count0, count1 }
    private let counters: UnsafeMutablePointer<Int>
    private var job0: ((Int, Int) -> Void)?
    private var job1: ((Int, Int) -> Void)?
    private var generation = 0
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Spin iterations before a worker sleeps (tens of microseconds).
    private let spinLimit = 20_000

    init() {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 6 * 64, alignment: 64)
        counters = raw.initializeMemory(as: Int.self, repeating: 0, count: 6 * 8)
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
        counters.deallocate()
    }

    private func counter(_ slot: Slot) -> UnsafeMutablePointer<Int> { counters + slot.rawValue * 8 }

    /// Publishes a job, works on it, and returns when all its tasks are done.
    func run(count: Int, body: @escaping (Int, Int) -> Void) {
        generation += 1
        let g = generation
        if g & 1 == 0 {
            job0 = body
            swk_atomic_store_relaxed(counter(.count0), count)
        } else {
            job1 = body
            swk_atomic_store_relaxed(counter(.count1), count)
        }
        swk_atomic_store_relaxed(counter(.done), 0)
        swk_atomic_store(counter(.ticket), g << Self.indexBits)
        wakeSleepers()
        work(generation: g, worker: 0)
        while swk_atomic_load_acquire(counter(.done)) < count { swk_cpu_relax() }
        // Every claimed task has finished, so no thread reads this job again.
        if g & 1 == 0 { job0 = nil } else { job1 = nil }
    }

    /// Tells the workers to exit.
    func shutdown() {
        swk_atomic_store(counter(.stopping), 1)
        swk_atomic_store(counter(.ticket), (generation + 1) << Self.indexBits)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// A worker thread's life: wait for a new generation, claim its tasks, repeat. Stopping is checked
    /// while waiting too: a shutdown that lands between the check below and reading `seen` publishes the very
    /// generation the worker then waits past, and only `stopping` can end that wait.
    func workerLoop(worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            while swk_atomic_load_acquire(counter(.ticket)) >> Self.indexBits == seen {
                if swk_atomic_load_acquire(counter(.stopping)) != 0 { return }
                spins += 1
                if spins < spinLimit {
                    swk_cpu_relax()
                } else {
                    sleep(while: seen)
                    spins = 0
                }
            }
            if swk_atomic_load_acquire(counter(.stopping)) != 0 { return }
            seen = swk_atomic_load_acquire(counter(.ticket)) >> Self.indexBits
            work(generation: seen, worker: worker)
        }
    }

    /// Claims and runs tasks of generation `g` until none is left or a newer job is published.
    private func work(generation g: Int, worker: Int) {
        let mask = (1 << Self.indexBits) - 1
        while true {
            let value = swk_atomic_load_acquire(counter(.ticket))
            guard value >> Self.indexBits == g else { return }
            let task = value & mask
            let count = swk_atomic_load_relaxed(counter(g & 1 == 0 ? .count0 : .count1))
            guard task < count else { return }
            guard swk_atomic_compare_exchange(counter(.ticket), value, value + 1) != 0 else { continue }
            runTask(task, generation: g, worker: worker)
            swk_atomic_add_release(counter(.done), 1)
        }
    }

    /// Runs one task. Its own function, so the thread's reference to the job is released before the
    /// task is counted done (the caller's closure must not outlive `parallelFor`).
    @inline(never)
    private func runTask(_ task: Int, generation g: Int, worker: Int) {
        if g & 1 == 0 { job0?(task, worker) } else { job1?(task, worker) }
    }

    /// Sleeps until the ticket's generation moves past `seen`. Pairs with `wakeSleepers` through
    /// sequentially consistent operations on `sleepers` and `ticket`, so no wake-up is lost.
    private func sleep(while seen: Int) {
        pthread_mutex_lock(mutex)
        swk_atomic_add(counter(.sleepers), 1)
        while swk_atomic_load(counter(.ticket)) >> Self.indexBits == seen && swk_atomic_load(counter(.stopping)) == 0 {
            pthread_cond_wait(condition, mutex)
        }
        swk_atomic_add(counter(.sleepers), -1)
        pthread_mutex_unlock(mutex)
    }

    private func wakeSleepers() {
        guard swk_atomic_load(counter(.sleepers)) > 0 else { return }
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
