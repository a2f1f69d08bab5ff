import CUnlearnKernels
import RealModule
import UnlearnCore

/// L2-regularized logistic regression, binary (K = 2) or multinomial (softmax, K > 2), with
/// scikit-learn's objective (docs/architecture.md):
///
///     L(θ; D) = Σ_i ℓ(x_i, y_i; θ) + (λ/2)‖W‖²,   λ = 1/C, biases not regularized.
///
/// **Binary.** θ = (w, b) ∈ R^p, p = d + 1, y ∈ {−1, +1} (class 1 is +1), z = θᵀx̃:
/// ℓ = log(1 + e^(−yz)), ∇ℓ = −y σ(−yz) x̃, ∇²ℓ = σ(z)(1 − σ(z)) x̃x̃ᵀ.
///
/// **Softmax.** Θ ∈ R^(p×K) stored row-major, θ[j·K + k] (feature j, class k; row d holds the K
/// biases), P = softmax(Θᵀx̃): ℓ = log Σ_k e^(z_k) − z_y, ∇ℓ = x̃ ⊗ (P − e_y),
/// ∇²ℓ = x̃x̃ᵀ ⊗ (diag P − PPᵀ). Adding one constant to every bias changes nothing, so the
/// Hessian is singular along that direction; we fix the gauge with (μ/2)(Σ_k b_k)², μ = 1. Data
/// gradients never move Σ_k b_k (Σ_k (P_k − e_yk) = 0), so the optimum is the one with Σ_k b_k = 0,
/// the same one scikit-learn's solvers reach from zero, and predictions are unaffected.
///
/// Gradients and Hessians are products with the design matrix X̃ (gemm/gemv), Hessian blocks
/// rank-k updates (syrk): building the softmax Hessian costs about n·p²·K(K+1)/2 flops.
public struct LogisticRegression: ConvexClassifier, Codable, Equatable {
  public let featureCount: Int
  public let classCount: Int
  /// λ = 1/C.
  public let regularization: Double
  public var parameters: [Double] {
    willSet {
      precondition(newValue.count == parameterCount, "\(newValue.count) parameters, expected \(parameterCount)")
    }
  }

  /// An optional linear term bᵀθ added to the objective (objective perturbation for certified
  /// removal, Guo et al. 2020); it changes the loss and gradient, not the Hessian.
  public var linearTerm: [Double]? {
    willSet {
      precondition(
        newValue == nil || newValue!.count == parameterCount, "linear term needs \(parameterCount) entries")
    }
  }

  /// The gauge weight μ of the softmax bias term (μ/2)(Σ_k b_k)².
  public static let gaugeWeight = 1.0

  /// A model at θ = 0 for d features and K classes, with inverse regularization strength C > 0.
  public init(featureCount: Int, classCount: Int, inverseRegularization: Double) {
    precondition(featureCount >= 0, "featureCount must be non-negative")
    precondition(classCount >= 2, "logistic regression needs at least 2 classes, got \(classCount)")
    precondition(
      inverseRegularization > 0 && inverseRegularization.isFinite,
      "C (inverse regularization) must be positive and finite, got \(inverseRegularization)")
    self.featureCount = featureCount
    self.classCount = classCount
    self.regularization = 1 / inverseRegularization
    self.parameters = [Double](repeating: 0, count: (featureCount + 1) * (classCount == 2 ? 1 : classCount))
    self.linearTerm = nil
  }

  /// C = 1/λ, scikit-learn's inverse regularization strength.
  public var inverseRegularization: Double { 1 / regularization }
  public var isBinary: Bool { classCount == 2 }
  /// Columns of Θ: 1 for binary, K for softmax.
  public var outputCount: Int { isBinary ? 1 : classCount }
  public var parameterCount: Int { (featureCount + 1) * outputCount }

  /// Θ as a p × outputCount matrix (row d holds the biases).
  public var parameterMatrix: Matrix {
    Matrix(rows: featureCount + 1, columns: outputCount, elements: parameters)
  }

  // MARK: Prediction

  public func probabilities(for features: Matrix) -> Matrix {
    precondition(features.columns == featureCount, "model has \(featureCount) features, data \(features.columns)")
    let logits = logits(forDesign: LabelledBatch.design(for: features))
    return isBinary ? binaryProbabilities(logits) : softmax(logits)
  }

  /// n × outputCount: X̃·Θ.
  func logits(forDesign design: Matrix) -> Matrix {
    BLAS.product(design, parameterMatrix)
  }

  private func binaryProbabilities(_ logits: Matrix) -> Matrix {
    var result = Matrix(rows: logits.rows, columns: 2)
    for i in 0..<logits.rows {
      let p = StableFunctions.sigmoid(logits[i, 0])
      result[i, 0] = 1 - p
      result[i, 1] = p
    }
    return result
  }

  /// Row-wise softmax probabilities of the logits.
  private func softmax(_ logits: Matrix) -> Matrix {
    var probabilities = logits
    StableFunctions.softmaxRows(&probabilities, labels: nil)
    return probabilities
  }

  // MARK: Objective

  public func lossAndGradient(on batch: LabelledBatch) -> (loss: Double, gradient: [Double]) {
    lossAndGradient(on: batch, excluding: nil)
  }

  /// The objective and its gradient over the batch's rows except those marked in `excluded` (one
  /// flag per row; nil excludes none): the same products over every row, with the excluded rows'
  /// residuals zeroed and their losses left out — how a state with pending removals evaluates the
  /// remaining samples without copying them.
  public func lossAndGradient(on batch: LabelledBatch, excluding excluded: [Bool]?) -> (
    loss: Double, gradient: [Double]
  ) {
    let data = dataLossAndGradient(on: batch, excluding: excluded)
    var gradient = data.gradient
    var penalty = 0.0
    for index in 0..<(featureCount * outputCount) {
      penalty += parameters[index] * parameters[index]
      gradient[index] += regularization * parameters[index]
    }
    var total = data.loss + regularization / 2 * penalty
    if !isBinary {
      let biasSum = biasSum(parameters)
      total += Self.gaugeWeight / 2 * biasSum * biasSum
      for k in 0..<classCount { gradient[featureCount * classCount + k] += Self.gaugeWeight * biasSum }
    }
    if let linearTerm {
      total += BLAS.dot(linearTerm, parameters)
      BLAS.axpy(1, linearTerm, &gradient)
    }
    return (total, gradient)
  }

  /// Σ_i ℓ_i, and the n × outputCount residuals r with ∇(Σℓ) = X̃ᵀr: binary r_i = −y_i σ(−y_i z_i),
  /// softmax r_i = P_i − e_(y_i). Rows flagged in `excluded` get r_i = 0 and no loss.
  func dataLossAndResiduals(on batch: LabelledBatch, excluding excluded: [Bool]? = nil) -> (
    loss: Double, residuals: Matrix
  ) {
    var residuals = logits(forDesign: batch.design)
    let loss =
      isBinary
      ? StableFunctions.logisticRows(&residuals, labels: batch.labels, excluding: excluded)
      : StableFunctions.softmaxRows(&residuals, labels: batch.labels, excluding: excluded)
    return (loss, residuals)
  }

  /// Σ_i ℓ_i over the batch and its gradient Σ_i ∇ℓ_i, without the regularizer, gauge or linear
  /// term: what removing the batch's samples takes out of the objective.
  public func dataLossAndGradient(on batch: LabelledBatch) -> (loss: Double, gradient: [Double]) {
    dataLossAndGradient(on: batch, excluding: nil)
  }

  /// Σ_i ℓ_i and X̃ᵀR over the rows not flagged in `excluded`, in one pass over X̃
  /// (`unlearn_logistic_objective`): each tile of rows is read once, its logits, residuals and
  /// share of the gradient computed while it is in cache, the sums in registers — where the
  /// products X̃Θ and X̃ᵀR through BLAS read X̃ twice and, with K = 10 columns, run at a fraction of
  /// the machine's speed. Rows are shared among `BLAS.threadCount` threads when there is work
  /// enough to pay for starting them (on digits-sized batches it is not).
  /// Cross-checked against the BLAS products in `LogisticObjectiveTests`.
  func dataLossAndGradient(on batch: LabelledBatch, excluding excluded: [Bool]?) -> (
    loss: Double, gradient: [Double]
  ) {
    // The softmax kernel indexes rows by label: a batch's labels are in 0..<classCount (checked
    // when it was built), and its classes are the model's.
    checkShape(batch)
    precondition(excluded == nil || excluded!.count == batch.count, "one exclusion flag per row")
    var gradient = [Double](repeating: 0, count: parameterCount)
    let loss = batch.design.withUnsafeBufferPointer { x in
      parameters.withUnsafeBufferPointer { theta in
        batch.labels.withUnsafeBufferPointer { y in
          gradient.withUnsafeMutableBufferPointer { g in
            StableFunctions.withOptionalBuffer(excluded) { flags in
              unlearn_logistic_objective(
                x.baseAddress, batch.count, featureCount + 1, theta.baseAddress, outputCount, y.baseAddress, flags,
                g.baseAddress, BLAS.threadCount)
            }
          }
        }
      }
    }
    return (loss, gradient)
  }

  /// (1/n)Σ_i ℓ_i over the batch and its gradient, without the regularizer, gauge or linear term:
  /// a validation loss.
  public func meanDataLossAndGradient(on batch: LabelledBatch) -> (loss: Double, gradient: [Double]) {
    var (loss, gradient) = dataLossAndGradient(on: batch)
    BLAS.scal(1 / Double(batch.count), &gradient)
    loss /= Double(batch.count)
    return (loss, gradient)
  }

  /// g_iᵀv for every sample's loss gradient g_i = vec(x̃_i r_iᵀ), without forming the g_i:
  /// g_iᵀv = x̃_iᵀ V r_i with V = v as a (d+1) × outputCount matrix, so all at once are the row sums
  /// of (X̃V) ⊙ R — one gemm.
  public func perSampleGradientProducts(on batch: LabelledBatch, _ v: [Double]) -> [Double] {
    checkShape(batch)
    precondition(v.count == parameterCount, "direction has \(v.count) entries, expected \(parameterCount)")
    let residuals = dataLossAndResiduals(on: batch).residuals
    let projected = BLAS.product(
      batch.design, Matrix(rows: featureCount + 1, columns: outputCount, elements: v))
    return (0..<batch.count).map { i in
      (0..<outputCount).reduce(0) { $0 + projected[i, $1] * residuals[i, $1] }
    }
  }

  /// Σ_i w_i g_i = vec(X̃ᵀ diag(w) R): the gradient of the w-weighted data loss, one gemm.
  public func weightedGradientSum(on batch: LabelledBatch, weights: [Double]) -> [Double] {
    checkShape(batch)
    precondition(weights.count == batch.count, "\(weights.count) weights for \(batch.count) samples")
    var residuals = dataLossAndResiduals(on: batch).residuals
    for i in 0..<batch.count {
      for c in 0..<outputCount { residuals[i, c] *= weights[i] }
    }
    return BLAS.product(batch.design, residuals, transposeA: true).elements
  }

  public func perSampleGradients(on batch: LabelledBatch) -> Matrix {
    checkShape(batch)
    let residuals = dataLossAndResiduals(on: batch).residuals
    let p = featureCount + 1
    let k = outputCount
    // Row i is vec(x̃_i r_iᵀ) in θ's layout: the row-wise Kronecker (Khatri–Rao) product of X̃ and
    // the residuals, which no BLAS routine forms; one multiplication per output entry.
    var gradients = Matrix(rows: batch.count, columns: p * k)
    batch.design.withUnsafeBufferPointer { x in
      residuals.withUnsafeBufferPointer { r in
        gradients.withUnsafeMutableBufferPointer { g in
          for i in 0..<batch.count {
            for j in 0..<p {
              let xij = x[i * p + j]
              for c in 0..<k { g[i * p * k + j * k + c] = xij * r[i * k + c] }
            }
          }
        }
      }
    }
    return gradients
  }

  public func hessian(on batch: LabelledBatch, includingRegularization: Bool = true) -> Matrix {
    checkShape(batch)
    let p = featureCount + 1
    let k = outputCount
    var hessian = Matrix(rows: p * k, columns: p * k)
    let logits = logits(forDesign: batch.design)
    if isBinary {
      let weights = (0..<batch.count).map { i -> Double in
        let s = StableFunctions.sigmoid(logits[i, 0])
        return s * (1 - s)
      }
      BLAS.syrk(Self.scaledRows(batch.design, by: weights), transpose: true, into: &hessian)
    } else {
      let probabilities = softmax(logits)
      for a in 0..<k {
        for b in a..<k {
          // Block (a, b) = X̃ᵀ diag(w) X̃ with w_i = P_ia(δ_ab − P_ib): ≥ 0 on the diagonal,
          // ≤ 0 off it, so each block is ± syrk of X̃ scaled by √|w|.
          let weights = (0..<batch.count).map { i in
            probabilities[i, a] * ((a == b ? 1 : 0) - probabilities[i, b])
          }
          var block = Matrix(rows: p, columns: p)
          BLAS.syrk(Self.scaledRows(batch.design, by: weights), transpose: true, into: &block)
          let sign: Double = a == b ? 1 : -1
          hessian.withUnsafeMutableBufferPointer { h in
            for j in 0..<p {
              for l in 0..<p {
                let value = sign * block[j, l]
                h[(j * k + a) * p * k + l * k + b] = value
                h[(j * k + b) * p * k + l * k + a] = value
              }
            }
          }
        }
      }
    }
    if includingRegularization {
      for index in 0..<(featureCount * k) { hessian[index, index] += regularization }
      if !isBinary {
        for a in 0..<k { for b in 0..<k { hessian[featureCount * k + a, featureCount * k + b] += Self.gaugeWeight } }
      }
    }
    return hessian
  }

  /// A factor U of the batch's data Hessian, Σ_i ∇²ℓ_i = U·Uᵀ, parameterCount × (n·outputCount):
  /// what removing the batch subtracts from H, as a low-rank term (`hessianKroneckerFactor` written
  /// out).
  public func hessianFactor(on batch: LabelledBatch) -> Matrix {
    hessianKroneckerFactor(on: batch).dense
  }

  /// The batch's data Hessian as Σ_i (x̃_i ⊗ B_i)(x̃_i ⊗ B_i)ᵀ, in the parameters' feature-major
  /// order (θ[j·K + k]), with x̃_i the design row and B_i a factor of the sample's curvature.
  ///
  /// Binary: B_i = √(σ_i(1 − σ_i)) (1 × 1). Softmax: with s = √P_i, the K × K matrix
  /// B_i = diag(s) − P_i·sᵀ satisfies B·Bᵀ = diag(P_i) − P_i·P_iᵀ (because ‖s‖ = 1); its K columns
  /// span rank K − 1.
  public func hessianKroneckerFactor(on batch: LabelledBatch) -> KroneckerFactor {
    checkShape(batch)
    let k = outputCount
    let logits = logits(forDesign: batch.design)
    if isBinary {
      let mixing = (0..<batch.count).map { i in
        let s = StableFunctions.sigmoid(logits[i, 0])
        return Matrix(rows: 1, columns: 1, elements: [(s * (1 - s)).squareRoot()])
      }
      return KroneckerFactor(vectors: batch.design, mixing: mixing)
    }
    let probabilities = softmax(logits)
    let mixing = (0..<batch.count).map { i in
      let pi = (0..<k).map { probabilities[i, $0] }
      let si = pi.map { $0.squareRoot() }
      var b = Matrix(rows: k, columns: k)
      for c in 0..<k {
        for column in 0..<k { b[c, column] = (c == column ? si[c] : 0) - pi[c] * si[column] }
      }
      return b
    }
    return KroneckerFactor(vectors: batch.design, mixing: mixing)
  }

  public func hessianVectorProduct(on batch: LabelledBatch, _ v: [Double]) -> [Double] {
    hessianVectorProduct(on: batch, v, curvature: curvature(on: batch))
  }

  /// What `hessianVectorProduct` needs of θ on a batch, computed once for many products at the
  /// same θ (conjugate gradients): binary, the n × 1 weights σ(z)(1 − σ(z)); softmax, the n × K
  /// probabilities.
  public func curvature(on batch: LabelledBatch) -> Matrix {
    checkShape(batch)
    var logits = logits(forDesign: batch.design)
    guard isBinary else { return softmax(logits) }
    for i in 0..<batch.count {
      let s = StableFunctions.sigmoid(logits[i, 0])
      logits[i, 0] = s * (1 - s)
    }
    return logits
  }

  /// The Hessian's diagonal (what `hessian(on:)` has on its diagonal) from the same curvature:
  /// H_(j,c),(j,c) = Σ_i x̃_ij² w_ic + λ (weights) or + the gauge weight (softmax biases), with
  /// w = σ(1 − σ) or p_c(1 − p_c) — one gemm on the squared design. Conjugate gradients'
  /// preconditioner.
  public func hessianDiagonal(on batch: LabelledBatch, curvature: Matrix) -> [Double] {
    precondition(curvature.rows == batch.count && curvature.columns == outputCount, "curvature of another batch")
    let weights =
      isBinary
      ? curvature
      : Matrix(rows: curvature.rows, columns: curvature.columns, elements: curvature.elements.map { $0 * (1 - $0) })
    // X̃² ᵀ·W a tile of rows at a time, so the squared design never exists whole.
    let tile = 256
    let p = featureCount + 1
    var sum = Matrix(rows: p, columns: outputCount)
    for first in stride(from: 0, to: batch.count, by: tile) {
      let rows = min(tile, batch.count - first)
      let squared = Matrix(
        rows: rows, columns: p, elements: batch.design.elements[(first * p)..<((first + rows) * p)].map { $0 * $0 })
      let tileWeights = Matrix(
        rows: rows, columns: outputCount,
        elements: Array(weights.elements[(first * outputCount)..<((first + rows) * outputCount)]))
      BLAS.gemm(squared, tileWeights, transposeA: true, beta: 1, into: &sum)
    }
    var diagonal = sum.elements
    for index in 0..<(featureCount * outputCount) { diagonal[index] += regularization }
    if !isBinary {
      for c in 0..<classCount { diagonal[featureCount * classCount + c] += Self.gaugeWeight }
    }
    return diagonal
  }

  /// H·v with the curvature of `curvature(on:)` for the same batch and θ, in one pass over X̃
  /// (`unlearn_logistic_hessian_product`): each tile of rows gives A_t = X̃_tV, its curvature
  /// transform and X̃_tᵀ(·) while it is in cache, as the objective kernel does. Cross-checked against
  /// `referenceHessianVectorProduct` in `LogisticObjectiveTests`.
  public func hessianVectorProduct(on batch: LabelledBatch, _ v: [Double], curvature: Matrix) -> [Double] {
    precondition(v.count == parameterCount, "direction has \(v.count) entries, expected \(parameterCount)")
    precondition(curvature.rows == batch.count && curvature.columns == outputCount, "curvature of another batch")
    var result = [Double](repeating: 0, count: parameterCount)
    batch.design.withUnsafeBufferPointer { x in
      curvature.withUnsafeBufferPointer { c in
        v.withUnsafeBufferPointer { direction in
          result.withUnsafeMutableBufferPointer { product in
            unlearn_logistic_hessian_product(
              x.baseAddress, batch.count, featureCount + 1, c.baseAddress, outputCount, direction.baseAddress, nil,
              product.baseAddress, BLAS.threadCount)
          }
        }
      }
    }
    addRegularizationProduct(v, to: &result)
    return result
  }

  /// H·v by two gemms, X̃ᵀ·C(X̃V): the reference the one-pass product is tested against.
  func referenceHessianVectorProduct(on batch: LabelledBatch, _ v: [Double], curvature: Matrix) -> [Double] {
    let direction = Matrix(rows: featureCount + 1, columns: outputCount, elements: v)
    var projected = BLAS.product(batch.design, direction)  // A = X̃V, n × outputCount
    if isBinary {
      for i in 0..<batch.count { projected[i, 0] *= curvature[i, 0] }
    } else {
      for i in 0..<batch.count {
        var dot = 0.0
        for c in 0..<classCount { dot += curvature[i, c] * projected[i, c] }
        for c in 0..<classCount { projected[i, c] = curvature[i, c] * (projected[i, c] - dot) }
      }
    }
    var result = BLAS.product(batch.design, projected, transposeA: true).elements
    addRegularizationProduct(v, to: &result)
    return result
  }

  /// Adds λ·v on the weights and the gauge term μ·(Σ_k v_bk) on the softmax biases.
  private func addRegularizationProduct(_ v: [Double], to result: inout [Double]) {
    for index in 0..<(featureCount * outputCount) { result[index] += regularization * v[index] }
    if !isBinary {
      let sum = biasSum(v)
      for c in 0..<classCount { result[featureCount * classCount + c] += Self.gaugeWeight * sum }
    }
  }

  private func biasSum(_ vector: [Double]) -> Double {
    (0..<classCount).reduce(0) { $0 + vector[featureCount * classCount + $1] }
  }

  private func checkShape(_ batch: LabelledBatch) {
    precondition(batch.featureCount == featureCount, "model has \(featureCount) features, batch \(batch.featureCount)")
    precondition(batch.classCount == classCount, "model has \(classCount) classes, batch \(batch.classCount)")
  }

  /// diag(√|w|)·X̃.
  private static func scaledRows(_ design: Matrix, by weights: [Double]) -> Matrix {
    var scaled = design
    let p = design.columns
    scaled.withUnsafeMutableBufferPointer { x in
      for i in 0..<design.rows {
        let factor = abs(weights[i]).squareRoot()
        for j in 0..<p { x[i * p + j] *= factor }
      }
    }
    return scaled
  }
}
