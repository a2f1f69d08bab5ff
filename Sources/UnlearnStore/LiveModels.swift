import Synchronization
import Unlearning

/// Decoded model states kept in memory between requests, least recently used first out.
///
/// An entry is a model's state at one committed version. Executors take it, forget from it and put
/// the new version back after the commit; `predict` answers from it. An entry for an older version
/// than the store's is stale (another executor moved the model) and is never used. The total of
/// `StrategyState.residentBytes` stays under `budgetBytes`, except that the most recently used
/// model is always kept.
final class LiveModels: Sendable {
  struct Entry {
    var version: Int
    var state: any StrategyState
    var lastUse: UInt64
  }

  let budgetBytes: Int
  private let entries = Mutex<(models: [String: Entry], clock: UInt64)>(([:], 0))

  init(budgetBytes: Int) {
    self.budgetBytes = budgetBytes
  }

  /// The state of `model` at `version`, if it is in memory.
  func state(of model: String, version: Int) -> (any StrategyState)? {
    entries.withLock { entries in
      guard var entry = entries.models[model], entry.version == version else { return nil }
      entries.clock += 1
      entry.lastUse = entries.clock
      entries.models[model] = entry
      return entry.state
    }
  }

  /// Keeps `state` as `model` at `version`, then evicts least recently used models over budget.
  func put(_ state: any StrategyState, of model: String, version: Int) {
    entries.withLock { entries in
      if let existing = entries.models[model], existing.version > version { return }
      entries.clock += 1
      entries.models[model] = Entry(version: version, state: state, lastUse: entries.clock)
      var total = entries.models.values.reduce(0) { $0 + $1.state.residentBytes }
      while total > budgetBytes, entries.models.count > 1,
        let oldest = entries.models.min(by: { $0.value.lastUse < $1.value.lastUse })
      {
        total -= oldest.value.state.residentBytes
        entries.models[oldest.key] = nil
      }
    }
  }

  /// Forgets `model` (after its version moved elsewhere, or a failed execution).
  func drop(_ model: String) {
    _ = entries.withLock { $0.models.removeValue(forKey: model) }
  }
}
