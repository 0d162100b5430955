import SWSLCore

/// Turns the `TensorRef`s of a weights mapping into tensors once their storages can be fetched.
/// `fetch` returns a storage's bytes by key (already validated to hold its declared elements).
struct TensorResolver {
    let fetch: (StorageRef) throws(ReadError) -> ByteStorage
    let bigEndian: Bool

    func resolve(_ entries: [(String, TensorRef)]) throws(ReadError) -> [NamedTensor] {
        var out: [NamedTensor] = []
        out.reserveCapacity(entries.count)
        for (name, ref) in entries {
            if let done = ref.resolved {
                out.append(NamedTensor(name: name, tensor: done))
                continue
            }
            let storage = try fetch(ref.storage)
            do {
                let tensor = try Tensor.view(
                    storage: storage, dtype: ref.storage.dtype, storageOffset: ref.storageOffset,
                    shape: ref.shape, strides: ref.strides, bigEndian: bigEndian)
                ref.resolved = tensor
                out.append(NamedTensor(name: name, tensor: tensor))
            } catch {
                throw .tensor(name: name, error)
            }
        }
        return out
    }

    /// Checks that `bytes` holds exactly the storage's declared elements and returns the right slice.
    static func checkedStorage(_ bytes: ByteStorage, for ref: StorageRef, place: String) throws(ReadError) -> ByteStorage {
        guard let count = ref.elementCount else { return bytes }
        let (needed, overflow) = count.multipliedReportingOverflow(by: ref.dtype.byteSize)
        guard !overflow, needed <= bytes.count else {
            throw .tooLarge(where: place, "storage '\(ref.key)' declares \(count) × \(ref.dtype.byteSize) bytes, holds \(bytes.count)")
        }
        return bytes.slice(0..<needed)
    }
}
