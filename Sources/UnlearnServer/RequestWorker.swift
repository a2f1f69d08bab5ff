import Foundation
import UnlearnStore

/// Executes queued deletion requests in the background, one model batch at a time. A request that
/// arrives while a batch runs is picked up by the next pass, batched with everything else queued
/// for its model by then (`Store.executePending`).
public actor RequestWorker {
  let store: Store
  private var running = false
  private var again = false
  private var idleWaiters: [CheckedContinuation<Void, Never>] = []

  init(store: Store) {
    self.store = store
  }

  /// Makes sure a pass runs soon (now if idle, after the current pass otherwise).
  public func wake() {
    if running {
      again = true
      return
    }
    running = true
    let store = store
    Task.detached(priority: .utility) {
      repeat {
        for model in (try? store.modelsWithQueuedRequests()) ?? [] {
          _ = try? store.executePending(model: model)
        }
      } while await self.shouldRunAgain()
    }
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
