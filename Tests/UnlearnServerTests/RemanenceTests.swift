import Foundation
import HTTPTypes
import Hummingbird
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import UnlearnServer
import UnlearnStore
import Unlearning
import _UnlearnTestSupport

/// "Erased" means gone from every file the store writes while the server still runs: for every
/// strategy, a sample with a distinctive id and feature value is erased over HTTP, and then no file
/// of the store (database, WAL, shared memory, key) holds its id, the float64 bytes of its value or
/// the value's decimal text. Connections open with SQLite's `secure_delete` off, as builds without
/// Debian's default have it, so it is the store's own pragma that makes this pass.
struct RemanenceTests {
  static let value = 12_345.678_901_234

  /// 300 digits rows; one of them gets an id that `canErase` accepts, with `value` in feature 20.
  static func data(erasableBy strategy: any UnlearningStrategy) throws -> (Dataset, SampleID) {
    let digits = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<300))
    let id = try #require((0..<1000).lazy.map { SampleID("erase-me-7f3c\($0)") }.first(where: strategy.canErase))
    var ids = digits.ids
    ids[17] = id
    var features = digits.features
    features[17, 20] = value
    let data = try Dataset(
      name: "digits", ids: ids, features: features, labels: digits.labels, featureNames: digits.featureNames,
      classNames: digits.classNames, idOrigin: .column)
    return (data, id)
  }

  static func strategy(_ name: String) throws -> any UnlearningStrategy {
    let kind: ModelKind = name == LMEraser.name ? .mlp : .logistic
    var options = StrategyOptions()
    if name == LMEraser.name {
      options.minimumClusterSize = 40
      options.maximumClusterSize = 200
      options.headEpochs = 2
    }
    return try StrategyCatalog.strategy(
      named: name, configuration: ModelConfiguration(kind: kind, hiddenLayers: [16], epochs: 3, seed: 1),
      options: options)
  }

  @Test(arguments: StrategyCatalog.names)
  func erasedSampleLeavesNoBytesInAnyStoreFile(strategyName: String) async throws {
    let strategy = try Self.strategy(strategyName)
    let (data, id) = try Self.data(erasableBy: strategy)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("remanence-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try Store(
      path: directory.appendingPathComponent("s.sqlite").path, create: true,
      prepareConnection: { db in try db.execute(sql: "PRAGMA secure_delete = OFF") })
    try store.registerModel(name: "m", state: try strategy.fit(data, sourceSHA256: []) { _ in }, datasetName: "d")
    let needles: [(String, [UInt8])] = [
      ("raw id", Array(id.rawValue.utf8)),
      ("float64 bytes", withUnsafeBytes(of: Self.value.bitPattern.littleEndian, Array.init)),
      ("decimal text", Array("12345.678901234".utf8)),
    ]
    // Before: the id and the value are there, so the scan can find them.
    #expect(FileScan.files(holding: needles[0].1, in: directory.path).isEmpty == false)
    #expect(FileScan.files(holding: needles[1].1, in: directory.path).isEmpty == false)

    let (router, worker) = UnlearnAPI.router(store: store, token: "t")
    try await TestServer.run(router) { client in
      let requestID = try await client.execute(
        uri: "/v1/models/m/deletions", method: .post,
        headers: [.authorization: "Bearer t", .contentType: "application/json"],
        body: ByteBuffer(string: "{\"ids\": [\"\(id.rawValue)\"]}")
      ) { response in
        #expect(response.status == .accepted)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        return try #require(body["id"] as? String)
      }
      await worker.wake()
      await worker.idle()
      try await client.execute(
        uri: "/v1/deletions/\(requestID)", method: .get, headers: [.authorization: "Bearer t"]
      ) { response in
        let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        #expect(body["status"] as? String == "done", "\(body)")
      }
      // The server (and its store) still runs: scan every file the store uses.
      for (what, bytes) in needles {
        #expect(FileScan.files(holding: bytes, in: directory.path).isEmpty, "\(strategyName): \(what) still on disk")
      }
    }
  }
}
