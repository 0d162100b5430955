import Testing
@testable import SWSLExecutor

@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3, 5])
    func runsEveryTaskOnce(threads: Int) {
        let pool = WorkerPool(threads: threads)
        for round in 0..<300 {
            let count = (round * 7) % 23
            // One slot per task and per worker: no two threads write the same memory.
            let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            let workers = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0)
            workers.initialize(repeating: -1)
            pool.parallelFor(count) { task, worker in
                hits[task] += 1
                workers[task] = worker
            }
            #expect(hits.prefix(count).allSatisfy { $0 == 1 }, "round \(round)")
            #expect(workers.prefix(count).allSatisfy { (0..<threads).contains($0) })
            hits.deallocate()
            workers.deallocate()
        }
    }

    @Test func poolsComeAndGo() {
        for _ in 0..<20 {
            let pool = WorkerPool(threads: 3)
            let values = UnsafeMutableBufferPointer<Int>.allocate(capacity: 10)
            values.initialize(repeating: 0)
            pool.parallelFor(10) { task, _ in values[task] = task }
            #expect(values.reduce(0, +) == 45)
            values.deallocate()
        }
    }

    /// A pool torn down right after a loop its worker may only just be waking for: the shutdown can land
    /// between the worker seeing the new generation and recording it (a verify run once hung there in
    /// `pthread_join`). Every teardown must finish.
    @Test func poolsTornDownRightAfterALoopAllFinish() {
        var sum = 0
        for round in 0..<3000 {
            let pool = WorkerPool(threads: 2)
            let values = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
            values.initialize(repeating: 0)
            pool.parallelFor(2) { task, _ in values[task] = round + task }
            sum += values[0] + values[1]
            values.deallocate()
        }
        #expect(sum == (0..<3000).reduce(0) { $0 + 2 * $1 + 1 })
    }
}

@Suite struct ConvTaskTests {
    @Test(arguments: [1, 2, 3, 4], [ConvTask.SplitCost.packsColumns, .free, .rowsFree])
    func tasksCoverEveryOutputOnce(threads: Int, cost: ConvTask.SplitCost) {
        for (batch, groups, rows, columns) in [(1, 1, 64, 3136), (1, 1, 2048, 49), (3, 32, 4, 196), (2, 1, 10, 1), (1, 4, 7, 50),
                                               (1, 1, 256, 196)] {
            let tasks = ConvTask.split(batch: batch, groups: groups, rowsPerGroup: rows, columns: columns,
                                       threads: threads, panelRows: 6, panelColumns: 16, cost: cost)
            var covered = [Int](repeating: 0, count: batch * groups * rows * columns)
            for task in tasks {
                #expect(task.rows.lowerBound % 6 == 0)
                for g in task.groups { for r in task.rows { for c in task.columns {
                    covered[((task.image * groups + g) * rows + r) * columns + c] += 1
                } } }
            }
            #expect(covered.allSatisfy { $0 == 1 }, "\(batch) \(groups) \(rows) \(columns)")
            #expect(threads == 1 || tasks.count >= min(threads, batch * groups * ((columns + 15) / 16)))
            // Free pieces: several per thread where the layer has them (here every layer of one image).
            if cost != .packsColumns && threads > 1 && batch == 1 && groups == 1 && rows >= 64 {
                #expect(tasks.count >= 2 * threads, "\(rows) \(columns): \(tasks.count) tasks")
            }
            // Rows free: one image's tasks cut rows only, each covering every column (none prepares a weight
            // panel another task also prepares).
            if cost == .rowsFree && threads > 1 && batch == 1 && groups == 1 && rows >= 6 * threads {
                #expect(tasks.allSatisfy { $0.columns == 0..<columns }, "\(rows) \(columns)")
            }
        }
    }
}
