/// A piece of one convolution for one thread: an image, a range of groups, a range of output rows
/// within each group (starting on a panel boundary) and a range of output positions.
struct ConvTask: Sendable, Equatable {
    var image: Int
    var groups: Range<Int>
    var rows: Range<Int>
    var columns: Range<Int>

    /// What cutting one image's convolution into tasks costs (the path's `swk_conv_split_kind`).
    enum SplitCost: Sendable {
        /// Each task packs its own columns: rows cut finer pack the same columns again.
        case packsColumns
        /// Nothing (direct kernels read the prepared input in place).
        case free
        /// Nothing when rows are cut (every column was packed in a preparation stage); columns cut finer
        /// prepare the same weight panels again.
        case rowsFree
    }

    /// Splits a convolution over `batch` images into tasks for `threads` threads: whole images when
    /// there are enough, else each image cut along groups (many groups), output positions (large
    /// planes; each task packs only its own im2col columns) or output rows (small planes, so the
    /// im2col columns are not cut into padded slivers; each task packs them all, unless `cost` is
    /// `.rowsFree`: then they were packed once for all).
    /// Where pieces cost nothing (`cost` `.free`, or `.rowsFree` cut along rows), every thread gets
    /// about four tasks, claimed as threads come free, so a slower or delayed thread holds up less.
    static func split(batch: Int, groups: Int, rowsPerGroup: Int, columns: Int, threads: Int,
                      panelRows: Int, panelColumns: Int, cost: SplitCost = .packsColumns) -> [ConvTask] {
        let whole = ConvTask(image: 0, groups: 0..<groups, rows: 0..<rowsPerGroup, columns: 0..<columns)
        let pieces = threads <= 1 ? 1 : threads / gcd(batch, threads)
        let rowPanels = (rowsPerGroup + panelRows - 1) / panelRows
        let columnPanels = (columns + panelColumns - 1) / panelColumns
        let byRows = { (parts: Int) in
            even(rowPanels, parts).map { panels in
                ConvTask(image: 0, groups: whole.groups,
                         rows: min(panels.lowerBound * panelRows, rowsPerGroup)..<min(panels.upperBound * panelRows, rowsPerGroup),
                         columns: whole.columns)
            }
        }
        var perImage: [ConvTask] = []
        if pieces == 1 {
            perImage = [whole]
        } else if groups >= 2 * pieces {
            perImage = even(groups, pieces).map { ConvTask(image: 0, groups: $0, rows: whole.rows, columns: whole.columns) }
        } else if cost == .rowsFree && rowPanels >= pieces {
            perImage = byRows(min(rowPanels, 4 * pieces))
        } else if columnPanels >= 4 * pieces || rowPanels < pieces {
            // Three tasks per thread when the plane is large, so a thread the OS delays holds up little.
            let parts = cost == .free ? min(columnPanels, 4 * pieces) : columnPanels >= 12 * pieces ? 3 * pieces : pieces
            perImage = even(columnPanels, parts).map { panels in
                ConvTask(image: 0, groups: whole.groups, rows: whole.rows,
                         columns: min(panels.lowerBound * panelColumns, columns)..<min(panels.upperBound * panelColumns, columns))
            }
        } else {
            perImage = byRows(cost == .free ? min(rowPanels, 4 * pieces) : pieces)
        }
        perImage.removeAll { $0.groups.isEmpty || $0.rows.isEmpty || $0.columns.isEmpty }
        return (0..<batch).flatMap { image in
            perImage.map { task in
                var task = task
                task.image = image
                return task
            }
        }
    }

    /// `count` items cut into `parts` contiguous ranges of sizes differing by at most one.
    static func even(_ count: Int, _ parts: Int) -> [Range<Int>] {
        (0..<parts).map { part in (count * part / parts)..<(count * (part + 1) / parts) }
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
