import UnlearnCore
import UnlearnData
import UnlearnModels

/// Newton removal's state: the model, the remaining samples, ∇L(θ; D \ F) at the current θ, and
/// the (downdated) Cholesky factorization of the Hessian.
public struct NewtonState: StrategyState {
  public var strategy: NewtonRemoval
  public var trainingSet: TrainingSet
  public var model: TrainedModel
  /// H(D \ F) as a factor of an earlier Hessian and the Woodbury terms of what was removed since.
  public var factorization: DowndatedCholesky
  /// ∇L(θ; D \ F), regularizer included, at the current parameters.
  public var gradient: [Double]
  /// ‖∇L(0; D)‖, the scale the training tolerance is relative to.
  public var gradientScale: Double
  /// The remaining samples, standardized with the model's scaling (rebuilt when a state is read).
  var batch: LabelledBatch
  /// Certified mode: the spent budget and how often the model was retrained from scratch.
  public var certificate: Certificate?
  /// Certified mode: X_rᵀX_r of the remaining design, for ‖X_r‖₂ (rebuilt when a state is read).
  var gram: Matrix?

  public struct Certificate: Sendable, Codable, Equatable {
    /// β: the sum of the residual bounds of the removals since the last training from scratch.
    public var budgetSpent: Double
    /// Trainings from scratch after the first (each drew fresh noise).
    public var retrainings: Int
  }

  init(
    strategy: NewtonRemoval, trainingSet: TrainingSet, model: TrainedModel, factorization: DowndatedCholesky,
    gradient: [Double], gradientScale: Double, batch: LabelledBatch, certificate: Certificate?, gram: Matrix?
  ) {
    self.strategy = strategy
    self.trainingSet = trainingSet
    self.model = model
    self.factorization = factorization
    self.gradient = gradient
    self.gradientScale = gradientScale
    self.batch = batch
    self.certificate = certificate
    self.gram = gram
  }

  /// The logistic model inside `model`.
  public internal(set) var logistic: LogisticRegression {
    get {
      guard case .logistic(let model) = model.classifier else {
        preconditionFailure("newton state holds a logistic model")
      }
      return model
    }
    set { model.classifier = .logistic(newValue) }
  }

  public var configuration: ModelConfiguration { strategy.configuration }
  public var classNames: [String] { model.classNames }
  public var comparableParameters: [Double]? { logistic.parameters }
  public var parameterCount: Int { logistic.parameterCount }
  public var trainingSummary: TrainingSummary? { model.summary }

  public func probabilities(for features: Matrix) -> Matrix {
    model.probabilities(for: features)
  }

  /// The samples as the model sees them (standardized, and row-normalized when configured).
  static func batch(_ data: Dataset, model: TrainedModel) -> LabelledBatch {
    LabelledBatch(features: model.prepared(data.features), labels: data.labels, classCount: data.classCount)
  }

  // MARK: Persistence

  struct Settings: Codable {
    var refactorRank: Int?
    var maxSteps: Int
    var residualTarget: Double
    var gradientScale: Double
    var certification: Certification?
    var certificate: Certificate?
  }

  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: NewtonRemoval.name)
    try archive.setJSON(
      "settings",
      Settings(
        refactorRank: strategy.refactorRank, maxSteps: strategy.maxSteps, residualTarget: strategy.residualTarget,
        gradientScale: gradientScale, certification: strategy.certification, certificate: certificate))
    try archive.setModel("model", model)
    try archive.setTrainingSet("training", trainingSet)
    archive.setDoubles("gradient", gradient)
    if let noise = logistic.linearTerm { archive.setDoubles("certified.noise", noise) }
    archive.setDoubles("hessian.factor", Self.packUpper(try factorization.folded().upper))
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "settings", path: path)
    var model = try archive.model("model", path: path)
    guard case .logistic(var logistic) = model.classifier else {
      throw ModelFileError.corrupted(path, "the newton state's model is not a logistic regression")
    }
    let p = logistic.parameterCount
    if settings.certification != nil {
      logistic.linearTerm = try archive.doubles("certified.noise", count: p, path: path)
      model.classifier = .logistic(logistic)
    }
    let upper = Self.unpackUpper(try archive.doubles("hessian.factor", count: p * (p + 1) / 2, path: path), order: p)
    let factor: CholeskyFactorization
    do {
      factor = try CholeskyFactorization(validatingUpper: upper)
    } catch {
      throw ModelFileError.corrupted(path, "the stored Hessian factor is not a valid Cholesky factor (\(error))")
    }
    let trainingSet = try archive.trainingSet("training", path: path)
    let batch = Self.batch(trainingSet.data, model: model)
    var gram: Matrix?
    if settings.certification != nil {
      var product = Matrix(rows: batch.design.columns, columns: batch.design.columns)
      BLAS.syrk(batch.design, transpose: true, into: &product)
      gram = product
    }
    self.init(
      strategy: NewtonRemoval(
        configuration: model.configuration, refactorRank: settings.refactorRank,
        maxSteps: max(settings.maxSteps, 1), residualTarget: settings.residualTarget,
        certification: settings.certification),
      trainingSet: trainingSet, model: model, factorization: DowndatedCholesky(base: factor),
      gradient: try archive.doubles("gradient", count: p, path: path), gradientScale: settings.gradientScale,
      batch: batch, certificate: settings.certificate, gram: gram)
  }

  /// The upper triangle, row by row (n(n+1)/2 entries): half the bytes of the dense factor.
  static func packUpper(_ matrix: Matrix) -> [Double] {
    var packed: [Double] = []
    packed.reserveCapacity(matrix.rows * (matrix.rows + 1) / 2)
    for i in 0..<matrix.rows { packed.append(contentsOf: matrix.row(i)[i...]) }
    return packed
  }

  static func unpackUpper(_ packed: [Double], order n: Int) -> Matrix {
    var matrix = Matrix(rows: n, columns: n)
    var offset = 0
    for i in 0..<n {
      for j in i..<n { matrix[i, j] = packed[offset + j - i] }
      offset += n - i
    }
    return matrix
  }
}
