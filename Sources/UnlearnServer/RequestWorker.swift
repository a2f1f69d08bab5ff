import Foundation
import Logging
import UnlearnStore

/// Executes queued deletion requests in the background, one model batch at a time. A request that
/// arrives while a batch runs is picked up by the next pass, batched with everything else queued
/// for its model by then (`Store.executePending`). Besides being woken by a submission, it polls
/// (`run`), so requests another process accepted, requests whose executor died (lease expired) and
/// requests waiting out a transient failure's delay are executed too. Every error is logged and
/// makes `/healthz` degraded until a write succeeds (a pass that executed requests, or a submission).
public actor RequestWorker {
  let store: Store
  let health: ServiceHealth
  let metrics: ServiceMetrics
  let logger: Logger
  private var running = false
  private var again = false
  private var idleWaiters: [CheckedContinuation<Void, Never>] = []

  public init(
    store: Store, health: ServiceHealth = ServiceHealth(), metrics: ServiceMetrics = ServiceMetrics(),
    logger: Logger = Logger(label: "unlearn.worker")
  ) {
    self.store = store
    self.health = health
    self.metrics = metrics
    self.logger = logger
  }

  /// Makes sure a pass runs soon (now if idle, after the current pass otherwise).
  public func wake() {
    if running {
      again = true
      return
    }
    running = true
    let (store, health, metrics, logger) = (store, health, metrics, logger)
    Task.detached(priority: .utility) {
      repeat {
        Self.pass(store: store, health: health, metrics: metrics, logger: logger)
      } while await self.shouldRunAgain()
    }
  }

  /// Wakes the worker every `interval` until the task is cancelled.
  public func run(pollingEvery interval: Duration) async {
    while !Task.isCancelled {
      wake()
      try? await Task.sleep(for: interval)
    }
  }

  /// Executes every model's ready requests once; returns how many requests ended.
  @discardableResult
  public static func pass(store: Store, health: ServiceHealth, metrics: ServiceMetrics, logger: Logger) -> Int {
    var ended = 0
    do {
      // Requests whose executor died go back to the queue first: waiting for a queued request of
      // their model to call `executePending`, which also recovers, would leave the last batch a
      // killed executor held running until the next submission.
      try store.recoverInterrupted()
      for model in try store.modelsWithQueuedRequests() {
        let start = ContinuousClock.now
        let requests = try store.executePending(
          model: model,
          claimed: { claimed in
            for request in claimed {
              logger.info(
                "request running",
                metadata: ["request": "\(request.request)", "model": "\(model)", "ids": "\(request.ids)"])
            }
          })
        if !requests.isEmpty { metrics.recordBatch(requests: requests.count, duration: ContinuousClock.now - start) }
        for request in requests {
          logger.info(
            "request \(request.status.rawValue)",
            metadata: [
              "request": "\(request.id)", "model": "\(model)", "ids": "\(request.idCount)",
              "decision": "\(request.receipt?.decision ?? "-")",
            ])
        }
        ended += requests.count
      }
      // Only a pass that wrote says the store can be written again; an idle one says nothing.
      if ended > 0 { health.recordSuccess() }
    } catch {
      let reason =
        Store.isTransient(error)
        ? "executing requests failed: \(Store.failureKind(of: error)); they stay queued and are retried"
        : "executing requests failed: \(type(of: error))"
      health.recordFailure(reason)
      metrics.recordError()
      logger.error("worker pass failed", metadata: ["reason": "\(reason)"])
    }
    return ended
  }

  private func shouldRunAgain() -> Bool {
    if again {
      again = false
      return true
    }
    running = false
    for waiter in idleWaiters { waiter.resume() }
    idleWaiters = []
    return false
  }

  /// Returns once no pass is running (for tests and shutdown).
  public func idle() async {
    guard running else { return }
    await withCheckedContinuation { idleWaiters.append($0) }
  }
}
