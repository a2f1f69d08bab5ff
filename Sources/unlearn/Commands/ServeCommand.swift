import ArgumentParser
import Foundation
import Hummingbird
import Logging
import UnlearnServer
import UnlearnStore

struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve deletion requests, predictions and the audit log over HTTP.",
    discussion: """
      Routes: POST /v1/models/{model}/deletions, GET /v1/deletions/{id}, GET /v1/models/{model}, \
      POST /v1/models/{model}/predict, GET /v1/audit, GET /healthz, GET /readyz. Every /v1 route \
      needs 'Authorization: Bearer <token>', the token read from --token-file or UNLEARN_API_TOKEN. \
      Accepted requests are executed in the background; any number of 'serve', 'worker' and \
      'request run' processes may share one store (each claims requests with a lease). Models stay \
      decoded in memory after first use, within --memory-budget. Logs go to stderr.
      """)

  @OptionGroup var store: StoreOption

  @Option(help: "The port to listen on.")
  var port = 8080

  @Option(help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "A file holding the API token (otherwise UNLEARN_API_TOKEN).")
  var tokenFile: String?

  @OptionGroup var execution: ExecutorOptions

  @OptionGroup var polling: PollingOption

  func run() async throws {
    let token: String
    if let tokenFile {
      token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    } else {
      token = ProcessInfo.processInfo.environment["UNLEARN_API_TOKEN"] ?? ""
    }
    guard !token.isEmpty else {
      throw ValidationError("no API token: pass --token-file FILE or set UNLEARN_API_TOKEN")
    }
    LoggingSystem.bootstrap(StreamLogHandler.standardError)
    let logger = Logger(label: "unlearn.serve")
    let opened = try execution.open(store)
    let (router, worker) = UnlearnAPI.router(store: opened, token: token, logger: logger)
    let poller = Task { await worker.run(pollingEvery: .seconds(polling.pollSeconds)) }
    defer { poller.cancel() }
    let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    logger.info("serving", metadata: ["store": "\(opened.path)", "address": "http://\(host):\(port)"])
    try await app.runService()
    logger.info("stopped serving", metadata: ["store": "\(opened.path)"])
  }
}

/// Options of every process that executes requests (`serve`, `worker`, `request run|submit`).
struct ExecutorOptions: ParsableArguments {
  @Option(help: "Memory for models kept decoded between requests, in MiB (least recently used out).")
  var memoryBudget = 4096

  @Option(help: "Seconds a claim on requests holds without renewal (renewed while a batch runs).")
  var leaseSeconds = 30.0

  func validate() throws {
    guard memoryBudget > 0, leaseSeconds >= 1 else {
      throw ValidationError("--memory-budget must be positive and --lease-seconds at least 1")
    }
  }

  func open(_ store: StoreOption) throws -> Store {
    try Store(
      location: store.store, keyFile: store.resolvedKeyFile, signingKeyFile: store.resolvedSigningKeyFile,
      liveModelBudgetBytes: memoryBudget << 20, leaseSeconds: leaseSeconds)
  }
}

/// `--poll-seconds`, for the processes that keep looking for work (`serve`, `worker`).
struct PollingOption: ParsableArguments {
  @Option(help: "Seconds between looks for requests other processes queued or left behind.")
  var pollSeconds = 1.0

  func validate() throws {
    guard pollSeconds > 0 else { throw ValidationError("--poll-seconds must be positive") }
  }
}
