import Foundation
import Synchronization
import UnlearnData
import UnlearnStore
import _UnlearnTestSupport

/// Deletions per second with 1, 2 and 4 `unlearn worker` processes on a PostgreSQL store, against
/// one worker on an SQLite store, in one run (issue: PostgreSQL as the shared store). Each store
/// holds four newton models of digits (an executor claims a model's queue as a whole, so workers
/// run in parallel only across models); eight closed-loop clients each submit a single-sample
/// deletion to the next model in turn and wait until it is done before the next. Checks that
/// every request ended done once and the audit chain verifies.
enum WorkerScalingBenchmark {
  static let models = 4
  static let clients = 8

  static func run(dataDirectory: String, deletions: Int) throws {
    guard let server = TestPostgres.serverURL else {
      throw BenchmarkFailure(
        "set UNLEARN_TEST_POSTGRES_URL to a server where databases may be created "
          + "(scripts/postgres-cluster start DIR starts one)")
    }
    let binary = try ServiceStateBenchmark.releaseBinary()
    let dataPath = dataDirectory + "/digits.csv"
    let data = try DatasetFile(path: dataPath).load()
    emit("# Executors on one store: deletions/s by backend and number of workers")
    emit(
      "digits (\(data.count) samples), \(models) newton models; \(deletions) single-sample deletions from "
        + "\(clients) closed-loop clients (submit, wait until done); `unlearn worker` processes polling every "
        + "0.05 s; PostgreSQL \(PostgresDatabase.withoutPassword(server)) on this host; CPU: "
        + "\(MachineDescription.summary); one run per row")
    emit("")
    emit("| store | workers | deletions | seconds | deletions/s | vs SQLite, 1 worker | batches | p50 s | p99 s |")
    emit("|---|---|---|---|---|---|---|---|---|")
    var baseline: Double?
    for (backend, workers) in [("sqlite", 1), ("postgres", 1), ("postgres", 2), ("postgres", 4)] {
      log("workers: \(backend) × \(workers)")
      let result = try measure(
        backend: backend, workers: workers, binary: binary, dataPath: dataPath, data: data, deletions: deletions)
      let rate = Double(deletions) / result.seconds
      baseline = baseline ?? rate
      emit(
        "| \(backend) | \(workers) | \(deletions) | \(format(result.seconds, 1)) | \(format(rate, 1)) "
          + "| \(format(rate / baseline!, 2))× | \(result.batches) | \(format(result.p50, 2)) "
          + "| \(format(result.p99, 2)) |")
    }
    emit("")
  }

  struct Result {
    let seconds: Double
    let batches: Int
    let p50: Double
    let p99: Double
  }

  static func measure(
    backend: String, workers: Int, binary: String, dataPath: String, data: Dataset, deletions: Int
  ) throws -> Result {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workers-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let location = backend == "postgres" ? try TestPostgres.createDatabase() : folder + "/store.sqlite"
    defer { if backend == "postgres" { TestPostgres.dropDatabase(location) } }
    let keyFile = folder + "/store.key"
    let storeArguments = ["--store", location, "--key-file", keyFile]
    try ServiceStateBenchmark.runTool(binary, ["store", "init"] + storeArguments)
    for model in 0..<models {
      try ServiceStateBenchmark.runTool(
        binary,
        ["train", "--data", dataPath, "--model", "logistic", "--strategy", "newton", "--name", "m\(model)"]
          + storeArguments + ["--seed", "1", "--no-progress"])
    }
    var processes: [Process] = []
    defer {
      for process in processes where process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    for _ in 0..<workers {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = ["worker"] + storeArguments + ["--poll-seconds", "0.05"]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      processes.append(process)
    }
    let store = try Store(location: location, keyFile: keyFile)
    // Deletion k goes to model k mod 4 and erases the (k / 4)-th sample: every id once per model.
    let next = Atomic<Int>(0)
    let latencies = Mutex<[Double]>([])
    let failures = Mutex<[String]>([])
    let start = ContinuousClock.now
    DispatchQueue.concurrentPerform(iterations: clients) { _ in
      while true {
        let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard k < deletions else { return }
        let model = "m\(k % models)"
        let submitted = ContinuousClock.now
        do {
          let request = try store.submit(model: model, ids: [data.ids[k / models]])
          while try store.request(id: request.id).status != .done {
            Thread.sleep(forTimeInterval: 0.02)
            if (ContinuousClock.now - submitted).seconds > 120 { throw BenchmarkFailure("request not done in 120 s") }
          }
          latencies.withLock { $0.append((ContinuousClock.now - submitted).seconds) }
        } catch {
          failures.withLock { $0.append("\(model): \(Store.failureKind(of: error))") }
          return
        }
      }
    }
    let seconds = (ContinuousClock.now - start).seconds
    let problems = failures.withLock { $0 }
    guard problems.isEmpty else { throw BenchmarkFailure("\(backend) × \(workers): \(problems.prefix(3))") }
    let requests = try store.requests()
    let doneEntries = try store.auditEntries(limit: 1_000_000).filter { $0.event == "request done" }
    guard requests.count == deletions, requests.allSatisfy({ $0.status == .done }), doneEntries.count == deletions,
      try store.verifyAudit().isIntact
    else { throw BenchmarkFailure("\(backend) × \(workers): not every request done exactly once") }
    let batches = try (0..<models).reduce(0) { $0 + (try store.model(named: "m\($1)").version - 1) }
    let sorted = latencies.withLock { $0 }.sorted()
    return Result(
      seconds: seconds, batches: batches, p50: sorted[sorted.count / 2],
      p99: sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
  }
}
