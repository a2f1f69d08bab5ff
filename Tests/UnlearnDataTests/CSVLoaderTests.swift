import Testing
import UnlearnCore
import UnlearnData
import _UnlearnTestSupport

struct CSVLoaderTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  private func load(_ contents: String, label: String? = nil) throws -> Dataset {
    try CSVLoader(labelColumn: label).load(path: try folder.write("data.csv", contents))
  }

  private func loadError(_ contents: String, label: String? = nil) throws -> DataError {
    try #require(throws: DataError.self) { try load(contents, label: label) }
  }

  @Test func readsFeaturesLabelsAndRowNumberIDs() throws {
    let dataset = try load("a,b,label\n1,2.5,10\n-3,4e-1,2\n0,0,10\n")
    #expect(dataset.features == Matrix([[1, 2.5], [-3, 0.4], [0, 0]]))
    #expect(dataset.classNames == ["2", "10"])  // numeric, not lexicographic, order
    #expect(dataset.labels == [1, 0, 1])
    #expect(dataset.ids == ["0", "1", "2"])
    #expect(dataset.idOrigin == .rowNumber)
    #expect(dataset.featureNames == ["a", "b"])
  }

  @Test func readsIDColumnAndNamedLabelAnywhere() throws {
    let dataset = try load("id,y,x1,x2\nalice,1,0.5,1\nbob,0,2,3\n", label: "y")
    #expect(dataset.ids == ["alice", "bob"])
    #expect(dataset.idOrigin == .column)
    #expect(dataset.features == Matrix([[0.5, 1], [2, 3]]))
    #expect(dataset.labels == [1, 0])
  }

  @Test func defaultLabelIsLastColumnOtherThanID() throws {
    let dataset = try load("x,label,id\n1,0,a\n2,1,b\n")
    #expect(dataset.labels == [0, 1])
    #expect(dataset.ids == ["a", "b"])
  }

  @Test func toleratesCRLFQuotesSpacesAndBlankLines() throws {
    let dataset = try load("\"id\", x ,label\r\n\"a,1\", 1.5 ,0\r\n\r\n\"b\"\"q\",2,1\r\n")
    #expect(dataset.ids == ["a,1", "b\"q"])
    #expect(dataset.features == Matrix([[1.5], [2]]))
  }

  @Test func raggedRowNamesLineAndColumn() throws {
    let error = try loadError("a,b,label\n1,2,0\n1,2\n")
    #expect(error.code == .raggedRow)
    #expect(error.line == 3)
    #expect(error.column == 3)
    #expect(error.expected.contains("3"))
    #expect(error.found == "2")
  }

  @Test func nonNumericCellNamesColumnAndValue() throws {
    let error = try loadError("a,b,label\n1,2,0\n1,abc,1\n")
    #expect(error.code == .nonNumericCell)
    #expect((error.line, error.column, error.columnName) == (3, 2, "b"))
    #expect(error.found == "\"abc\"")
    #expect(error.description.contains("data.csv:3:2 (column 'b')"))
  }

  @Test(arguments: ["nan", "NaN", "inf", "-Infinity"])
  func nonFiniteValuesAreRejected(_ text: String) throws {
    let error = try loadError("a,label\n1,0\n\(text),1\n")
    #expect(error.code == .nonFiniteValue)
    #expect((error.line, error.column) == (3, 1))
  }

  @Test func emptyCellIsNonNumeric() throws {
    #expect(try loadError("a,b,label\n1,,0\n").code == .nonNumericCell)
  }

  @Test func unknownLabelColumnListsTheColumns() throws {
    let error = try loadError("a,b,label\n1,2,0\n", label: "target")
    #expect(error.code == .unknownLabelColumn)
    #expect(error.found.contains("label"))
  }

  @Test(arguments: ["2.5", "x", ""])
  func nonIntegerLabelsAreRejected(_ text: String) throws {
    let error = try loadError("a,label\n1,\(text)\n")
    #expect(error.code == .badLabel)
    #expect((error.line, error.columnName) == (2, "label"))
  }

  @Test func duplicateIDsNameBothLines() throws {
    let error = try loadError("id,a,label\nx,1,0\ny,1,0\nx,2,1\n")
    #expect(error.code == .duplicateID)
    #expect(error.line == 4)
    #expect(error.expected.contains("line 2"))
  }

  @Test(arguments: ["", "\n\n", "a,b,label\n", "a,b,label\n\n"])
  func emptyFilesAreRejected(_ contents: String) throws {
    #expect(try loadError(contents).code == .emptyFile)
  }

  @Test func duplicateColumnNamesAreRejected() throws {
    #expect(try loadError("a,a,label\n1,2,0\n").code == .badHeader)
  }

  @Test func missingFileIsUnreadable() throws {
    let error = try #require(throws: DataError.self) { try CSVLoader().load(path: folder.path + "/none.csv") }
    #expect(error.code == .unreadableFile)
    #expect(error.found == "no such file")
  }

  @Test func loadsBundledDigitsAndBreastCancer() throws {
    let digits = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    #expect((digits.count, digits.featureCount, digits.classCount) == (1797, 64, 10))
    #expect(digits.classCounts[0] == 178)
    #expect(digits.features[0, 2] == 5)  // first digit's third pixel, checked against the file
    let cancer = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    #expect((cancer.count, cancer.featureCount) == (569, 30))
    #expect(cancer.classCounts == [212, 357])
    #expect(cancer.features[0, 0] == 17.99)
  }
}

extension CSVLoaderTests {
  /// A spreadsheet's UTF-8 byte-order mark before an `id` header: ids still come from the column.
  @Test func byteOrderMarkIsSkipped() throws {
    let path = try folder.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id,x,label\nann,1,0\nbo,2,1\n".utf8))
    let dataset = try CSVLoader().load(path: path)
    #expect(dataset.ids == ["ann", "bo"] && dataset.idOrigin == .column)
    #expect(dataset.featureCount == 1 && dataset.featureNames == ["x"])
  }

  /// `id` with a zero-width space is not silently a feature column.
  @Test func headerThatIsIDButForInvisibleCharactersIsAnError() throws {
    let error = try loadError("id\u{200B},x,label\nann,1,0\n")
    #expect(error.code == .badHeader && error.column == 1)
    #expect(error.description.contains("U+200B"), "\(error)")
    let label = try loadError("x,\u{00A0}label\n1,0\n")
    #expect(label.code == .badHeader && label.column == 2)
  }

  /// A NUL inside a number is not read as the digits before it.
  @Test func controlCharacterInANumericCellIsAnError() throws {
    let error = try loadError("a,b,label\n1,2\u{0}5,0\n")
    #expect(error.code == .nonNumericCell && error.line == 2 && error.column == 2)
    #expect(error.description.contains("control character"), "\(error)")
    #expect(try loadError("a,label\n\u{7}1,0\n").code == .nonNumericCell)
  }
}
