/// The activation buffers executors run in, which several executors may share when they never run at the same
/// time: `verify` runs the converted model and the float reference one after the other on each batch, and with
/// one `ActivationMemory` between them it holds one set of buffers (each as large as the larger model needs),
/// not two. Buffers grow to the largest request and are kept; their contents do not survive from one run to
/// the next. Not `Sendable`: the executors sharing it must run on one thread, one at a time.
public final class ActivationMemory {
    private var slots: [AlignedFloats] = []

    public init() {}

    /// Buffers of at least `counts[i]` floats each, in order, reusing (or growing) the kept ones.
    func buffers(_ counts: [Int]) -> [AlignedFloats] {
        for (index, count) in counts.enumerated() {
            if index == slots.count {
                slots.append(AlignedFloats(count: count))
            } else if slots[index].count < count {
                slots[index] = AlignedFloats(count: count)
            }
        }
        return Array(slots.prefix(counts.count))
    }
}
