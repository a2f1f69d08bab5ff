import ArgumentParser
import Dispatch
import Foundation
import Logging
import Synchronization
import UnlearnServer
import UnlearnStore

struct WorkerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Execute queued deletion requests of a store until stopped (no HTTP).",
    discussion: """
      Claims queued requests with a lease, executes them one model batch at a time and looks again \
      every --poll-seconds. Any number of workers, 'serve' and 'request run' processes may share \
      one store. SIGTERM or SIGINT stops it after the batch in progress. Logs go to stderr.
      """)

  @OptionGroup var store: StoreOption

  @OptionGroup var execution: ExecutorOptions

  @OptionGroup var polling: PollingOption

  func run() async throws {
    LoggingSystem.bootstrap(StreamLogHandler.standardError)
    let logger = Logger(label: "unlearn.worker")
    let opened = try execution.open(store)
    let stopping = StopSignal()
    var sources: [any DispatchSourceSignal] = []
    for signalNumber in [SIGTERM, SIGINT] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { stopping.isSet.store(true, ordering: .relaxed) }
      source.resume()
      sources.append(source)
    }
    defer {
      for source in sources { source.cancel() }
    }
    logger.info("worker started", metadata: ["store": "\(opened.path)", "owner": "\(opened.owner)"])
    let health = ServiceHealth()
    let metrics = ServiceMetrics()
    while !stopping.isSet.load(ordering: .relaxed) {
      let ended = RequestWorker.pass(store: opened, health: health, metrics: metrics, logger: logger)
      if ended == 0 { try await Task.sleep(for: .seconds(polling.pollSeconds)) }
    }
    logger.info("worker stopped")
  }
}

/// Set by a signal handler, read by the work loop between batches.
final class StopSignal: Sendable {
  let isSet = Atomic<Bool>(false)
}
