import Numerics
import Testing
import UnlearnCore
import UnlearnData
import _UnlearnTestSupport

struct PreparationTests {
  private func dataset(labels: [Int], classes: Int) throws -> Dataset {
    try Dataset(
      name: "t", ids: labels.indices.map { SampleID(row: $0) },
      features: Matrix(rows: labels.count, columns: 1, elements: labels.indices.map(Double.init)),
      labels: labels, classNames: (0..<classes).map(String.init), idOrigin: .rowNumber)
  }

  @Test func standardizerCentersAndScalesTrainAndReusesItForTest() {
    let train = Matrix([[1, 5, 2], [3, 5, 4], [5, 5, 9]])
    let standardizer = Standardizer(fitting: train)
    let z = standardizer.transform(train)
    for j in 0..<3 {
      let column = z.column(j)
      #expect(abs(column.reduce(0, +)) < 1e-15)
      if j != 1 {
        #expect((column.reduce(0) { $0 + $1 * $1 } / 3).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-14))
      }
    }
    #expect(z.column(1) == [0, 0, 0])  // constant column maps to 0, not NaN
    let test = standardizer.transform(Matrix([[3, 6, 5]]))
    #expect(test[0, 0] == 0)
    #expect(test[0, 0].isApproximatelyEqual(to: (3 - 3) / (8.0 / 3).squareRoot(), absoluteTolerance: 1e-15))
    #expect(test[0, 1] == 1)
  }

  @Test func stratifiedSplitKeepsClassSharesAndPartitionsTheRows() throws {
    let labels = (0..<100).map { $0 < 80 ? 0 : ($0 < 95 ? 1 : 2) }
    let data = try dataset(labels: labels, classes: 3)
    var generator = SeededGenerator(seed: 1)
    let (train, test) = data.stratifiedSplit(testFraction: 0.2, using: &generator)
    #expect(test.classCounts == [16, 3, 1])
    #expect(train.classCounts == [64, 12, 4])
    #expect(Set(train.ids).isDisjoint(with: test.ids))
    #expect(Set(train.ids).union(test.ids) == Set(data.ids))
    #expect(train.ids == train.ids.sorted { Int($0.rawValue)! < Int($1.rawValue)! })
  }

  @Test func stratifiedSplitIsReproducibleFromTheSeed() throws {
    let data = try dataset(labels: (0..<60).map { $0 % 3 }, classes: 3)
    var a = SeededGenerator(seed: 4)
    var b = SeededGenerator(seed: 4)
    var c = SeededGenerator(seed: 5)
    let first = data.stratifiedSplit(testFraction: 0.3, using: &a).test.ids
    #expect(first == data.stratifiedSplit(testFraction: 0.3, using: &b).test.ids)
    #expect(first != data.stratifiedSplit(testFraction: 0.3, using: &c).test.ids)
  }

  @Test func singleSampleClassStaysInTraining() throws {
    let data = try dataset(labels: [0, 0, 0, 0, 1], classes: 2)
    var generator = SeededGenerator(seed: 2)
    let (train, test) = data.stratifiedSplit(testFraction: 0.5, using: &generator)
    #expect(train.classCounts == [2, 1])
    #expect(test.classCounts == [2, 0])
  }

  @Test func datasetRejectsDuplicateIDs() {
    #expect(throws: DataError.self) {
      try Dataset(
        name: "t", ids: ["a", "a"], features: Matrix(rows: 2, columns: 1), labels: [0, 0], classNames: ["0"],
        idOrigin: .column)
    }
  }

  @Test func aligningClassesMapsTestLabelsOntoTrainingClasses() throws {
    let test = try Dataset(
      name: "test", ids: ["a", "b"], features: Matrix(rows: 2, columns: 1), labels: [0, 1], classNames: ["3", "7"],
      idOrigin: .column)
    let aligned = try test.aligningClasses(to: ["1", "3", "7"])
    #expect(aligned.labels == [1, 2])
    #expect(aligned.classNames == ["1", "3", "7"])
    #expect(throws: DataError.self) { try test.aligningClasses(to: ["3"]) }
  }

  @Test func fileDigestMatchesPublishedChecksum() throws {
    #expect(
      try FileDigest.sha256(ofFileAt: TestData.bundled("digits.csv"))
        == "4faf08295f17d77e9a147ed5ea842ec501bd089cc6e61627f36ef15c1b48ea5b")
  }

  @Test func hexadecimalWritesTwoLowercaseDigitsPerByte() {
    #expect(FileDigest.hexadecimal([UInt8]()) == "")
    #expect(FileDigest.hexadecimal([0x00, 0xFF, 0x0A, 0xB3]) == "00ff0ab3")
  }
}
