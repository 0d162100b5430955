import SWSLCore

/// Parses the persistent ids `torch.save` writes for storages:
/// zip: `('storage', storage_type, key, location, numel)`;
/// legacy: `('storage', storage_type, root_key, location, root_numel, view_metadata)`
/// where `view_metadata` is None or `(view_key, offset, view_numel)`.
enum TorchPersistentID {
    static func storage(_ id: PickleValue, offset: Int) throws(ReadError) -> StorageRef {
        guard let parts = id.items, parts.count >= 5, parts[0].string == "storage" else {
            throw .pickle(offset: offset, "persistent id \(id.kindName) is not a ('storage', …) tuple")
        }
        guard case .global(let typeName) = parts[1], let dtype = PickleAllowList.storageTypes[typeName] else {
            throw .pickle(offset: offset, "persistent id names storage type \(parts[1].kindName), not a known one")
        }
        guard let key = parts[2].string ?? parts[2].int.map(String.init) else {
            throw .pickle(offset: offset, "storage key is a \(parts[2].kindName)")
        }
        guard let numel = parts[4].int, numel >= 0 else {
            throw .pickle(offset: offset, "storage '\(key)' has no valid element count")
        }
        if parts.count > 5, let meta = parts[5].items {
            guard meta.count == 3, let viewKey = meta[0].string, let start = meta[1].int, start >= 0 else {
                throw .pickle(offset: offset, "storage '\(key)' has malformed view metadata")
            }
            // The view gets its own key; its bytes live in the root storage at `start` elements.
            return StorageRef(key: viewKey, dtype: dtype, elementCount: Int(meta[2].int ?? 0), viewOf: (key, Int(start)))
        }
        return StorageRef(key: key, dtype: dtype, elementCount: Int(numel), viewOf: nil)
    }
}
