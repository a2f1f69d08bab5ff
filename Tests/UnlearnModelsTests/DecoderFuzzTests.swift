import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

/// Seeded fuzzing of the decoders a user's files reach: truncations, byte flips and insertions
/// never crash (a trap would end the test process) and never load a model file silently different.
/// `examples` is kept small for `make test`; `UNLEARN_FUZZ_EXAMPLES=N swift test --filter
/// DecoderFuzzTests` runs a longer search.
struct DecoderFuzzTests {
  static let examples = ByteDamage.examples(standard: 300)

  @Test func damagedModelFilesAreRefusedNeverMisread() throws {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv")).subset(rows: Array(0..<80))
    let model = try ModelTrainer(configuration: ModelConfiguration(kind: .logistic, seed: 3))
      .train(on: data, dataFileSHA256: [])
    let bytes = try ModelFile.encode(model)
    var generator = SeededGenerator(seed: 2027)
    var refused = 0
    for _ in 0..<Self.examples {
      let input = ByteDamage.damaged(bytes, using: &generator)
      guard input != bytes else { continue }
      do {
        _ = try ModelFile.decode(input, path: "fuzz.ulm")
        Issue.record("a damaged model file loaded (\(input.count) bytes)")
      } catch is ModelFileError {
        refused += 1
      }
    }
    #expect(refused > Self.examples / 2, "tried \(Self.examples), refused \(refused)")
  }

  @Test func damagedCSVNeverCrashesTheLoader() throws {
    let text = try String(contentsOfFile: TestData.bundled("breast_cancer.csv"), encoding: .utf8)
    let bytes = Array(text.split(separator: "\n").prefix(30).joined(separator: "\n").utf8)
    var generator = SeededGenerator(seed: 2028)
    var outcomes = (loaded: 0, refused: 0)
    for _ in 0..<Self.examples {
      do {
        let dataset = try CSVLoader().parse(ByteDamage.damaged(bytes, using: &generator), file: "fuzz.csv")
        let finite = dataset.features.elements.allSatisfy { $0.isFinite }
        #expect(finite)
        outcomes.loaded += 1
      } catch is DataError {
        outcomes.refused += 1
      }
    }
    #expect(outcomes.loaded + outcomes.refused == Self.examples)
  }
}
