import Foundation
import UnlearnCore
import UnlearnData
import UnlearnStore
import Unlearning

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The service at the engine's speed (issue: service state): the real `unlearn serve` process on a
/// store, single-sample deletions over HTTP end to end (POST, then polling the request until
/// `done`) against the in-process `forget` of the same request from the same state, measured in
/// the same run; one-row `predict` latency; the store's size after the deletions against its size
/// after training; and the server's peak memory against one decoded state.
///
/// The in-process side reads the same state from the store (as a restarted server would) and
/// forgets each id just before the server does, so both start every request from the same version.
/// Needs the release CLI (`swift build -c release --product unlearn` at the repository root, or
/// `UNLEARN_BINARY`).
enum ServiceStateBenchmark {
  struct Case {
    let label: String
    let data: String
    let arguments: [String]
  }

  /// `only`: measure just the cases whose label contains it (e.g. "newton").
  static func run(dataDirectory: String, deletions: Int, predictions: Int, only: String? = nil) async throws {
    let binary = try releaseBinary()
    let fashion = dataDirectory + "/fashion-mnist/train-images-idx3-ubyte.gz"
    let cases = [
      Case(
        label: "mnist5k, newton, softmax", data: dataDirectory + "/mnist5k.csv",
        arguments: ["--model", "logistic", "--strategy", "newton"]),
      Case(
        label: "Fashion-MNIST, sisa, MLP 128", data: fashion,
        arguments: ["--model", "mlp", "--hidden", "128", "--epochs", "4", "--strategy", "sisa"]),
      Case(
        label: "Fashion-MNIST, lmeraser, MLP 128", data: fashion,
        arguments: ["--model", "mlp", "--hidden", "128", "--epochs", "4", "--strategy", "lmeraser"]),
    ]
    let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset"
    emit("# Service state: deletions over HTTP against in-process forget, in one run")
    emit(
      "The `unlearn serve` process on loopback; \(deletions) single-sample deletions per model, each POSTed and "
        + "polled (1 ms) until done; the same request forgotten in-process from the same state just before. "
        + "\(predictions) one-row predictions. OPENBLAS_NUM_THREADS=\(threads); "
        + "CPU: \(MachineDescription.summary); one run.")
    emit("")
    emit(
      "| model | in-process forget median ms | HTTP median ms | ratio of medians | median per-request ratio "
        + "| p90 ratio | predict p50 ms | p99 ms | store after training MB | after deletions MB | size ratio "
        + "| decoded state MB | server peak MB | peak / state |")
    emit("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for item in cases where only.map(item.label.contains) ?? true {
      guard FileManager.default.fileExists(atPath: item.data) else {
        emit("| \(item.label) | not measured: \(item.data) is missing |||||||||||||")
        continue
      }
      try await measure(item, binary: binary, deletions: deletions, predictions: predictions)
    }
  }

  static func measure(_ item: Case, binary: String, deletions: Int, predictions: Int) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-state-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let storePath = folder.appendingPathComponent("s.sqlite").path
    log("service-state: \(item.label): training into the store")
    try runTool(binary, ["store", "init", "--store", storePath])
    try runTool(
      binary,
      ["train", "--data", item.data, "--store", storePath, "--name", "m", "--seed", "1", "--no-progress"]
        + item.arguments)
    let sizeAfterTraining = storeBytes(storePath)

    let store = try Store(path: storePath)
    var (_, state) = try store.currentState(of: "m")
    var generator = SeededGenerator(seed: 7)
    let ids = Array(
      state.trainingSet.data.ids.filter { state.strategy.canErase($0) }.shuffled(using: &generator).prefix(deletions))

    let token = "service-state-token"
    let tokenFile = folder.appendingPathComponent("token").path
    try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
    let port = 18_000 + Int.random(in: 0..<2000)
    let server = Process()
    server.executableURL = URL(fileURLWithPath: binary)
    server.arguments = ["serve", "--store", storePath, "--port", String(port), "--token-file", tokenFile]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer {
      server.terminate()
      server.waitUntilExit()
    }
    let client = HTTPClient(base: "http://127.0.0.1:\(port)", token: token)
    try await client.waitUntilReady()
    let baseline = memory(of: server.processIdentifier, "VmRSS")
    let row = Array(repeating: "0", count: state.trainingSet.storage.featureCount).joined(separator: ",")
    let predictBody = "{\"features\": [[\(row)]]}"
    let decode = try await client.timed("POST", "/v1/models/m/predict", predictBody)
    let decoded = memory(of: server.processIdentifier, "VmRSS") - baseline
    log("service-state: \(item.label): first predict (decodes the state) \(format(decode, 2)) s")

    var inProcess: [Double] = []
    var overHTTP: [Double] = []
    for (index, id) in ids.enumerated() {
      let start = ContinuousClock.now
      state = try state.forgetting(try ForgetRequest(ids: [id])).state
      inProcess.append((ContinuousClock.now - start).seconds)
      overHTTP.append(try await client.deleteAndWait(id.rawValue, requestID: "bench-\(index)"))
    }
    var predict: [Double] = []
    for _ in 0..<predictions { predict.append(try await client.timed("POST", "/v1/models/m/predict", predictBody)) }
    let peak = memory(of: server.processIdentifier, "VmHWM") - baseline
    let sizeAfter = storeBytes(storePath)
    let ratios = zip(overHTTP, inProcess).map { $0 / $1 }.sorted()
    emit(
      "| \(item.label) | \(format(median(inProcess) * 1000, 2)) | \(format(median(overHTTP) * 1000, 2)) "
        + "| \(format(median(overHTTP) / median(inProcess), 2))× | \(format(ratios[ratios.count / 2], 2))× "
        + "| \(format(ratios[ratios.count * 9 / 10], 2))× | \(format(quantile(0.5, predict) * 1000, 2)) "
        + "| \(format(quantile(0.99, predict) * 1000, 2)) | \(format(Double(sizeAfterTraining) / 1e6, 1)) "
        + "| \(format(Double(sizeAfter) / 1e6, 1)) | \(format(Double(sizeAfter) / Double(sizeAfterTraining), 2))× "
        + "| \(format(Double(decoded) / 1e6, 0)) | \(format(Double(peak) / 1e6, 0)) "
        + "| \(format(Double(peak) / Double(max(decoded, 1)), 2))× |")
  }

  /// The release `unlearn` the service benchmarks run as real processes.
  static func releaseBinary() throws -> String {
    let binary =
      ProcessInfo.processInfo.environment["UNLEARN_BINARY"]
      ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent("../.build/release/unlearn").standardized.path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw BenchmarkFailure(
        "no unlearn binary at \(binary): run `swift build -c release --product unlearn` at the repository root "
          + "(or set UNLEARN_BINARY)")
    }
    return binary
  }

  static func median(_ values: [Double]) -> Double { quantile(0.5, values) }

  static func quantile(_ q: Double, _ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
  }

  /// Bytes of the store's files (database, WAL, shared memory).
  static func storeBytes(_ path: String) -> Int {
    ["", "-wal", "-shm"].reduce(0) { total, suffix in
      total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
  }

  /// A /proc/PID/status field in bytes (VmRSS: resident now; VmHWM: the peak).
  static func memory(of pid: Int32, _ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
      let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
  }

  static func runTool(_ binary: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BenchmarkFailure(
        "unlearn \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus)")
    }
  }

  /// Just enough HTTP for the benchmark, over one URLSession.
  struct HTTPClient {
    let base: String
    let token: String
    let session = URLSession(configuration: .ephemeral)

    func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> (Int, [String: Any]) {
      var request = URLRequest(url: URL(string: base + path)!)
      request.httpMethod = method
      request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
      request.httpBody = body.map { Data($0.utf8) }
      let (data, response) = try await session.data(for: request)
      let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
      return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    func timed(_ method: String, _ path: String, _ body: String) async throws -> Double {
      let start = ContinuousClock.now
      let (status, object) = try await send(method, path, body)
      guard status == 200 else { throw BenchmarkFailure("\(method) \(path) answered \(status): \(object)") }
      return (ContinuousClock.now - start).seconds
    }

    func waitUntilReady() async throws {
      for _ in 0..<600 {
        if let (status, _) = try? await send("GET", "/readyz"), status == 200 { return }
        try await Task.sleep(for: .milliseconds(100))
      }
      throw BenchmarkFailure("the server did not become ready within a minute")
    }

    /// POSTs a one-id deletion and polls it until done; the seconds from POST to done.
    func deleteAndWait(_ id: String, requestID: String) async throws -> Double {
      let start = ContinuousClock.now
      let (status, accepted) = try await send(
        "POST", "/v1/models/m/deletions", "{\"ids\": [\"\(id)\"], \"request_id\": \"\(requestID)\"}")
      guard status == 202, let serverID = accepted["id"] as? String else {
        throw BenchmarkFailure("deletion answered \(status): \(accepted)")
      }
      while true {
        let (_, request) = try await send("GET", "/v1/deletions/\(serverID)")
        switch request["status"] as? String {
        case "done": return (ContinuousClock.now - start).seconds
        case "failed", "rejected": throw BenchmarkFailure("deletion \(serverID) ended \(request["status"]!)")
        default: try await Task.sleep(for: .milliseconds(1))
        }
      }
    }
  }
}
