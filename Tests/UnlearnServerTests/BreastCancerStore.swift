import Foundation
import UnlearnData
import UnlearnModels
import UnlearnStore
import Unlearning
import _UnlearnTestSupport

/// What the server tests execute requests against: an SQLite store in a fresh temporary folder
/// holding the newton model "bc", fitted on the first 150 rows of breast_cancer. `remove()` deletes
/// the folder.
struct BreastCancerStore {
  let store: Store
  let directory: URL

  init(leaseSeconds: Double = 30) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    store = try Store(
      path: directory.appendingPathComponent("s.sqlite").path, create: true, leaseSeconds: leaseSeconds)
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv")).subset(rows: Array(0..<150))
    let state = try NewtonRemoval(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(
      data, sourceSHA256: []
    ) { _ in }
    try store.registerModel(name: "bc", state: state, datasetName: "breast_cancer")
  }

  func remove() {
    try? FileManager.default.removeItem(at: directory)
  }
}
