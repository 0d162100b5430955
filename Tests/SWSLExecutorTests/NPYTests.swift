import Testing
import SWSLCore

@Suite struct NPYTests {
    @Test func roundTripsShapes() throws {
        for shape in [[], [3], [2, 3], [1, 2, 3, 4], [0, 5]] {
            let count = shape.reduce(1, *)
            let array = try NPYArray(shape: shape, values: (0..<count).map { Float($0) * 0.5 - 1 })
            let bytes = array.serialized()
            #expect((bytes.count - count * 4) % 64 == 0)
            #expect(try NPYArray.parse(bytes) == array)
        }
    }
}
