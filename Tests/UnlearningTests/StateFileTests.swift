import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// A persisted state must read back as the same state, refuse damaged files, and hold nothing of
/// a forgotten sample but the salted hash of its id.
struct StateFileTests {
  static func forgottenState() throws -> (RetrainState, forgotten: [SampleID]) {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    let strategy = Retrain(configuration: ModelConfiguration(kind: .logistic, seed: 2))
    let fitted = try strategy.fit(data, sourceSHA256: ["feed"]) { _ in }
    let forgotten: [SampleID] = ["10", "11", "12"]
    return (try strategy.forget(try ForgetRequest(ids: forgotten), from: fitted) { _ in }.state, forgotten)
  }

  @Test func roundTripGivesTheSameState() throws {
    let (state, forgotten) = try Self.forgottenState()
    let bytes = try StateFile.encode(try state.archive())
    let read = try StrategyCatalog.state(from: try StateFile.decode(bytes, path: "s"), path: "s")
    let restored = try #require(read as? RetrainState)
    #expect(restored.model == state.model)
    #expect(restored.trainingSet == state.trainingSet)
    for id in forgotten { #expect(restored.trainingSet.forgotten.contains(id)) }
    // Forgetting from the restored state goes on where the original left off.
    let again = #expect(throws: ForgetError.self) {
      try restored.forgetting(try ForgetRequest(ids: ["11"]))
    }
    #expect(again?.code == .alreadyForgotten)
  }

  @Test func forgottenSamplesLeaveNoFeaturesOrIDsInTheFile() throws {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    let (state, forgotten) = try Self.forgottenState()
    let bytes = try StateFile.encode(try state.archive())
    let archive = try StateFile.decode(bytes, path: "s")
    let storedIDs = try archive.json([String: AnyCodableIDs].self, "training.json", path: "s")
    let ids = try #require(storedIDs["ids"]?.values)
    #expect(ids.count == data.count - 3)
    for id in forgotten { #expect(!ids.contains(id.rawValue)) }
    // No forgotten row's features appear in the features part (every row of this data is distinct).
    let features = try archive.doubles("training.features", count: ids.count * data.featureCount, path: "s")
    let storedRows = Set(
      (0..<ids.count).map { Array(features[($0 * data.featureCount)..<(($0 + 1) * data.featureCount)]) })
    let forgottenRows = data.ids.indices.filter { forgotten.contains(data.ids[$0]) }.map { data.features.row($0) }
    for row in forgottenRows { #expect(!storedRows.contains(row)) }
    // The ledger stores salted hashes, not the ids.
    let provenance = String(decoding: try #require(archive.blob("training.provenance")), as: UTF8.self)
    #expect(!provenance.contains("\"10\"") && !provenance.contains("\"11\""))
  }

  @Test func damagedFilesAreRefusedWithTheReason() throws {
    let (state, _) = try Self.forgottenState()
    let bytes = try StateFile.encode(try state.archive())

    var flipped = bytes
    flipped[bytes.count - 100] ^= 0xFF
    let corrupted = #expect(throws: ModelFileError.self) { try StateFile.decode(flipped, path: "s") }
    #expect(corrupted?.isCorrupted == true && corrupted?.description.contains("SHA-256") == true)

    let truncated = #expect(throws: ModelFileError.self) { try StateFile.decode(Array(bytes.dropLast(9)), path: "s") }
    #expect(truncated?.isTruncated == true)

    let modelFile = try ModelFile.encode(state.model)
    let notState = #expect(throws: ModelFileError.self) { try StateFile.decode(modelFile, path: "m") }
    #expect(notState?.isNotAModelFile == true)

    // A header that lies about a part's size is refused, not trusted.
    var lying = bytes
    let text = String(decoding: lying, as: UTF8.self)
    if let range = text.range(of: "\"bytes\":") {
      let offset = text.utf8.distance(from: text.utf8.startIndex, to: range.upperBound)
      lying[offset] = UInt8(ascii: "-")
      let refused = #expect(throws: ModelFileError.self) { try StateFile.decode(lying, path: "s") }
      #expect(refused?.isCorrupted == true)
    }

    var unknown = try state.archive()
    unknown.strategy = "teleport"
    let unknownStrategy = #expect(throws: ModelFileError.self) {
      try StrategyCatalog.state(from: try StateFile.decode(try StateFile.encode(unknown), path: "s"), path: "s")
    }
    #expect(unknownStrategy?.isUnsupportedVersion == true)
    #expect(unknownStrategy?.description.contains("teleport") == true)
  }

  @Test func writingIsAtomicAndReadable() throws {
    let (state, _) = try Self.forgottenState()
    let path = NSTemporaryDirectory() + "unlearn-state-\(UUID().uuidString).uls"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try state.write(to: path)
    let read = try #require(try StrategyCatalog.readState(from: path) as? RetrainState)
    #expect(read.model == state.model)
    let folder = (path as NSString).deletingLastPathComponent
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
      $0.hasPrefix("." + (path as NSString).lastPathComponent)
    }
    #expect(leftovers.isEmpty)
  }
}

/// Decodes the "ids" array of a stored dataset and ignores the other keys.
struct AnyCodableIDs: Decodable {
  let values: [String]?

  init(from decoder: any Decoder) throws {
    values = try? decoder.singleValueContainer().decode([String].self)
  }
}

extension StateFileTests {
  /// Damaged state files (truncations, byte flips, insertions) are refused, or — where the damage
  /// missed everything read — load as the very same state; they never crash.
  @Test func damagedStateFilesAreRefusedNeverMisread() throws {
    let (state, _) = try Self.forgottenState()
    let bytes = try StateFile.encode(try state.archive())
    var generator = SeededGenerator(seed: 2030)
    let examples = ByteDamage.examples(standard: 150)
    var refused = 0
    for _ in 0..<examples {
      let input = ByteDamage.damaged(bytes, using: &generator)
      do {
        let read = try StrategyCatalog.state(from: try StateFile.decode(input, path: "fuzz.uls"), path: "fuzz.uls")
        let same = try #require(read as? RetrainState)
        #expect(same.trainingSet == state.trainingSet && same.model == state.model, "a damaged state loaded different")
      } catch let error as ModelFileError {
        #expect(!error.description.isEmpty)
        refused += 1
      }
    }
    #expect(refused > examples / 2, "tried \(examples), refused \(refused)")
  }
}

extension StateFileTests {
  /// Version 2 closes with a digest of the whole file; version 1 files (without it) still load.
  @Test func versionOneStateFilesStillLoad() throws {
    let (state, _) = try Self.forgottenState()
    let bytes = try StateFile.encode(try state.archive())
    #expect(!StateFile.isUnsealedVersion1(bytes))
    var legacy = Array(bytes.dropLast(32))
    legacy[8] = 1
    #expect(StateFile.isUnsealedVersion1(legacy))
    let read = try StrategyCatalog.state(from: try StateFile.decode(legacy, path: "old.uls"), path: "old.uls")
    #expect((read as? RetrainState)?.trainingSet == state.trainingSet)
    var edited = bytes
    edited[30] ^= 0x01  // inside the header's JSON
    #expect(throws: ModelFileError.self) { try StateFile.decode(edited, path: "edited.uls") }
  }
}
