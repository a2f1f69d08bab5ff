import UnlearnCore

/// Trust-region Newton with preconditioned conjugate gradients: the TRON method of LIBLINEAR (Lin,
/// Weng & Keerthi, "Trust Region Newton Method for Large-Scale Logistic Regression", JMLR 2008;
/// preconditioned as in Hsia, Chiang & Lin, ACML 2018).
///
/// Each iteration approximately minimizes the quadratic model q(s) = ∇fᵀs + ½sᵀHs inside the
/// trust region ‖s‖_M ≤ Δ by Steihaug's conjugate gradients (Nocedal & Wright, Algorithm 7.2) on
/// Hessian-vector products only, never forming H, preconditioned by the objective's M ≈ H, whose
/// norm measures the step (Conn, Gould & Toint, "Trust-Region Methods", §7.5.1: ‖s‖_M follows
/// from recurrences, without products with M). The step is accepted when f falls by more than
/// 10⁻⁴ of what q predicted, and Δ follows the ratio of actual to predicted reduction
/// (LIBLINEAR's update rule).
///
/// Conjugate gradients stop at ‖r‖ ≤ η‖∇f‖ with the forcing term η = min(0.1, √(‖∇f‖/‖∇f(0)‖))
/// (Eisenstat & Walker's choice of a superlinear rate, where LIBLINEAR's fixed 0.1 is linear), and
/// never tighter than half the target gradient norm: the gradient after a step is about the model's
/// residual, so a tighter solve buys nothing. Near the optimum the steps are Newton steps and the
/// convergence is superlinear, so a tolerance of 10⁻⁸ costs a few more iterations than 10⁻⁴.
public struct TrustRegionNewtonOptimizer: Sendable {
  public var criterion: ConvergenceCriterion
  /// Conjugate-gradient iterations per trust-region step, at most.
  public var maximumInnerIterations: Int

  public init(
    criterion: ConvergenceCriterion = ConvergenceCriterion(maximumIterations: 1_000),
    maximumInnerIterations: Int = 500
  ) {
    precondition(maximumInnerIterations > 0, "maximumInnerIterations must be positive")
    self.criterion = criterion
    self.maximumInnerIterations = maximumInnerIterations
  }

  /// Minimizes `objective` from `start`; rethrows the objective's failure to build its curvature.
  public func minimize<Objective: HessianProductObjective>(
    _ objective: Objective, from start: [Double], progress: (OptimizationProgress) -> Void = { _ in }
  ) throws -> (parameters: [Double], report: OptimizationReport) {
    precondition(
      start.count == objective.parameterCount, "start has \(start.count) entries, expected \(objective.parameterCount)")
    let reference = criterion.referenceGradientNorm(of: objective)
    let target = criterion.relativeTolerance * reference
    var theta = start
    var (value, gradient) = objective.valueAndGradient(at: theta)
    var evaluations = 2
    var products = 0
    var iteration = 0
    func report(_ converged: Bool, _ reason: String) -> OptimizationReport {
      OptimizationReport(
        method: .trustRegion, iterations: iteration, evaluations: evaluations, hessianVectorProducts: products,
        finalValue: value, finalGradientNorm: BLAS.nrm2(gradient), referenceGradientNorm: reference,
        isConverged: converged, stopReason: reason)
    }
    var curvature = try objective.curvature(at: theta)
    // ‖M⁻¹g‖_M = √(gᵀM⁻¹g).
    var radius = BLAS.dot(gradient, objective.preconditioned(gradient, curvature: curvature)).squareRoot()
    while true {
      let gradientNorm = BLAS.nrm2(gradient)
      if let stop = criterion.stop(
        at: iteration, value: value, gradientNorm: gradientNorm, reference: reference, progress: progress)
      {
        return (theta, report(stop.converged, stop.reason))
      }
      let forcing = min(0.1, (gradientNorm / max(reference, .leastNormalMagnitude)).squareRoot())
      let inner = Self.steihaug(
        gradient: gradient, radius: radius, tolerance: max(forcing * gradientNorm, 0.5 * target),
        maximumIterations: maximumInnerIterations,
        preconditioned: { objective.preconditioned($0, curvature: curvature) },
        product: { v in
          products += 1
          return objective.hessianVectorProduct(v, curvature: curvature)
        })
      iteration += 1
      var candidate = theta
      BLAS.axpy(1, inner.step, &candidate)
      let (candidateValue, candidateGradient) = objective.valueAndGradient(at: candidate)
      evaluations += 1
      let slope = BLAS.dot(gradient, inner.step)
      // q(s) = gᵀs + ½sᵀHs and Hs = −g − r, so the predicted reduction −q(s) is −½(gᵀs − sᵀr).
      let predicted = -0.5 * (slope - BLAS.dot(inner.step, inner.residual))
      let actual = value - candidateValue
      let stepNorm = inner.stepNorm
      if iteration == 1 { radius = min(radius, stepNorm) }
      radius = Self.updatedRadius(
        radius, stepNorm: stepNorm, actual: actual, predicted: predicted, slope: slope,
        curvatureTerm: candidateValue - value - slope, reachedBoundary: inner.reachedBoundary)
      if actual > 1e-4 * predicted {
        theta = candidate
        value = candidateValue
        gradient = candidateGradient
        curvature = try objective.curvature(at: theta)
      }
      if !value.isFinite {
        return (theta, report(false, "objective is not finite"))
      }
      if actual <= 0 && predicted <= 0 {
        return (theta, report(false, "no further reduction predicted: at the limit of floating point"))
      }
      if abs(actual) <= 1e-12 * abs(value) && abs(predicted) <= 1e-12 * abs(value) {
        let converged = criterion.isMet(gradientNorm: BLAS.nrm2(gradient), reference: reference)
        return (theta, report(converged, "reductions below floating-point resolution of the objective"))
      }
    }
  }

  /// LIBLINEAR's radius update: shrink when the model predicted poorly, grow when it predicted
  /// well and the step was cut by the region, with α from a quadratic interpolation of f along s.
  static func updatedRadius(
    _ radius: Double, stepNorm: Double, actual: Double, predicted: Double, slope: Double, curvatureTerm: Double,
    reachedBoundary: Bool
  ) -> Double {
    let (eta0, eta1, eta2) = (1e-4, 0.25, 0.75)
    let (sigma1, sigma2, sigma3) = (0.25, 0.5, 4.0)
    // f(θ + s) − f(θ) − gᵀs is the curvature along s; the minimizer of the quadratic through
    // f(θ), gᵀs and f(θ + s) lies at α·s.
    let alpha = curvatureTerm <= 0 ? sigma3 : max(sigma1, -0.5 * (slope / curvatureTerm))
    if actual < eta0 * predicted { return min(alpha * stepNorm, sigma2 * radius) }
    if actual < eta1 * predicted { return max(sigma1 * radius, min(alpha * stepNorm, sigma2 * radius)) }
    if actual < eta2 * predicted { return max(sigma1 * radius, min(alpha * stepNorm, sigma3 * radius)) }
    return reachedBoundary ? sigma3 * radius : max(radius, min(alpha * stepNorm, sigma3 * radius))
  }

  struct InnerSolution {
    var step: [Double]
    /// r = −∇f − H·s.
    var residual: [Double]
    /// ‖s‖_M.
    var stepNorm: Double
    var iterations: Int
    var reachedBoundary: Bool
  }

  /// Steihaug's truncated conjugate gradients for min q(s) subject to ‖s‖_M ≤ radius,
  /// preconditioned by M (`preconditioned` gives M⁻¹r). With z = M⁻¹r and d = z + βd, CG's
  /// orthogonality gives ‖s + αd‖²_M = sᵀMs + 2α·sᵀMd + α²·dᵀMd, then sᵀMd ← β(sᵀMd + α·dᵀMd) and
  /// dᵀMd ← rᵀz + β²·dᵀMd.
  static func steihaug(
    gradient: [Double], radius: Double, tolerance: Double, maximumIterations: Int,
    preconditioned: ([Double]) -> [Double], product: ([Double]) -> [Double]
  ) -> InnerSolution {
    var step = [Double](repeating: 0, count: gradient.count)
    var residual = gradient.map { -$0 }
    var direction = preconditioned(residual)
    var rz = BLAS.dot(residual, direction)
    var (ss, sd, dd) = (0.0, 0.0, rz)
    var iterations = 0
    while iterations < maximumIterations, BLAS.nrm2(residual) > tolerance {
      let hd = product(direction)
      iterations += 1
      let curvature = BLAS.dot(direction, hd)
      var alpha = curvature > 0 ? rz / curvature : .infinity
      if ss + 2 * alpha * sd + alpha * alpha * dd > radius * radius {
        // The positive root τ of dd·τ² + 2sd·τ + (ss − Δ²) = 0, in the form without cancellation.
        let c = ss - radius * radius
        let root = (sd * sd - dd * c).squareRoot()
        alpha = sd >= 0 ? -c / (sd + root) : (root - sd) / dd
        BLAS.axpy(alpha, direction, &step)
        BLAS.axpy(-alpha, hd, &residual)
        return InnerSolution(
          step: step, residual: residual, stepNorm: radius, iterations: iterations, reachedBoundary: true)
      }
      BLAS.axpy(alpha, direction, &step)
      BLAS.axpy(-alpha, hd, &residual)
      ss += 2 * alpha * sd + alpha * alpha * dd
      let z = preconditioned(residual)
      let next = BLAS.dot(residual, z)
      let beta = next / rz
      sd = beta * (sd + alpha * dd)
      dd = next + beta * beta * dd
      for i in direction.indices { direction[i] = z[i] + beta * direction[i] }
      rz = next
    }
    return InnerSolution(
      step: step, residual: residual, stepNorm: ss.squareRoot(), iterations: iterations, reachedBoundary: false)
  }
}
