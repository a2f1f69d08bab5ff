import CUnlearnBLAS
import Foundation
import Hummingbird
import ServiceLifecycle
import UnlearnData
import UnlearnModels
import UnlearnServer
import UnlearnStore
import Unlearning
import _UnlearnTestSupport

/// The deletion service under load (issue: deletion requests as a service): concurrent clients
/// on loopback against `UnlearnAPI` over a newton-strategy model of breast_cancer, in one run.
///
/// `unique` single-sample requests, each also sent again as a retry with the same request id by
/// another client (`DeletionLoad`), so 2 × `unique` HTTP requests. breast_cancer has 569 samples:
/// 1,000 requests are 500 distinct deletions plus their 500 retries. It prints answered requests/s,
/// p50/p99 latency of the 202 answers, the time until every request was executed, how many
/// executions (batches) that took, and the same deletions done one request at a time through the
/// store (submit, then execute; no HTTP, no batching) as the baseline. It checks what must hold —
/// every answer 202, one request per request id, all done, the samples gone, one "request done"
/// audit entry each, the chain intact — and exits 1 naming what failed.
enum ServiceBenchmark {
  static func run(dataDirectory: String, unique: Int, clients: Int) async throws {
    openblas_set_num_threads(1)
    let data = try DatasetFile(path: dataDirectory + "/breast_cancer.csv").load()
    let state = try NewtonRemoval(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(
      data, sourceSHA256: []
    ) { _ in }
    let load = DeletionLoad(
      sampleIDs: data.ids.map(\.rawValue), unique: min(unique, data.count - 2), clientCount: clients, seed: 2026)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }

    emit("# Deletion service under load: \(load.submissionCount) HTTP requests from \(clients) concurrent clients")
    emit(
      "breast_cancer (\(data.count) samples), strategy newton; \(load.submissionCount / 2) single-sample deletions, "
        + "each sent twice with one request id (original + racing retry); loopback, OPENBLAS_NUM_THREADS=1; "
        + "CPU: \(MachineDescription.summary); one run")
    emit("")

    log("service: serving on loopback, \(load.submissionCount) requests")
    let store = try Store(path: folder.appendingPathComponent("service.sqlite").path, create: true)
    try store.registerModel(name: "bc", state: state, datasetName: "breast_cancer")
    let token = "benchmark-token"
    let (router, worker) = UnlearnAPI.router(store: store, token: token)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })
    let server = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
    let (outcomes, answerSeconds, drainSeconds) = try await withThrowingTaskGroup(
      of: (outcomes: [DeletionLoad.Outcome], answer: Double, drain: Double)?.self
    ) { group in
      group.addTask {
        try await server.run()
        return nil
      }
      var iterator = ports.makeAsyncIterator()
      guard let port = await iterator.next(), port > 0 else { throw BenchmarkFailure("the server did not start") }
      let start = ContinuousClock.now
      let (outcomes, answerSeconds) = await load.run(
        baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: token, model: "bc")
      await worker.idle()
      let drainSeconds = (ContinuousClock.now - start).seconds
      await server.triggerGracefulShutdown()
      return (outcomes, answerSeconds, drainSeconds)
    }

    log("service: the same deletions one request at a time, without HTTP")
    let sequentialStore = try Store(path: folder.appendingPathComponent("sequential.sqlite").path, create: true)
    try sequentialStore.registerModel(name: "bc", state: state, datasetName: "breast_cancer")
    let originals = load.clients.flatMap { $0 }.filter { !$0.isRetry }
    let sequentialStart = ContinuousClock.now
    for submission in originals {
      _ = try sequentialStore.submit(
        model: "bc", ids: [SampleID(submission.sampleID)], clientRequestID: submission.requestID)
      try sequentialStore.executePending(model: "bc")
    }
    let sequentialSeconds = (ContinuousClock.now - sequentialStart).seconds

    let problems = DeletionLoad.answerProblems(outcomes) + (try storeProblems(store, expected: originals, data: data))
    let summary = try store.model(named: "bc")
    emit(
      "| HTTP requests | answered/s | p50 ms | p99 ms | all executed s | executions (batches) | deletions/s "
        + "| one at a time s | deletions/s | speed-up |")
    emit("|---|---|---|---|---|---|---|---|---|---|")
    emit(
      "| \(outcomes.count) | \(format(Double(outcomes.count) / answerSeconds, 0)) "
        + "| \(format(DeletionLoad.quantile(0.5, of: outcomes) * 1000, 1)) "
        + "| \(format(DeletionLoad.quantile(0.99, of: outcomes) * 1000, 1)) | \(format(drainSeconds, 2)) "
        + "| \(summary.version - 1) | \(format(Double(originals.count) / drainSeconds, 0)) "
        + "| \(format(sequentialSeconds, 2)) | \(format(Double(originals.count) / sequentialSeconds, 0)) "
        + "| \(format(sequentialSeconds / drainSeconds, 1))× |")
    emit("")
    try report(problems, requests: originals.count, remaining: summary.remainingSamples, run: "service load")
  }

  /// Prints what was checked, or what failed and then throws.
  static func report(_ problems: [String], requests: Int, remaining: Int, run: String) throws {
    if problems.isEmpty {
      emit(
        "Checked: every answer 202, \(requests) requests stored (one per request id), all done, "
          + "\(remaining) samples left, one \"request done\" audit entry per request, chain intact.")
    } else {
      emit("FAILED:")
      for problem in problems.prefix(20) { emit("- \(problem)") }
      throw BenchmarkFailure("\(problems.count) problems in the \(run) run")
    }
  }

  /// What the store must hold after the load: one done request per request id, the samples gone,
  /// one "request done" entry per request, an intact chain.
  static func storeProblems(
    _ store: Store, expected: [DeletionLoad.Submission], data: Dataset
  ) throws -> [String] {
    var problems: [String] = []
    let requests = try store.requests(model: "bc")
    if requests.count != expected.count {
      problems.append("\(requests.count) requests stored for \(expected.count) request ids")
    }
    if Set(requests.compactMap(\.clientRequestID)) != Set(expected.map(\.requestID)) {
      problems.append("stored request ids differ from the ones sent")
    }
    for request in requests where request.status != .done {
      problems.append("request \(request.id) is \(request.status.rawValue): \(request.error ?? "")")
    }
    let remaining = try store.currentState(of: "bc").state.trainingSet.data.count
    if remaining != data.count - expected.count {
      problems.append("\(remaining) samples left, expected \(data.count - expected.count)")
    }
    let done = try store.auditEntries(limit: 1_000_000).filter { $0.event == "request done" }
    if done.count != requests.count || Set(done.compactMap(\.requestID)) != Set(requests.map(\.id)) {
      problems.append("\(done.count) \"request done\" audit entries for \(requests.count) requests")
    }
    let verification = try store.verifyAudit()
    if !verification.isIntact {
      problems.append("audit chain broken at \(verification.brokenAt ?? -1): \(verification.reason ?? "")")
    }
    return problems
  }
}
