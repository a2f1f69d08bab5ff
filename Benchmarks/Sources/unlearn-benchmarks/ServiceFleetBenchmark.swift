import Foundation
import UnlearnData
import UnlearnStore
import _UnlearnTestSupport

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The deletion service with several executors on one store (issue: many executors, one store):
/// two `unlearn serve` processes and two `unlearn worker`s (the release CLI) on one SQLite store,
/// the same load as `ServiceBenchmark` — each request also retried, at the other server — over a
/// newton model of breast_cancer. Prints answered requests/s, p50/p99 of the 202 answers and the
/// time until every request was executed, and checks what must hold (every answer 202, one request
/// per request id, all done, one "request done" entry each, the chain intact).
enum ServiceFleetBenchmark {
  static func run(dataDirectory: String, unique: Int, clients: Int) async throws {
    let binary = try ServiceStateBenchmark.releaseBinary()
    let dataPath = dataDirectory + "/breast_cancer.csv"
    let data = try DatasetFile(path: dataPath).load()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-fleet-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let storePath = folder.appendingPathComponent("fleet.sqlite").path
    try ServiceStateBenchmark.runTool(binary, ["store", "init", "--store", storePath])
    try ServiceStateBenchmark.runTool(
      binary,
      [
        "train", "--data", dataPath, "--model", "logistic", "--strategy", "newton", "--store", storePath, "--name",
        "bc", "--seed", "1", "--no-progress",
      ])
    let tokenFile = folder.appendingPathComponent("token").path
    try "fleet-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
    let base = 18_000 + 2 * Int.random(in: 0..<1000)
    let ports = [base, base + 1]
    var processes: [Process] = []
    defer {
      for process in processes where process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    for arguments in ports.map({ ["serve", "--port", String($0), "--token-file", tokenFile] })
      + [["worker"], ["worker"]]
    {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = arguments + ["--store", storePath, "--poll-seconds", "0.1"]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      processes.append(process)
    }
    for port in ports {
      try await ServiceStateBenchmark.HTTPClient(base: "http://127.0.0.1:\(port)", token: "fleet-token")
        .waitUntilReady()
    }
    let load = DeletionLoad(
      sampleIDs: data.ids.map(\.rawValue), unique: min(unique, data.count - 2), clientCount: clients, seed: 2026)
    emit("# Two servers and two workers on one store: \(load.submissionCount) HTTP requests from \(clients) clients")
    emit(
      "breast_cancer (\(data.count) samples), strategy newton; \(load.submissionCount / 2) single-sample deletions, "
        + "each sent twice with one request id, the retry to the other server; two `unlearn serve` and two "
        + "`unlearn worker` processes on one SQLite store; loopback; CPU: \(MachineDescription.summary); one run")
    emit("")
    log("service-fleet: \(load.submissionCount) requests to two servers")
    let start = ContinuousClock.now
    let (outcomes, answerSeconds) = await load.run(
      baseURLs: ports.map { URL(string: "http://127.0.0.1:\($0)")! }, token: "fleet-token", model: "bc")
    let store = try Store(path: storePath)
    let deadline = Date().addingTimeInterval(300)
    while Date() < deadline,
      try store.requests(model: "bc").contains(where: { $0.status == .queued || $0.status == .running })
    {
      try await Task.sleep(for: .milliseconds(10))
    }
    let drainSeconds = (ContinuousClock.now - start).seconds
    let originals = load.clients.flatMap { $0 }.filter { !$0.isRetry }
    let problems =
      DeletionLoad.answerProblems(outcomes)
      + (try ServiceBenchmark.storeProblems(store, expected: originals, data: data))
    let summary = try store.model(named: "bc")
    emit("| HTTP requests | answered/s | p50 ms | p99 ms | all executed s | versions (batches) | deletions/s |")
    emit("|---|---|---|---|---|---|---|")
    emit(
      "| \(outcomes.count) | \(format(Double(outcomes.count) / answerSeconds, 0)) "
        + "| \(format(DeletionLoad.quantile(0.5, of: outcomes) * 1000, 1)) "
        + "| \(format(DeletionLoad.quantile(0.99, of: outcomes) * 1000, 1)) | \(format(drainSeconds, 2)) "
        + "| \(summary.version - 1) | \(format(Double(originals.count) / drainSeconds, 0)) |")
    emit("")
    try ServiceBenchmark.report(
      problems, requests: originals.count, remaining: summary.remainingSamples, run: "service fleet")
  }
}
