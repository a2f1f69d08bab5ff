import Numerics
import Testing
import UnlearnCore
import UnlearnData
import _UnlearnTestSupport

struct TextTSVLoaderTests {
  let folder: TemporaryDirectory

  init() throws {
    folder = try TemporaryDirectory()
  }

  @Test func tokensAreLowercasedWordRunsOfTwoOrMore() {
    #expect(HashingVectorizer.tokens(of: "Hello, WORLD! a b2 x_y £5 é") == ["hello", "world", "b2", "x_y"])
  }

  @Test func hashingIsStableAcrossRuns() {
    // FNV-1a-64("hello") = 0xa430d84680aabd0b, pinned so models stay loadable across processes.
    #expect(
      HashingVectorizer(featureCount: 1 << 20).column(of: "hello") == Int(UInt64(0xA430_D846_80AA_BD0B) % (1 << 20)))
  }

  @Test func countsThenNormalizesRows() {
    let raw = HashingVectorizer(featureCount: 64, normalizesRows: false).transform(["spam spam eggs", ""])
    let spam = HashingVectorizer(featureCount: 64).column(of: "spam")
    let eggs = HashingVectorizer(featureCount: 64).column(of: "eggs")
    #expect(raw[0, spam] == (spam == eggs ? 3 : 2))
    #expect(raw.row(1).allSatisfy { $0 == 0 })
    let normalized = HashingVectorizer(featureCount: 64).transform(["spam spam eggs", ""])
    #expect(BLAS.nrm2(normalized.row(0)).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-15))
    #expect(normalized.row(1).allSatisfy { $0 == 0 })
  }

  @Test func readsHeaderAndWordLabels() throws {
    let path = try folder.write("t.tsv", "label\ttext\nham\tsee you at 5\nspam\tWIN a prize now\nham\tok\n")
    let dataset = try TextTSVLoader().load(path: path)
    #expect(dataset.classNames == ["ham", "spam"])
    #expect(dataset.labels == [0, 1, 0])
    #expect(dataset.ids == ["0", "1", "2"])
    #expect(dataset.featureCount == 1024)
  }

  @Test func lineWithoutExactlyOneTabIsRagged() throws {
    let path = try folder.write("t.tsv", "0\tfine\n1 no tab here\n")
    let error = try #require(throws: DataError.self) { try TextTSVLoader().load(path: path) }
    #expect(error.code == .raggedRow)
    #expect(error.line == 2)
    let twoTabs = try folder.write("u.tsv", "0\tone\ttwo\n")
    #expect(try #require(throws: DataError.self) { try TextTSVLoader().load(path: twoTabs) }.found == "3")
  }

  @Test func emptyFileIsRejected() throws {
    let path = try folder.write("e.tsv", "label\ttext\n")
    #expect(try #require(throws: DataError.self) { try TextTSVLoader().load(path: path) }.code == .emptyFile)
  }

  @Test(
    .enabled(
      if: TestData.hasShared("sms_spam/sms_spam.tsv"),
      "needs ../shared/data/sms_spam/sms_spam.tsv (the team's shared data, absent from a plain clone)"))
  func loadsRealSMSSpam() throws {
    let dataset = try TextTSVLoader().load(path: TestData.shared("sms_spam/sms_spam.tsv"))
    #expect(dataset.count == 5574)
    #expect(dataset.classCounts == [4827, 747])
  }

  @Test func tfidfMatchesHandComputation() {
    // Three documents, two columns: column 0 in all three, column 1 in one.
    let counts = Matrix([[1, 0], [2, 1], [1, 0]])
    let weighting = TFIDFWeighting(fitting: counts)
    let idf1 = Double.log(4.0 / 2.0) + 1
    #expect(weighting.inverseDocumentFrequencies[0] == 1)
    #expect(weighting.inverseDocumentFrequencies[1].isApproximatelyEqual(to: idf1, absoluteTolerance: 1e-15))
    let weighted = weighting.transform(counts)
    let norm = (4 + idf1 * idf1).squareRoot()
    #expect(weighted[1, 0].isApproximatelyEqual(to: 2 / norm, absoluteTolerance: 1e-15))
    #expect(weighted[1, 1].isApproximatelyEqual(to: idf1 / norm, absoluteTolerance: 1e-15))
    #expect(weighted[0, 0] == 1)
  }
}
