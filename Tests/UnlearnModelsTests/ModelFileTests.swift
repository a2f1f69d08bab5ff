import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

struct ModelFileTests {
  let folder: String

  init() throws {
    folder = NSTemporaryDirectory() + "unlearn-model-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  private func trainedBreastCancerModel() throws -> (TrainedModel, Dataset) {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    let model = try ModelTrainer(configuration: ModelConfiguration(kind: .logistic, seed: 3))
      .train(on: data, dataFileSHA256: ["abc"])
    return (model, data)
  }

  @Test func roundTripKeepsEveryBitAndPredictsTheSame() throws {
    let (model, data) = try trainedBreastCancerModel()
    let path = folder + "/m.ulm"
    try ModelFile.write(model, to: path)
    let read = try ModelFile.read(from: path)
    #expect(read == model)
    #expect(read.probabilities(for: data.features) == model.probabilities(for: data.features))
    #expect(read.fingerprint.sampleCount == 569)
    // No temporary file is left beside the model.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["m.ulm"])
  }

  @Test func truncatedFileIsReportedAsTruncated() throws {
    let (model, _) = try trainedBreastCancerModel()
    let bytes = try ModelFile.encode(model)
    for cut in [10, 30, bytes.count - 5] {
      let error = try #require(throws: ModelFileError.self) {
        try ModelFile.decode(Array(bytes[..<cut]), path: "m.ulm")
      }
      #expect(error.isTruncated, "cut at \(cut): \(error)")
    }
  }

  @Test func flippedParameterByteIsReportedAsCorrupted() throws {
    let (model, _) = try trainedBreastCancerModel()
    var bytes = try ModelFile.encode(model)
    bytes[bytes.count - 3] ^= 0x40
    let error = try #require(throws: ModelFileError.self) { try ModelFile.decode(bytes, path: "m.ulm") }
    #expect(error.isCorrupted)
    #expect(error.description.contains("SHA-256"))
  }

  @Test func otherVersionIsRejectedWithItsNumber() throws {
    let (model, _) = try trainedBreastCancerModel()
    var bytes = try ModelFile.encode(model)
    bytes[8] = 3
    let error = try #require(throws: ModelFileError.self) { try ModelFile.decode(bytes, path: "m.ulm") }
    #expect(error.isUnsupportedVersion)
    #expect(error.description.contains("format version 3"))
  }

  /// An edit to the metadata that keeps it valid JSON of the same length (two class names swapped)
  /// is refused: the closing digest covers the metadata, not only the parameters.
  @Test func editedMetadataIsRefused() throws {
    let (model, _) = try trainedBreastCancerModel()
    let bytes = try ModelFile.encode(model)
    let names = model.classNames
    #expect(names.count == 2 && names[0].count == names[1].count)
    let original = "\"classNames\":[\"\(names[0])\",\"\(names[1])\"]"
    let swapped = "\"classNames\":[\"\(names[1])\",\"\(names[0])\"]"
    let pattern = Array(original.utf8)
    let offset = try #require(
      (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
    var edited = bytes
    edited.replaceSubrange(offset..<(offset + original.utf8.count), with: Array(swapped.utf8))
    let error = try #require(throws: ModelFileError.self) { try ModelFile.decode(edited, path: "m.ulm") }
    #expect(error.isCorrupted && error.description.contains("changed"), "\(error)")
    // A version 1 file (no closing digest) still loads, and says it is one.
    var legacy = Array(bytes.dropLast(32))
    legacy[8] = 1
    #expect(ModelFile.isUnsealedVersion1(legacy) && !ModelFile.isUnsealedVersion1(bytes))
    #expect(try ModelFile.decode(legacy, path: "old.ulm").classNames == names)
  }

  @Test func otherFilesAreNotModelFiles() throws {
    let error = try #require(throws: ModelFileError.self) {
      try ModelFile.decode(Array("pixel_0,label\n".utf8), path: "data.csv")
    }
    #expect(error.isNotAModelFile)
  }

  @Test func failedWriteLeavesTheOldFile() throws {
    let (model, _) = try trainedBreastCancerModel()
    let path = folder + "/m.ulm"
    try ModelFile.write(model, to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(throws: ModelFileError.self) { try ModelFile.write(model, to: folder + "/missing/m.ulm") }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }
}
