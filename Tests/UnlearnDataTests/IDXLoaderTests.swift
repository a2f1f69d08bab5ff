import Foundation
import Testing
import UnlearnCore
import UnlearnData
import _UnlearnTestSupport

struct IDXLoaderTests {
  let folder: TemporaryDirectory
  let images = idxBytes(shape: [3, 2, 2], values: [0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252])
  let labels = idxBytes(shape: [3], values: [7, 2, 7])

  init() throws {
    folder = try TemporaryDirectory()
  }

  @Test(arguments: [false, true])
  func readsPlainAndGzippedFiles(_ gzipped: Bool) throws {
    // The labels file is not named: DatasetFile finds it by the MNIST naming convention.
    let suffix = gzipped ? ".gz" : ""
    let write = gzipped ? folder.writeGzip : folder.write
    let imagesPath = try write("x-images-idx3-ubyte" + suffix, images)
    _ = try write("x-labels-idx1-ubyte" + suffix, labels)
    let file = try DatasetFile(path: imagesPath)
    #expect(file.format == .idx)
    let dataset = try file.load()
    #expect(dataset.features == Matrix([[0, 1, 2, 3], [10, 11, 12, 13], [255, 254, 253, 252]]))
    #expect(dataset.classNames == ["2", "7"])
    #expect(dataset.labels == [1, 0, 1])
    #expect(dataset.ids == ["0", "1", "2"])
  }

  @Test func truncatedHeaderIsReported() throws {
    let path = try folder.write("short-images-idx3-ubyte", bytes: Array(images[..<9]))
    let labelsPath = try folder.write("short-labels-idx1-ubyte", bytes: labels)
    let error = try #require(throws: DataError.self) {
      try IDXLoader().load(imagesPath: path, labelsPath: labelsPath)
    }
    #expect(error.code == .truncatedFile)
    #expect(error.expected.contains("16-byte header"))
    #expect(error.found == "9 bytes")
  }

  @Test func truncatedBodyIsReported() throws {
    let path = try folder.write("cut-images-idx3-ubyte", bytes: Array(images.dropLast(3)))
    let labelsPath = try folder.write("cut-labels-idx1-ubyte", bytes: labels)
    let error = try #require(throws: DataError.self) {
      try IDXLoader().load(imagesPath: path, labelsPath: labelsPath)
    }
    #expect(error.code == .truncatedFile)
    #expect(error.expected.contains("12 data bytes"))
    #expect(error.found == "9")
  }

  @Test func truncatedGzipStreamIsReported() throws {
    let whole = try folder.writeGzip(
      "whole.gz", bytes: idxBytes(shape: [2000], values: (0..<2000).map { UInt8($0 % 251) }))
    let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: whole)))
    let cut = try folder.write("cut.gz", bytes: Array(compressed[..<(compressed.count / 2)]))
    let error = try #require(throws: DataError.self) { try IDXLoader().load(imagesPath: cut, labelsPath: cut) }
    #expect(error.code == .truncatedFile)
    #expect(error.found.contains("zlib"))
  }

  @Test func wrongMagicIsABadHeader() throws {
    var bytes = images
    bytes[2] = 0x0D  // float data, not unsigned bytes
    let path = try folder.write("f-images-idx3-ubyte", bytes: bytes)
    let error = try #require(throws: DataError.self) { try IDXLoader().load(imagesPath: path, labelsPath: path) }
    #expect(error.code == .badHeader)
    #expect(error.found == "0 0 D 3")
  }

  @Test func labelCountMustMatchImageCount() throws {
    let imagesPath = try folder.write("m-images-idx3-ubyte", bytes: images)
    let labelsPath = try folder.write("m-labels-idx1-ubyte", bytes: idxBytes(shape: [2], values: [1, 2]))
    let error = try #require(throws: DataError.self) {
      try IDXLoader().load(imagesPath: imagesPath, labelsPath: labelsPath)
    }
    #expect(error.code == .badHeader)
    #expect(error.expected.contains("3 labels"))
  }

  @Test func labelsFileFollowsTheMNISTNamingConvention() {
    #expect(
      IDXLoader.labelsPath(forImagesPath: "/d/train-images-idx3-ubyte.gz") == "/d/train-labels-idx1-ubyte.gz")
    #expect(IDXLoader.labelsPath(forImagesPath: "/d/pictures.bin") == nil)
  }

  @Test(
    .enabled(
      if: TestData.hasShared("fashion-mnist/t10k-images-idx3-ubyte.gz"),
      "needs ../shared/data/fashion-mnist (the team's shared data, absent from a plain clone)"))
  func loadsRealFashionMNISTTestSet() throws {
    let dataset = try DatasetFile(path: TestData.shared("fashion-mnist/t10k-images-idx3-ubyte.gz")).load()
    #expect((dataset.count, dataset.featureCount) == (10_000, 784))
    #expect(dataset.classCounts == [Int](repeating: 1000, count: 10))
    #expect(dataset.features.maxAbsoluteValue == 255)
  }

  /// Damaged IDX files (plain and gzipped images, and labels) never crash the loader.
  @Test func damagedIDXFilesNeverCrashTheLoader() throws {
    var generator = SeededGenerator(seed: 2029)
    let examples = ByteDamage.examples(standard: 200)
    var refused = 0
    for example in 0..<examples {
      let damagedImages = ByteDamage.damaged(images, using: &generator)
      let damagedLabels = example % 2 == 0 ? labels : ByteDamage.damaged(labels, using: &generator)
      let imagesPath =
        example % 3 == 0
        ? try folder.writeGzip("f-images-idx3-ubyte.gz", bytes: damagedImages)
        : try folder.write("f-images-idx3-ubyte", bytes: damagedImages)
      let labelsPath = try folder.write("f-labels-idx1-ubyte", bytes: damagedLabels)
      do {
        let dataset = try IDXLoader().load(imagesPath: imagesPath, labelsPath: labelsPath)
        #expect(dataset.count == dataset.labels.count)
      } catch is DataError {
        refused += 1
      }
    }
    #expect(refused > 0, "tried \(examples)")
  }
}
