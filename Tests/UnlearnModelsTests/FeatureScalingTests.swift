import Foundation
import Testing
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

/// A configuration's scaling survives a model file, and a corrupted given scaling is refused.
struct FeatureScalingTests {
  @Test func givenScalingRoundTripsAndIsChecked() throws {
    for scaling in [FeatureScaling.fitted, .none, .given(Standardizer(means: [1, -2], scales: [0.5, 3]))] {
      let configuration = ModelConfiguration(kind: .logistic, scaling: scaling)
      let decoded = try JSONDecoder().decode(
        ModelConfiguration.self, from: try JSONEncoder().encode(configuration))
      #expect(decoded == configuration)
    }
    let corrupted = Data(#"{"kind": "given", "means": [1, 2], "scales": [1, 0]}"#.utf8)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeatureScaling.self, from: corrupted) }
  }

  @Test func restrictingToClassesRelabelsInTheGivenOrder() throws {
    let digits = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    let eight = try #require(digits.classNames.firstIndex(of: "8"))
    let binary = try digits.restricted(toClasses: ["8", "3"])
    #expect(binary.classNames == ["8", "3"])
    #expect(binary.count == digits.classCounts[eight] + digits.classCounts[digits.classNames.firstIndex(of: "3")!])
    #expect(binary.labels.filter { $0 == 0 }.count == digits.classCounts[eight])
    #expect(throws: DataError.self) { try digits.restricted(toClasses: ["3", "eleven"]) }
  }
}
