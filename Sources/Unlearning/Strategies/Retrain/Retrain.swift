import UnlearnCore
import UnlearnData
import UnlearnModels

/// The exact baseline (docs/methods.md): forgetting trains a new model from scratch on the
/// remaining samples D \ F with the same configuration and seed — feature scaling refitted on
/// D \ F too, so no statistic of a forgotten sample survives. Every other strategy is judged
/// against it.
///
/// The result equals training on the reduced data directly, bit for bit (same configuration and
/// seed, `OPENBLAS_NUM_THREADS=1`): the remaining rows keep their original order.
public struct Retrain: UnlearningStrategy {
  public static let name = "retrain"

  public var configuration: ModelConfiguration

  public init(configuration: ModelConfiguration) {
    self.configuration = configuration
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> RetrainState
  {
    let model = try ModelTrainer(configuration: configuration).train(
      on: training, dataFileSHA256: sourceSHA256, progress: progress)
    return RetrainState(
      configuration: configuration, trainingSet: TrainingSet(data: training, sourceSHA256: sourceSHA256),
      model: model)
  }

  public func forget(_ request: ForgetRequest, from state: RetrainState, progress: (TrainingProgress) -> Void)
    throws -> (state: RetrainState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    var next = state
    if !resolution.rows.isEmpty {
      next.trainingSet.remove(resolution)
      next.model = try ModelTrainer(configuration: configuration).train(
        on: next.trainingSet.data, dataFileSHA256: next.trainingSet.sourceSHA256, progress: progress)
    }
    let report = ForgetReport(
      strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
      skipped: resolution.skippedCount, exact: true,
      samplesRetrained: resolution.rows.isEmpty ? 0 : next.trainingSet.data.count,
      parametersRetrained: resolution.rows.isEmpty ? 0 : next.parameterCount, seconds: (clock.now - start).seconds,
      remaining: next.trainingSet.data.count,
      notes: resolution.rows.isEmpty ? ["nothing to forget: every id was absent and skipped"] : [])
    return (next, report)
  }
}
