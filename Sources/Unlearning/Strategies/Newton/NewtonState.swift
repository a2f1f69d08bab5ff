import UnlearnCore
import UnlearnData
import UnlearnModels

/// Newton removal's state: the model, the remaining samples, L(θ; D \ F) and its gradient at the
/// current θ, and the (downdated) Cholesky factorization of the Hessian.
///
/// Removed samples' rows stay in `batch` (and in the training set's storage) as pending removals
/// until more than `compactionFraction` of the rows are pending, then leave both at once: the
/// per-request cost is then the request's own work, not a copy of the remaining samples.
/// Objectives and gradients skip the pending rows; anything that needs the rows themselves
/// (refactoring, certified bounds, fine-tuning, PUMA's reweighting) compacts first.
///
/// The Newton step acts on `head`, a logistic regression: the whole model for `--model logistic`,
/// the MLP's output layer over its last hidden activations (hidden layers fixed) for `--model mlp`.
public struct NewtonState: SingleModelState {
  public var strategy: NewtonRemoval
  public var trainingSet: TrainingSet
  /// The deployed model.
  public private(set) var model: TrainedModel
  /// The logistic model the Newton step updates (kept in step with `model` by `setHead`).
  public private(set) var head: LogisticRegression
  /// H(D \ F) as a factor of an earlier Hessian and the Woodbury terms of what was removed since.
  public var factorization: DowndatedCholesky
  /// L(θ; D \ F), regularizer included, at the current parameters.
  public var loss: Double
  /// ∇L(θ; D \ F), regularizer included, at the current parameters.
  public var gradient: [Double]
  /// ‖∇L(0; D)‖, the scale the training tolerance is relative to.
  public var gradientScale: Double
  /// The rows of the training set's storage, standardized with the model's scaling (rebuilt when
  /// a state is read); rows of pending removals included until `compact()`.
  var batch: LabelledBatch
  /// Certified mode: the spent budget and how often the model was retrained from scratch.
  public var certificate: Certificate?
  /// Certified mode: an upper bound of ‖X_r‖₂ for the remaining design and every later one, the
  /// exact norm of the design it was computed on (at training, or when a state is read). Removing
  /// rows subtracts positive semidefinite terms xxᵀ from X_rᵀX_r, which cannot raise its largest
  /// eigenvalue (Weyl's inequality), so the bound holds for every removal until the next training.
  /// Not persisted: a state read back computes the norm of its own remaining design, tighter, and
  /// free of the samples removed before it was written.
  var designNormBound: Double?
  /// Seconds the current factorization took to build, factor and invert: what a refactoring at
  /// the current parameters would cost. 0 when unknown (a state read from disk). Not persisted.
  var factorizationSeconds = 0.0
  /// Seconds stalled requests have spent on conjugate-gradient steps since that factorization.
  /// Once they reach `factorizationSeconds`, a stall refactors instead (see `NewtonRemoval`).
  var conjugateGradientSeconds = 0.0
  /// Exact Hessian-vector products that stalled requests' conjugate gradients computed since that
  /// factorization, correcting its solves where the cached Hessian was off (see `NewtonRemoval`).
  /// Dropped at every refactorization. Not persisted.
  var curvaturePairs = CurvaturePairs(capacity: NewtonRemoval.conjugateGradientIterations)
  /// Removed samples' Hessian factors that the batch path left out of `factorization` (see
  /// `NewtonRemoval`): its solves use the factor without them, as a preconditioner. They
  /// are folded in before a state is written, so no forgotten sample's curvature reaches a file,
  /// and dropped at every refactorization. Not persisted.
  var unappliedDowndates: [KroneckerFactor] = []

  /// The columns of `unappliedDowndates`.
  var unappliedRank: Int { unappliedDowndates.reduce(0) { $0 + $1.columns } }

  public struct Certificate: Sendable, Codable, Equatable {
    /// β: the sum of the residual bounds of the removals since the last training from scratch.
    public var budgetSpent: Double
    /// Trainings from scratch after the first (each drew fresh noise).
    public var retrainings: Int
  }

  init(
    strategy: NewtonRemoval, trainingSet: TrainingSet, model: TrainedModel, head: LogisticRegression,
    factorization: DowndatedCholesky, loss: Double, gradient: [Double], gradientScale: Double,
    batch: LabelledBatch, certificate: Certificate?, designNormBound: Double?
  ) {
    self.strategy = strategy
    self.trainingSet = trainingSet
    self.model = model
    self.head = head
    self.factorization = factorization
    self.loss = loss
    self.gradient = gradient
    self.gradientScale = gradientScale
    self.batch = batch
    self.certificate = certificate
    self.designNormBound = designNormBound
  }

  /// Pending removals compact once they pass this fraction of the stored rows: objectives then
  /// pay at most 1/16 more rows than remain, and the copy is spread over that many removals.
  static let compactionFraction = 1.0 / 16

  /// The objective L(θ; D \ F) and its gradient for `head`'s parameters, over the remaining rows.
  func objective(of head: LogisticRegression) -> (loss: Double, gradient: [Double]) {
    head.lossAndGradient(on: batch, excluding: trainingSet.pendingRemovals)
  }

  /// Drops the rows of pending removals from the training set and `batch` (a copy of each).
  mutating func compact() {
    guard trainingSet.pendingRemovalCount > 0 else { return }
    batch = batch.subset(trainingSet.remainingStorageRows)
    trainingSet.compact()
  }

  /// Compacts, then replaces the factorization by a fresh one of H(D \ F) at `head`'s parameters,
  /// with H⁻¹ kept: the Hessian built over the remaining rows (O(n·P²)), factored (O(P³/3)) and
  /// inverted (O(2P³/3)); its time is what the next stalls may spend on conjugate gradients.
  mutating func refactor(at head: LogisticRegression) throws {
    let clock = ContinuousClock()
    let start = clock.now
    compact()
    factorization = DowndatedCholesky(
      base: try LAPACK.cholesky(head.hessian(on: batch, includingRegularization: true)),
      keepsInverse: strategy.invertsFactor, blockSize: head.outputCount)
    (factorizationSeconds, conjugateGradientSeconds) = ((clock.now - start).seconds, 0)
    curvaturePairs.removeAll()
    unappliedDowndates.removeAll()
  }

  /// The factor a state file keeps: the Woodbury terms and the batch path's unapplied downdates
  /// folded in by rank-one Cholesky downdates (O(P²) per column), so no forgotten sample's
  /// curvature survives on disk; when folding would cost more than building a fresh one, or makes
  /// it indefinite, a fresh factor of H(D \ F) at the current parameters.
  func persistableFactor() throws -> CholeskyFactorization {
    // Folding costs about rank·P² (rank-one downdates); a fresh factor n·p²·K(K+1)/2 to build the
    // Hessian (p = inputs + 1, K outputs) and P³/3 to factor it. Take the cheaper.
    let p = Double(head.featureCount + 1)
    let k = Double(head.outputCount)
    let order = Double(head.parameterCount)
    let foldCost = Double(factorization.rank + unappliedRank) * order * order
    let refactorCost = Double(trainingSet.count) * p * p * k * (k + 1) / 2 + order * order * order / 3
    if foldCost <= refactorCost {
      do {
        var factor = try factorization.folded()
        for downdate in unappliedDowndates {
          let u = downdate.dense
          for column in 0..<u.columns { try factor.downdate(by: u.column(column)) }
        }
        return factor
      } catch is LinearAlgebraError {
        // Indefinite after the downdates: the fresh factor below.
      }
    }
    var fresh = self
    fresh.compact()
    return try LAPACK.cholesky(fresh.head.hessian(on: fresh.batch, includingRegularization: true))
  }

  /// H'⁻¹·b: the solve with the factorization, corrected by the kept curvature pairs.
  func solve(_ b: [Double]) -> [Double] {
    curvaturePairs.solve(b) { factorization.solve($0) }
  }

  /// Moves `head` to head − t·direction with t = 1, or, unless `alwaysFull`, the first of 1/2,
  /// 1/4, … 1/1024 at which the objective does not exceed `loss` (the current one); `loss` and
  /// `gradient` become the objective and gradient at the new head. Returns t.
  ///
  /// "Does not exceed" allows for rounding: the current `loss` may be the kept L minus removed
  /// samples' terms, the new one a fresh sum, and the two differ by ~1e-16 per term even for a
  /// zero step.
  mutating func descend(_ head: inout LogisticRegression, along direction: [Double], alwaysFull: Bool) -> Double {
    let acceptable = loss + 1e-12 * Swift.max(1, abs(loss))
    let start = head.parameters
    var scale = 1.0
    while true {
      var parameters = start
      BLAS.axpy(-scale, direction, &parameters)
      head.parameters = parameters
      (loss, gradient) = objective(of: head)
      if alwaysFull || loss <= acceptable || scale <= 1.0 / 1024 { return scale }
      scale /= 2
    }
  }

  /// `descend` kept only if it lowers the objective: returns t, or nil with `head`, `loss` and
  /// `gradient` as they were.
  mutating func dampedStep(_ head: inout LogisticRegression, along direction: [Double]) -> Double? {
    let before = (head: head, loss: loss, gradient: gradient)
    let t = descend(&head, along: direction, alwaysFull: false)
    guard loss < before.loss else {
      (head, loss, gradient) = before
      return nil
    }
    return t
  }

  /// Sets the head, writes it into the deployed model, and evaluates the objective there.
  mutating func move(to newHead: LogisticRegression) {
    setHead(newHead)
    (loss, gradient) = objective(of: newHead)
  }

  /// Sets the head and writes it into the deployed model.
  mutating func setHead(_ newHead: LogisticRegression) {
    head = newHead
    model.classifier = Self.classifier(model.classifier, withHead: newHead)
  }

  /// `classifier` with the part a Newton step updates (see `head(of:)`) replaced by `head`.
  static func classifier(_ classifier: TrainedClassifier, withHead head: LogisticRegression) -> TrainedClassifier {
    switch classifier {
    case .logistic: return .logistic(head)
    case .mlp(var network):
      let start = network.parameterOffset(ofLayer: network.layerCount - 1)
      var parameters = network.parameters
      parameters.replaceSubrange(start..<(start + head.parameterCount), with: head.parameters)
      network.parameters = parameters
      return .mlp(network)
    }
  }

  /// Replaces the deployed model (after fine-tuning or retraining) and takes its head.
  mutating func setModel(_ newModel: TrainedModel) throws {
    model = newModel
    head = try Self.head(of: newModel, linearTerm: head.linearTerm)
  }

  /// The part of `model` a Newton step updates, as a logistic regression.
  static func head(of model: TrainedModel, linearTerm: [Double]? = nil) throws -> LogisticRegression {
    switch model.classifier {
    case .logistic(var logistic):
      if let linearTerm { logistic.linearTerm = linearTerm }
      return logistic
    case .mlp(let network):
      guard network.classCount > 2 else {
        throw StrategyError(
          "newton removal for an MLP needs 3 or more classes in this build (its output layer is updated as a "
            + "softmax regression); use --model logistic for binary data")
      }
      let last = network.layerCount - 1
      var head = LogisticRegression(
        featureCount: network.widths[last], classCount: network.classCount,
        inverseRegularization: 1 / network.regularization)
      head.parameters = network.layerBlock(last).elements
      return head
    }
  }

  public var configuration: ModelConfiguration { strategy.configuration }

  /// The samples (raw and as the head sees them), the parameters, the factor with H⁻¹ (P² each), and
  /// the unapplied downdates.
  public var residentBytes: Int {
    let p = head.parameterCount
    let unapplied = unappliedDowndates.reduce(0) {
      $0 + $1.vectors.elements.count + $1.mixing.reduce(0) { $0 + $1.elements.count }
    }
    return 8
      * (trainingSet.storage.features.elements.count + batch.design.elements.count + 2 * p * p + 4 * p + unapplied)
  }

  /// The samples as the head sees them: standardized (and row-normalized when configured), then
  /// for an MLP passed through its hidden layers.
  static func batch(_ data: Dataset, model: TrainedModel) -> LabelledBatch {
    LabelledBatch(
      features: headFeatures(ofPrepared: model.prepared(data.features), model: model), labels: data.labels,
      classCount: data.classCount)
  }

  /// What the head sees of already prepared (scaled) features: them, or an MLP's last hidden layer.
  static func headFeatures(ofPrepared prepared: Matrix, model: TrainedModel) -> Matrix {
    if case .mlp(let network) = model.classifier, let last = network.hiddenActivations(for: prepared).last {
      return last
    }
    return prepared
  }

  /// ‖X̃‖₂ of the batch's design matrix: the root of the largest eigenvalue of X̃ᵀX̃.
  static func designNorm(of batch: LabelledBatch) throws -> Double {
    var gram = Matrix(rows: batch.design.columns, columns: batch.design.columns)
    BLAS.syrk(batch.design, transpose: true, into: &gram)
    return max(0, try LAPACK.symmetricEigen(gram).values.last ?? 0).squareRoot()
  }

  // MARK: Persistence

  struct Settings: Codable {
    var refactorRank: Int?
    var maxSteps: Int
    var residualTarget: Double
    var gradientScale: Double
    var certification: Certification?
    var certificate: Certificate?
    var finetuneEpochs: Int?
  }

  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: NewtonRemoval.name)
    try archive.setJSON(
      "settings",
      Settings(
        refactorRank: strategy.refactorRank, maxSteps: strategy.maxSteps, residualTarget: strategy.residualTarget,
        gradientScale: gradientScale, certification: strategy.certification, certificate: certificate,
        finetuneEpochs: strategy.finetuneEpochs))
    try archive.setModel("model", model)
    try archive.setTrainingSet("training", trainingSet)
    archive.setDoubles("gradient", gradient)
    if let noise = head.linearTerm { archive.setDoubles("certified.noise", noise) }
    let state = self
    archive.setCache("hessian.factor") {
      Self.packedUpperBytes(try state.persistableFactor().upper)
    }
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "settings", path: path)
    let model = try archive.model("model", path: path)
    let plainHead: LogisticRegression
    do {
      plainHead = try Self.head(of: model)
    } catch {
      throw ModelFileError.corrupted(path, "the newton state's model has no head a Newton step can update")
    }
    let p = plainHead.parameterCount
    let noise = settings.certification == nil ? nil : try archive.doubles("certified.noise", count: p, path: path)
    let head = try Self.head(of: model, linearTerm: noise)
    let trainingSet = try archive.trainingSet("training", path: path)
    let batch = Self.batch(trainingSet.data, model: model)
    let designNormBound = settings.certification == nil ? nil : try Self.designNorm(of: batch)
    // The factor is a cache: a state file keeps it, the store does not (see `StateArchive`).
    let clock = ContinuousClock()
    let start = clock.now
    let factorization: DowndatedCholesky
    if archive.blob("hessian.factor") != nil {
      let upper = Self.unpackUpper(
        try archive.requiredBlob("hessian.factor", byteCount: 8 * p * (p + 1) / 2, path: path), order: p)
      do {
        factorization = DowndatedCholesky(base: try CholeskyFactorization(validatingUpper: upper))
      } catch {
        throw ModelFileError.corrupted(path, "the stored Hessian factor is not a valid Cholesky factor (\(error))")
      }
    } else {
      factorization = DowndatedCholesky(
        base: try LAPACK.cholesky(head.hessian(on: batch, includingRegularization: true)), keepsInverse: true,
        blockSize: head.outputCount)
    }
    self.init(
      strategy: NewtonRemoval(
        configuration: model.configuration, refactorRank: settings.refactorRank,
        maxSteps: max(settings.maxSteps, 1), residualTarget: settings.residualTarget,
        certification: settings.certification, finetuneEpochs: settings.finetuneEpochs ?? 0),
      trainingSet: trainingSet, model: model, head: head, factorization: factorization,
      loss: head.lossAndGradient(on: batch).loss, gradient: try archive.doubles("gradient", count: p, path: path),
      gradientScale: settings.gradientScale, batch: batch, certificate: settings.certificate,
      designNormBound: designNormBound)
    if archive.blob("hessian.factor") == nil { factorizationSeconds = (clock.now - start).seconds }
  }

  /// The upper triangle, row by row (n(n+1)/2 entries): half the bytes of the dense factor.
  /// The upper triangle row by row, as the little-endian bytes of its doubles (what
  /// `unpackUpper` reads back), written straight into the blob without a packed copy in between.
  static func packedUpperBytes(_ matrix: Matrix) -> [UInt8] {
    assert(1.littleEndian == 1, "Unlearn state files assume a little-endian machine")
    let n = matrix.rows
    let count = n * (n + 1) / 2
    return [UInt8](unsafeUninitializedCapacity: 8 * count) { buffer, initialized in
      matrix.withUnsafeBufferPointer { source in
        var offset = 0
        for i in 0..<n {
          let row = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: source[(i * n + i)..<((i + 1) * n)]))
          UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + row.count)]))
            .copyMemory(from: row)
          offset += row.count
        }
      }
      initialized = 8 * count
    }
  }

  /// The matrix `packedUpperBytes` wrote (n(n+1)/2 little-endian doubles, upper triangle by
  /// row), zero below the diagonal, copied row by row straight from the bytes.
  static func unpackUpper(_ packed: [UInt8], order n: Int) -> Matrix {
    precondition(packed.count == 8 * n * (n + 1) / 2, "unpackUpper: \(packed.count) bytes for order \(n)")
    var matrix = Matrix(rows: n, columns: n)
    matrix.withUnsafeMutableBufferPointer { target in
      packed.withUnsafeBytes { source in
        var offset = 0
        for i in 0..<n {
          let length = 8 * (n - i)
          UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: target[(i * n + i)..<((i + 1) * n)]))
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + length)]))
          offset += length
        }
      }
    }
    return matrix
  }
}
