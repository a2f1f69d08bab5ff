import UnlearnCore
import UnlearnData
import UnlearnModels

/// A way of training that can later forget samples: the frame every unlearning method plugs into
/// (docs/architecture.md). Two verbs:
///
/// - `fit` trains on a dataset and returns a `State`: the deployed model(s) and whatever the
///   strategy keeps to forget cheaply later (the data, checkpoints, factorizations, centroids).
/// - `forget` takes a state and a request and returns the new state and a `ForgetReport` saying
///   what was done. The old state is left as it was (states are values); callers that persist
///   states overwrite the old one, so the forgotten samples do not survive in it.
///
/// Everything that compares strategies (`unlearn compare`, the tests against retraining) goes
/// through this protocol only.
public protocol UnlearningStrategy: Sendable {
  associatedtype State: StrategyState where State.Strategy == Self

  /// The name `--strategy` and `--strategies` use.
  static var name: String { get }

  /// Trains on `training` (raw features; scaling is fitted inside, on the data actually used).
  /// `sourceSHA256` fingerprints the file(s) the data came from.
  func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws -> State

  /// Forgets the request's samples. Throws `ForgetError` for ids that are absent (unless the
  /// request skips them) and leaves `state` unchanged on any error.
  func forget(_ request: ForgetRequest, from state: State, progress: (TrainingProgress) -> Void) throws -> (
    state: State, report: ForgetReport
  )

  /// Whether this strategy can ever forget `id` (LMEraser's public samples cannot); `forget`
  /// refuses the others with `ForgetError.notErasable`. Comparisons draw forget sets among ids
  /// every compared strategy can erase.
  func canErase(_ id: SampleID) -> Bool

  /// Roughly the most memory `fit` needs beyond the data for `featureCount` features and
  /// `classCount` classes, when it grows faster than the data (a P × P Hessian); nil otherwise.
  /// Callers check it before training, so a wide file is refused with the figure, not aborted.
  func estimatedPeakBytes(featureCount: Int, classCount: Int) -> Int?
}

extension UnlearningStrategy {
  public func canErase(_ id: SampleID) -> Bool { true }

  public func estimatedPeakBytes(featureCount: Int, classCount: Int) -> Int? { nil }
}

/// What a strategy keeps after training: it predicts, says what it was trained on, and persists.
public protocol StrategyState: Sendable {
  associatedtype Strategy: UnlearningStrategy where Strategy.State == Self

  /// The strategy (with its options) that produced this state and forgets from it.
  var strategy: Strategy { get }
  var configuration: ModelConfiguration { get }
  /// The remaining training samples and the ledger of forgotten ids.
  var trainingSet: TrainingSet { get }
  /// Class names, in class-index order.
  var classNames: [String] { get }
  /// The deployed model's parameters when it is a single model of the configured kind (so they
  /// can be compared with a retrained model's); nil for ensembles and composite models.
  var comparableParameters: [Double]? { get }
  /// Parameters of everything deployed (all shards, heads, ...).
  var parameterCount: Int { get }
  /// How the last training of the deployed model went, when it is a single model; nil otherwise.
  var trainingSummary: TrainingSummary? { get }

  /// Samples of the training data held out of `trainingSet` that are still deletion targets (PUMA's
  /// validation part); nil by default.
  var heldOutSamples: Dataset? { get }

  /// Roughly the bytes the state holds in memory: what a cache of live states budgets by.
  var residentBytes: Int { get }

  /// n × K class probabilities for raw (unscaled) feature rows.
  func probabilities(for features: Matrix) -> Matrix

  /// The state as named parts, for `StateFile`.
  func archive() throws -> StateArchive
  /// Reads a state written by `archive()`; `path` names the file in errors.
  init(archive: StateArchive, path: String) throws
}

extension StrategyState {
  public var heldOutSamples: Dataset? { nil }

  /// The samples' features and the deployed parameters with as many again for what the strategy
  /// keeps beside them (checkpoints, optimizer state).
  public var residentBytes: Int {
    8 * (trainingSet.storage.features.elements.count + (heldOutSamples?.features.elements.count ?? 0))
      + 16 * parameterCount
  }

  /// The most probable class of each raw feature row.
  public func predictedLabels(for features: Matrix) -> [Int] {
    probabilities(for: features).indicesOfRowMaxima()
  }

  /// Forgets through this state's own strategy (for callers that hold a state of unknown type); the
  /// report says what became of the feature scaling.
  public func forgetting(_ request: ForgetRequest, progress: (TrainingProgress) -> Void = { _ in }) throws -> (
    state: Self, report: ForgetReport
  ) {
    var (state, report) = try strategy.forget(request, from: self, progress: progress)
    report.featureScaling = ForgetReport.FeatureScalingOutcome(exact: report.exact, scaling: configuration.scaling)
    return (state, report)
  }
}
