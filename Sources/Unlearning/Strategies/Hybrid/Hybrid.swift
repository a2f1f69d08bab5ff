import UnlearnCore
import UnlearnData
import UnlearnModels

/// The hybrid exact/approximate framework (Li et al., "A hybrid framework for effective and
/// efficient machine unlearning", arXiv 2412.14505, CSE 2024; docs/methods.md).
///
/// Training is SISA's, unchanged: S shards by id hash, R slices each, a checkpoint per slice,
/// predictions aggregated (`SISA`, `ShardModel`). For each batch of revocations Hybrid estimates
/// two costs (`HybridCostModel`): retraining the affected shards from their earliest affected slice
/// (the exact path, SISA's forget, bit for bit), and updating the affected shard models in place
/// (the approximate path: a Newton/influence step on each, then an amendment on that shard's
/// remaining samples — `ApproximateShardUpdate`). It retrains when that is light enough relative
/// to the approximate path, and updates otherwise; the boundary moves with measured costs and
/// with the accuracy each path delivers. Every decision is reported with its estimates, and
/// `policy` can force one path (for comparisons).
///
/// A shard updated approximately keeps its checkpoints before the first affected slice only and
/// is no longer exact (`HybridState.approximateShards`): a later exact path on it retrains from
/// its first missing checkpoint (the estimate counts that), and `reExact` retrains every such
/// shard, which gives what SISA's forget of all requests so far would have given.
public struct Hybrid: UnlearningStrategy {
  public static let name = "hybrid"

  /// Which path a batch takes.
  public enum Policy: String, Sendable, Codable, CaseIterable {
    /// Always retrain the affected slices (SISA).
    case exact
    /// Always take the Newton step and amendment.
    case approximate
    /// Choose by estimated cost against the adaptive boundary.
    case adaptive
  }

  /// The sharded layout and how shards are trained and combined.
  public var sisa: SISA
  public var policy: Policy
  /// The amendment after the Newton step: epochs of fine-tuning (MLP) or Newton–CG steps
  /// (logistic) on the shard's remaining samples.
  public var amendment: Int
  /// ρ before anything was measured: the exact path is taken while its estimated cost is at most
  /// ρ times the approximate path's.
  public var initialBoundary: Double
  /// Accuracy (fraction) an approximate update may lose beyond exact retraining's average on the
  /// probe before the boundary favours exact retraining more.
  public var accuracyTolerance: Double

  public var configuration: ModelConfiguration { sisa.configuration }

  public init(
    configuration: ModelConfiguration, shards: Int = 5, slices: Int = 4, aggregation: SISA.Aggregation = .vote,
    policy: Policy = .adaptive, amendment: Int = 1, initialBoundary: Double = 2, accuracyTolerance: Double = 0.01,
    workers: Int = 1
  ) {
    precondition(amendment >= 0 && initialBoundary >= 1, "hybrid needs amendment ≥ 0 and a boundary ≥ 1")
    self.sisa = SISA(
      configuration: configuration, shards: shards, slices: slices, aggregation: aggregation, workers: workers)
    self.policy = policy
    self.amendment = amendment
    self.initialBoundary = initialBoundary
    self.accuracyTolerance = accuracyTolerance
  }

  /// SISA's training, timed per shard for the exact rate; then the approximate path run once on
  /// a copy of the largest shard (removing its last sample) for the approximate rate.
  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> HybridState
  {
    let trained = try sisa.train(
      Array(0..<sisa.assignment.shards), from: [:], shards: sisa.untrainedShards(of: training), data: training,
      sourceSHA256: sourceSHA256)
    let passes = trained.reduce(0) { $0 + $1.passes }
    let seconds = trained.reduce(0) { $0 + $1.seconds }
    let exactRate = passes > 0 ? seconds / passes : 0
    let shards = trained.map(\.shard)
    let sharded = SISAState(
      strategy: sisa, trainingSet: TrainingSet(data: training, sourceSHA256: sourceSHA256), shards: shards)
    let approximateRate = try calibrateApproximateRate(sharded) ?? exactRate
    progress(.subModels(done: shards.count))
    return HybridState(
      strategy: self, sharded: sharded,
      costs: HybridCostModel(
        exactSecondsPerUnit: exactRate, approximateSecondsPerUnit: approximateRate, boundary: initialBoundary))
  }

  /// Work-seconds per remaining sample of the approximate path on a copy of the largest shard
  /// without its last sample; nil when no shard has two samples.
  private func calibrateApproximateRate(_ state: SISAState) throws -> Double? {
    guard let shard = state.shards.max(by: { $0.count < $1.count }), shard.count >= 2,
      let slice = shard.sliceIDs.lastIndex(where: { !$0.isEmpty })
    else { return nil }
    let data = state.trainingSet.data
    let rowOf = data.ids.offsets()
    var copy = shard
    copy.sliceIDs[slice].removeLast()
    let clock = ContinuousClock()
    let begin = clock.now
    _ = try ApproximateShardUpdate(configuration: configuration, amendment: amendment).apply(
      to: copy, earliestAffectedSlice: slice,
      remaining: data.subset(rows: copy.sliceIDs.flatMap { $0 }.map { rowOf[$0]! }),
      sourceSHA256: state.trainingSet.sourceSHA256, seed: configuration.seed)
    return (clock.now - begin).seconds / Double(copy.count)
  }

  public func forget(_ request: ForgetRequest, from state: HybridState, progress: (TrainingProgress) -> Void)
    throws -> (state: HybridState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    var next = state
    let earliest = next.sharded.remove(resolution)
    let affected = earliest.keys.sorted()
    let data = next.trainingSet.data
    guard !affected.isEmpty else {
      return (
        next,
        report(
          request: request, resolution: resolution, state: next, exact: true, samples: 0, parameters: 0,
          seconds: (clock.now - start).seconds, figures: HybridReport(),
          notes: ["nothing to forget: every id was absent and skipped"])
      )
    }
    // A shard an earlier approximate update left without its later checkpoints retrains from the
    // first missing one.
    var restart: [Int: Int] = [:]
    for index in affected { restart[index] = min(earliest[index]!, state.shards[index].checkpoints.count) }
    let exactWorkload = affected.reduce(0) {
      $0 + next.shards[$1].retrainingPasses(from: restart[$1]!, configuration: configuration)
    }
    let approximateWorkload = Double(affected.reduce(0) { $0 + next.shards[$1].count })
    let decision = state.costs.decide(
      exactWorkload: exactWorkload, approximateWorkload: approximateWorkload, policy: policy)
    let probes = Dictionary(
      uniqueKeysWithValues: affected.map { ($0, Self.probe(excluding: next.shards[$0], in: data)) })
    let correctBefore = affected.map { Self.correct(state.shards[$0].model, on: probes[$0]!) }

    var (workSeconds, samples, parameters) = (0.0, 0, 0)
    var figures = HybridReport(
      pathExact: decision.exact, exactWorkload: exactWorkload, approximateWorkload: approximateWorkload,
      estimatedExactSeconds: decision.estimatedExactSeconds,
      estimatedApproximateSeconds: decision.estimatedApproximateSeconds, boundary: decision.boundary)
    var notes = [decision.reason]
    if decision.exact {
      let retrained = try retrain(affected, from: restart, in: &next)
      (workSeconds, parameters) = (retrained.seconds, retrained.parameters)
      samples = Int(retrained.passes.rounded())
      figures.shardsRetrained = affected.count
      figures.slicesRetrained = affected.reduce(0) { $0 + sisa.assignment.slices - restart[$1]! }
    } else {
      let updated = try updateApproximately(
        affected, firstSlice: earliest, in: &next, requestNumber: state.trainingSet.forgotten.count)
      (workSeconds, parameters) = (updated.seconds, updated.parameters)
      notes += updated.notes
      samples = amendment > 0 ? Int(approximateWorkload) : 0
      (figures.shardsUpdated, figures.hessianVectorProducts, figures.amendment) =
        (affected.count, updated.products, amendment)
    }
    let change = ProbeChange(
      before: correctBefore, after: affected.map { Self.correct(next.shards[$0].model, on: probes[$0]!) })
    next.costs.record(
      exact: decision.exact, workload: decision.exact ? exactWorkload : approximateWorkload, seconds: workSeconds,
      accuracyLoss: change.loss, standardError: change.standardError, tolerance: accuracyTolerance)
    progress(.subModels(done: affected.count))

    (figures.boundaryNext, figures.workSeconds) = (next.costs.boundary, workSeconds)
    if change.loss.isFinite {  // no probe with a single shard (it has no other shards' samples)
      (figures.probeAccuracyChange, figures.probeStandardError) = (-change.loss, change.standardError)
    }
    let stillApproximate = next.approximateShards
    if !stillApproximate.isEmpty {
      notes.append(
        "shards \(stillApproximate.map(String.init).joined(separator: ", ")) are approximate; "
          + "'unlearn state re-exact' retrains them")
    }
    return (
      next,
      report(
        request: request, resolution: resolution, state: next, exact: decision.exact, samples: samples,
        parameters: parameters, seconds: (clock.now - start).seconds, figures: figures, notes: notes)
    )
  }

  /// The approximate path on each affected shard, in parallel (`ApproximateShardUpdate`): the
  /// shards replaced in `next`; the work-seconds, parameters changed and Hessian-vector products
  /// summed over them.
  private func updateApproximately(
    _ affected: [Int], firstSlice: [Int: Int], in next: inout HybridState, requestNumber: Int
  ) throws -> (seconds: Double, parameters: Int, products: Int, notes: [String]) {
    let data = next.trainingSet.data
    let rowOf = data.ids.offsets()
    let update = ApproximateShardUpdate(configuration: configuration, amendment: amendment)
    let shards = next.shards
    let sourceSHA256 = next.trainingSet.sourceSHA256
    let seed = configuration.seed &+ 0x5EED_0000 &+ UInt64(requestNumber) &* 7919
    let outcomes = try ParallelWork.map(affected, workers: sisa.workers) { index in
      let clock = ContinuousClock()
      let begin = clock.now
      let outcome = try update.apply(
        to: shards[index], earliestAffectedSlice: firstSlice[index]!,
        remaining: data.subset(rows: shards[index].sliceIDs.flatMap { $0 }.map { rowOf[$0]! }),
        sourceSHA256: sourceSHA256, seed: seed &+ UInt64(index))
      return (outcome, (clock.now - begin).seconds)
    }
    var (seconds, parameters, products, notes) = (0.0, 0, 0, [String]())
    for (outcome, elapsed) in outcomes {
      next.sharded.shards[outcome.shard.index] = outcome.shard
      seconds += elapsed
      products += outcome.conjugateGradientIterations
      if !outcome.tookNewtonStep {
        notes.append("shard \(outcome.shard.index): no convex head (binary MLP), amendment only")
      }
      parameters += outcome.parametersChanged
    }
    return (seconds, parameters, products, notes)
  }

  /// Retrains every approximate shard from its first missing checkpoint, leaving the state what
  /// SISA's forget of every request so far gives, bit for bit. The exact rate learns from it.
  public func reExact(_ state: HybridState, progress: (TrainingProgress) -> Void = { _ in }) throws -> (
    state: HybridState, report: ForgetReport
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    var next = state
    let shards = state.approximateShards
    var restart: [Int: Int] = [:]
    for index in shards { restart[index] = state.shards[index].checkpoints.count }
    let (passes, seconds, parameters) = try retrain(shards, from: restart, in: &next)
    next.costs.record(
      exact: true, workload: passes, seconds: seconds, accuracyLoss: .nan, standardError: .nan,
      tolerance: accuracyTolerance)
    progress(.subModels(done: shards.count))
    let report = ForgetReport(
      strategy: Self.name, requested: 0, forgotten: 0, skipped: 0, exact: true, samplesRetrained: Int(passes.rounded()),
      parametersRetrained: parameters, seconds: (clock.now - start).seconds, remaining: state.trainingSet.data.count,
      figures: HybridReport(
        shards: sisa.assignment.shards, slices: sisa.assignment.slices,
        approximateShards: next.approximateShards.count, workSeconds: seconds, shardsRetrained: shards.count
      ).figures,
      notes: [
        shards.isEmpty
          ? "every shard was already exact"
          : "re-exact: retrained shards \(shards.map(String.init).joined(separator: ", ")) from their first missing checkpoint"
      ])
    return (next, report)
  }

  /// SISA's retraining of `shards` from `restart` in `state`: the sample passes, work-seconds and
  /// parameters it took.
  private func retrain(_ shards: [Int], from restart: [Int: Int], in state: inout HybridState) throws -> (
    passes: Double, seconds: Double, parameters: Int
  ) {
    let results = try sisa.train(
      shards, from: restart, shards: state.shards, data: state.trainingSet.data,
      sourceSHA256: state.trainingSet.sourceSHA256)
    var total = (passes: 0.0, seconds: 0.0, parameters: 0)
    for result in results {
      state.sharded.shards[result.shard.index] = result.shard
      total.passes += result.passes
      total.seconds += result.seconds
      total.parameters += result.shard.model?.classifier.base.parameterCount ?? 0
    }
    return total
  }

  private func report(
    request: ForgetRequest, resolution: TrainingSet.Resolution, state: HybridState, exact: Bool, samples: Int,
    parameters: Int, seconds: Double, figures: HybridReport, notes: [String]
  ) -> ForgetReport {
    var figures = figures
    (figures.shards, figures.slices) = (sisa.assignment.shards, sisa.assignment.slices)
    figures.approximateShards = state.approximateShards.count
    return ForgetReport(
      strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
      skipped: resolution.skippedCount, exact: exact, samplesRetrained: samples, parametersRetrained: parameters,
      seconds: seconds, remaining: state.trainingSet.data.count, figures: figures.figures, notes: notes)
  }

  /// Up to 512 remaining samples outside `shard` (it never trained on them), evenly spaced in row
  /// order: the held-out probe a path's accuracy change is measured on.
  static func probe(excluding shard: ShardModel, in data: Dataset) -> Dataset {
    let own = Set(shard.sliceIDs.flatMap { $0 })
    let others = data.ids.indices.filter { !own.contains(data.ids[$0]) }
    let stride = max(1, (others.count + 511) / 512)
    return data.subset(rows: Swift.stride(from: 0, to: others.count, by: stride).map { others[$0] })
  }

  /// Whether a shard model labels each probe sample correctly (empty without a model).
  static func correct(_ model: TrainedModel?, on probe: Dataset) -> [Bool] {
    guard let model, probe.count > 0 else { return [] }
    return zip(model.predictedLabels(for: probe.features), probe.labels).map { $0 == $1 }
  }

  /// The accuracy a path lost on the probes (before − after, pooled over the affected shards) and
  /// its standard error from the discordant pairs, as in McNemar's test: with b samples right
  /// before and wrong after and c the reverse, loss = (b − c)/n and SE = √(b + c)/n.
  struct ProbeChange {
    var loss = Double.nan
    var standardError = Double.nan

    init(before: [[Bool]], after: [[Bool]]) {
      var (b, c, n) = (0, 0, 0)
      for (shardBefore, shardAfter) in zip(before, after) where shardBefore.count == shardAfter.count {
        for (wasRight, isRight) in zip(shardBefore, shardAfter) {
          if wasRight && !isRight { b += 1 }
          if !wasRight && isRight { c += 1 }
        }
        n += shardBefore.count
      }
      guard n > 0 else { return }
      loss = Double(b - c) / Double(n)
      standardError = Double(b + c).squareRoot() / Double(n)
    }
  }
}
