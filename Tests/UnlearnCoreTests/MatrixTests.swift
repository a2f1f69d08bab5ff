import Foundation
import Testing
import UnlearnCore

struct MatrixTests {
  @Test func storageIsRowMajor() {
    let m = Matrix([[1, 2, 3], [4, 5, 6]])
    #expect(m.elements == [1, 2, 3, 4, 5, 6])
    #expect(m[1, 0] == 4)
    #expect(m.row(1) == [4, 5, 6])
    #expect(m.column(2) == [3, 6])
  }

  @Test func transposeTwiceIsIdentityAndInPlaceAgrees() {
    let m = Matrix([[1, 2, 3], [4, 5, 6]])
    #expect(m.transposed() == Matrix([[1, 4], [2, 5], [3, 6]]))
    #expect(m.transposed().transposed() == m)
    var square = Matrix([[1, 2], [3, 4]])
    square.transpose()
    #expect(square == Matrix([[1, 3], [2, 4]]))
  }

  @Test func valueSemantics() {
    let original = Matrix(rows: 2, columns: 2)
    var copy = original
    copy[0, 0] = 7
    #expect(original[0, 0] == 0)
  }

  @Test func selectingRowsKeepsOrder() {
    let m = Matrix([[1], [2], [3]])
    #expect(m.selectingRows([2, 0]) == Matrix([[3], [1]]))
  }

  @Test func rowMaximaBreakTiesToTheFirstColumn() {
    #expect(Matrix([[0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [1, 0, 0]]).indicesOfRowMaxima() == [1, 0, 0])
    #expect(Matrix(rows: 2, columns: 1, repeating: 7).indicesOfRowMaxima() == [0, 0])
  }

  @Test func codableRoundTripAndRejectsWrongCount() throws {
    let m = Matrix([[1.5, -2], [0.1, 3e300]])
    let data = try JSONEncoder().encode(m)
    #expect(try JSONDecoder().decode(Matrix.self, from: data) == m)
    let broken = Data(#"{"rows":2,"columns":2,"elements":[1,2,3]}"#.utf8)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Matrix.self, from: broken) }
  }
}
