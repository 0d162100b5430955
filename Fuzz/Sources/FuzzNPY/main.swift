import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 { FuzzSupport.npy(data, size) }

exit(FuzzSupport.run { data, size in fuzzOne(data, size) })
