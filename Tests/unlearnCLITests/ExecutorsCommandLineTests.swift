import Foundation
import Testing
import UnlearnCore
import UnlearnStore
import _UnlearnTestSupport

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Many executors on one store, as an operator runs them: two `serve` processes, two `worker`s and
/// repeated `request run`s; 10 concurrent HTTP clients split over the two servers, every request
/// also retried (same request id) at the other server. Then more deletions while a worker is
/// SIGKILLed at seeded random moments and restarted. Every request must end done exactly once, on
/// an SQLite file and on PostgreSQL.
extension CommandLineTests {
  /// A started `unlearn` process, stopped (SIGTERM, then SIGKILL) when the test ends.
  final class Executor: @unchecked Sendable {
    let process = Process()
    let arguments: [String]

    init(_ arguments: [String]) throws {
      self.arguments = arguments
      process.executableURL = URL(fileURLWithPath: CommandLineTests.executable)
      process.arguments = arguments
      process.currentDirectoryURL = CommandLineTests.repository
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
    }

    func kill() {
      Foundation.kill(process.processIdentifier, SIGKILL)
      process.waitForExit()
    }

    /// SIGTERM, and SIGKILL if the process has not exited 30 seconds later, which is a failure:
    /// operators stop `serve` and `worker` with SIGTERM.
    func stop() {
      guard process.isRunning else { return }
      process.terminate()
      if !process.waitForExit(timeout: .seconds(30)) {
        Issue.record("unlearn \(arguments.first ?? "") did not exit within 30 s of SIGTERM")
        kill()
      }
    }
  }

  /// The stores the test runs on: an SQLite file, and a PostgreSQL database where the tests have a
  /// server (`TestPostgres`).
  static let storeKinds = TestPostgres.serverURL == nil ? ["sqlite"] : ["sqlite", "postgres"]

  /// The time limit turns a hang (an executor that never stops, a wait that never returns) into a
  /// failure that names this test; a run takes well under a minute.
  @Test(.timeLimit(.minutes(5)), arguments: storeKinds)
  func manyExecutorsOnOneStoreExecuteEveryRequestExactlyOnce(storeKind: String) async throws {
    let location = storeKind == "postgres" ? try TestPostgres.createDatabase() : folder + "/shared.sqlite"
    defer { if storeKind == "postgres" { TestPostgres.dropDatabase(location) } }
    let keyFile = folder + "/shared.key"
    let store = ["--store", location, "--key-file", keyFile]
    #expect(try run(["store", "init"] + store).status == 0)
    let train = try run(
      ["train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "newton", "--name", "bc"]
        + store + ["--no-progress"])
    #expect(train.status == 0, "\(train.standardError)")
    let tokenFile = folder + "/token"
    try "shared-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
    let lease = ["--lease-seconds", "2"]
    let ports = [0, 1].map { _ in Int.random(in: 20_000..<40_000) }
    let servers = try ports.map { port in
      try Executor(
        ["serve"] + store + ["--port", String(port), "--token-file", tokenFile, "--poll-seconds", "0.2"] + lease)
    }
    let workers = try (0..<2).map { _ in try Executor(["worker"] + store + ["--poll-seconds", "0.2"] + lease) }
    defer { for executor in servers + workers { executor.stop() } }
    let addresses = ports.map { URL(string: "http://127.0.0.1:\($0)")! }
    for address in addresses { try await Self.waitUntilReady(address) }

    let sampleIDs = (0..<569).map(String.init)
    let first = DeletionLoad(sampleIDs: sampleIDs, unique: 200, clientCount: 10, seed: 11)
    async let runs: Void = {
      for _ in 0..<3 {
        _ = try? self.run(["request", "run"] + store + lease)
        try? await Task.sleep(for: .milliseconds(300))
      }
    }()
    let (outcomes, _) = await first.run(baseURLs: addresses, token: "shared-token", model: "bc")
    await runs
    #expect(DeletionLoad.answerProblems(outcomes).isEmpty, "\(DeletionLoad.answerProblems(outcomes).prefix(5))")
    let opened = try Store(location: location, keyFile: keyFile)
    try await Self.waitUntilSettled(opened, count: 200)
    try Self.expectExactlyOnce(opened, requests: 200, remaining: 569 - 200)

    // More deletions while a worker is killed at random moments (three times) and restarted.
    let used = Set(first.clients.flatMap { $0 }.map(\.sampleID))
    let second = DeletionLoad(
      sampleIDs: sampleIDs.filter { !used.contains($0) }, unique: 100, clientCount: 10, seed: 12)
    async let restarted: [Executor] = {
      var generator = SeededGenerator(seed: 13)
      var current = workers[0]
      var started: [Executor] = []
      for _ in 0..<3 {
        try? await Task.sleep(for: .milliseconds(Int.random(in: 50..<400, using: &generator)))
        current.kill()
        guard let next = try? Executor(["worker"] + store + ["--poll-seconds", "0.2"] + lease) else { break }
        started.append(next)
        current = next
      }
      return started
    }()
    let (more, _) = await second.run(baseURLs: addresses, token: "shared-token", model: "bc")
    let replacements = await restarted
    defer { for executor in replacements { executor.stop() } }
    #expect(replacements.count == 3, "the killed worker was restarted each time")
    #expect(DeletionLoad.answerProblems(more).isEmpty, "\(DeletionLoad.answerProblems(more).prefix(5))")
    try await Self.waitUntilSettled(opened, count: 300)
    try Self.expectExactlyOnce(opened, requests: 300, remaining: 569 - 300)
  }

  static func waitUntilReady(_ server: URL) async throws {
    for _ in 0..<300 {
      if let (_, response) = try? await URLSession.shared.data(from: server.appendingPathComponent("readyz")),
        (response as? HTTPURLResponse)?.statusCode == 200
      {
        return
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("server \(server) did not become ready")
  }

  /// Waits (at most two minutes) until `count` requests are in the store and none is queued or running.
  static func waitUntilSettled(_ store: Store, count: Int) async throws {
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline {
      let requests = try store.requests(model: "bc")
      if requests.count >= count && requests.allSatisfy({ $0.status != .queued && $0.status != .running }) { return }
      try await Task.sleep(for: .milliseconds(200))
    }
  }

  static func expectExactlyOnce(_ store: Store, requests expected: Int, remaining: Int) throws {
    let requests = try store.requests(model: "bc")
    #expect(requests.count == expected, "one stored request per request id")
    let notDone = requests.filter { $0.status != .done }
    #expect(notDone.isEmpty, "\(notDone.map { "\($0.status.rawValue): \($0.error ?? "")" }.prefix(5))")
    let done = try store.auditEntries(limit: 100_000).filter { $0.event == "request done" }
    #expect(done.count == expected && Set(done.compactMap(\.requestID)).count == expected, "one done entry each")
    #expect(try store.model(named: "bc").remainingSamples == remaining)
    #expect(try store.currentState(of: "bc").state.trainingSet.count == remaining)
    #expect(try store.verifyAudit().isIntact)
  }
}
