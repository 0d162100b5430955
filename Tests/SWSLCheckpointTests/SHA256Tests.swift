import Testing
import SWSLTestSupport
import SWSLCheckpoint

/// SHA-256 through libcrypto, against FIPS 180-2's test vectors.
@Suite struct SHA256Tests {
    @Test func fipsVectors() {
        func hex(_ text: [UInt8]) -> String { text.withUnsafeBytes { SHA256.hex($0) } }
        #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func fileIsHashedPieceByPiece() throws {
        // Larger than one piece (1 MiB), so the hash runs over several updates.
        let bytes = [UInt8](repeating: 0x61, count: 3 << 20)
        let path = try TemporaryFiles.write(bytes, name: "a.bin")
        #expect(SHA256.hex(path: path) == bytes.withUnsafeBytes { SHA256.hex($0) })
        #expect(SHA256.hex(path: path + ".missing") == nil)
    }
}
