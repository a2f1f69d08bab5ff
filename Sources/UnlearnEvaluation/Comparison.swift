import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// "Which strategy should I use on my data?" (docs/methods.md): the same forget set through every
/// strategy and through retraining from scratch, side by side, all in one run.
///
/// Every strategy trains once on the same training set D with the same configuration and seed,
/// then forgets the same F; the retrained reference is Retrain's result (trained on D \ F), and
/// every other strategy's unlearned model is compared with it on the test set T.
public struct Comparison: Sendable {
  public let training: Dataset
  public let test: Dataset
  public let forgetIDs: [SampleID]
  public let sourceSHA256: [String]

  public init(training: Dataset, test: Dataset, forgetIDs: [SampleID], sourceSHA256: [String]) {
    self.training = training
    self.test = test
    self.forgetIDs = forgetIDs
    self.sourceSHA256 = sourceSHA256
  }

  /// A forget is timed again, from the same trained state, while its runs together took less than
  /// this, up to `maximumForgetRuns` runs; the reported time is their median.
  public static let repetitionBudgetSeconds = 0.5
  public static let maximumForgetRuns = 7

  /// Where a comparison is, for a progress display.
  public struct Progress: Sendable {
    public enum Phase: String, Sendable {
      case fitting = "fit"
      case forgetting = "forget"
      case evaluating = "evaluate"
    }
    public let strategy: String
    public let phase: Phase
    /// The trainer's progress while fitting or retraining.
    public let training: TrainingProgress?
  }

  /// Runs `reference` (retraining) and then each of `strategies`; rows come back in that order.
  public func run(
    reference: Retrain, strategies: [any UnlearningStrategy], progress: (Progress) -> Void = { _ in }
  ) throws -> [ComparisonResult] {
    let (request, forgetRows, set) = try resolvedRequest()
    let sets = EvaluationSets(
      test: test, retain: training.subset(rows: set.remainingRows(after: forgetRows)),
      forget: training.subset(rows: forgetRows.rows))
    let retrained = try measure(reference, request: request, sets: sets, progress: progress)
    let referenceTest = retrained.unlearnedOutputs.test
    let referenceLabels = referenceTest.indicesOfRowMaxima()
    var rows = [retrained.result(against: referenceTest, labels: referenceLabels, parameters: retrained.parameters)]
    for strategy in strategies {
      let measured = try measure(strategy, request: request, sets: sets, progress: progress)
      rows.append(measured.result(against: referenceTest, labels: referenceLabels, parameters: retrained.parameters))
    }
    return rows
  }

  /// The forget request for `forgetIDs` and where its samples are in the training set (throws
  /// `ForgetError` for ids that are not training samples).
  func resolvedRequest() throws -> (ForgetRequest, TrainingSet.Resolution, TrainingSet) {
    let request = try ForgetRequest(ids: forgetIDs)
    let set = TrainingSet(data: training, sourceSHA256: sourceSHA256)
    return (request, try set.resolve(request), set)
  }

  /// One strategy's run: fit, evidence on the original model, forget, evidence on the result.
  private func measure<S: UnlearningStrategy>(
    _ strategy: S, request: ForgetRequest, sets: EvaluationSets, progress: (Progress) -> Void
  ) throws -> Measured {
    let clock = ContinuousClock()
    var start = clock.now
    let fitted = try strategy.fit(training, sourceSHA256: sourceSHA256) { step in
      progress(Progress(strategy: S.name, phase: .fitting, training: step))
    }
    let fitSeconds = (clock.now - start).seconds
    progress(Progress(strategy: S.name, phase: .evaluating, training: nil))
    let original = ModelEvidence(sets.outputs(fitted.probabilities), sets: sets)
    start = clock.now
    let (unlearned, report) = try strategy.forget(request, from: fitted) { step in
      progress(Progress(strategy: S.name, phase: .forgetting, training: step))
    }
    var runs = [(clock.now - start).seconds]
    // One millisecond-scale measurement moves with the machine's noise: repeat the same forget
    // from the same trained state while the runs are short, and report the median.
    while runs.count < Self.maximumForgetRuns, runs.reduce(0, +) < Self.repetitionBudgetSeconds {
      start = clock.now
      _ = try strategy.forget(request, from: fitted) { _ in }
      runs.append((clock.now - start).seconds)
    }
    let forgetSeconds = runs.sorted()[runs.count / 2]
    progress(Progress(strategy: S.name, phase: .evaluating, training: nil))
    let outputs = sets.outputs(unlearned.probabilities)
    return Measured(
      strategy: S.name, fitSeconds: fitSeconds, forgetSeconds: forgetSeconds, forgetRuns: runs.count,
      original: original, unlearned: ModelEvidence(outputs, sets: sets), unlearnedOutputs: outputs,
      parameters: unlearned.comparableParameters, report: report)
  }

  private struct Measured {
    let strategy: String
    let fitSeconds: Double
    let forgetSeconds: Double
    let forgetRuns: Int
    let original: ModelEvidence
    let unlearned: ModelEvidence
    let unlearnedOutputs: SetOutputs
    let parameters: [Double]?
    let report: ForgetReport

    func result(against reference: Matrix, labels: [Int], parameters referenceParameters: [Double]?)
      -> ComparisonResult
    {
      var distance: Double?
      if let parameters, let referenceParameters, parameters.count == referenceParameters.count {
        distance = ModelAgreement.relativeParameterDistance(parameters, reference: referenceParameters)
      }
      return ComparisonResult(
        strategy: strategy, fitSeconds: fitSeconds, forgetSeconds: forgetSeconds, unlearned: unlearned,
        original: original,
        agreementWithRetrain: ModelAgreement.agreement(unlearnedOutputs.test.indicesOfRowMaxima(), labels),
        meanKLFromRetrain: ModelAgreement.meanKullbackLeibler(reference, unlearnedOutputs.test),
        relativeParameterDistance: distance, samplesRetrained: report.samplesRetrained,
        parametersRetrained: report.parametersRetrained, exact: report.exact, figures: report.figures,
        forgetRuns: forgetRuns)
    }
  }
}

extension Comparison {
  /// The empirical ε̂ (`EpsilonAudit`) of each named strategy: N runs of the strategy with seeds
  /// seed+1…seed+N against N retrained models with the independent seeds seed+N+1…seed+2N.
  /// `make` builds a strategy by name for a seed; `progress` hears which runs start.
  public func epsilonAudit(
    models: Int, seed: UInt64, strategies: [String],
    make: (_ name: String, _ seed: UInt64) throws -> any UnlearningStrategy,
    progress: (String) -> Void = { _ in }
  ) throws -> [String: EpsilonAuditResult] {
    precondition(models >= 2, "the ε̂ audit needs at least 2 models")
    let seeds = (1...models).map { seed &+ UInt64($0) }
    progress("ε̂ audit: \(models) retrained models")
    let retrained = try forgetScores(seeds: seeds.map { $0 &+ UInt64(models) }) {
      try make(Retrain.name, $0)
    }
    var results: [String: EpsilonAuditResult] = [:]
    for name in strategies where results[name] == nil {
      progress("ε̂ audit: \(models) \(name) models")
      let unlearned = try forgetScores(seeds: seeds) { try make(name, $0) }
      results[name] = EpsilonAuditResult(
        perExample: EpsilonAudit.perExample(unlearned: unlearned, retrained: retrained), models: models)
    }
    return results
  }

  /// The forget-set scores of `models` runs of a strategy (fit on D, forget F), one per seed.
  public func forgetScores(
    seeds: [UInt64], strategy make: (UInt64) throws -> any UnlearningStrategy
  ) throws -> [[Double]] {
    let (request, forgetRows, _) = try resolvedRequest()
    let forget = training.subset(rows: forgetRows.rows)
    return try seeds.map { seed in
      try scores(of: try make(seed), request: request, forget: forget)
    }
  }

  private func scores<S: UnlearningStrategy>(of strategy: S, request: ForgetRequest, forget: Dataset) throws
    -> [Double]
  {
    let fitted = try strategy.fit(training, sourceSHA256: sourceSHA256) { _ in }
    let unlearned = try strategy.forget(request, from: fitted) { _ in }.state
    return EpsilonAudit.scores(unlearned.probabilities(for: forget.features), labels: forget.labels)
  }
}
