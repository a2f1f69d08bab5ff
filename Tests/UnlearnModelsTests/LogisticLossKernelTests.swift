import CUnlearnKernels
import Foundation
import Numerics
import Testing
import UnlearnCore
import _UnlearnTestSupport

@testable import UnlearnModels

/// The vectorized loss kernels (`unlearn_logistic_rows`, `unlearn_softmax_rows`, both compiled
/// variants) against the same formulas with libm's exp, log and log1p, one element at a time.
struct LogisticLossKernelTests {
  /// Within 2 ulp of libm over the whole range the kernels use, and at its ends.
  @Test func exponentialMatchesLibm() {
    var generator = SeededGenerator(seed: 7)
    var x = (0..<20_000).map { _ in -708 + 1417 * generator.nextUnitInterval() }
    x += (0..<20_000).map { _ in -2 + 4 * generator.nextUnitInterval() }
    x += [-708, -1, -0.5 * log(2.0), 0, 1e-300, 0.5 * log(2.0), 1, 709]
    var y = x
    unlearn_exp(&y, y.count)
    for (input, value) in zip(x, y) {
      #expect(
        value.isApproximatelyEqual(to: exp(input), absoluteTolerance: 2 * exp(input).ulp),
        "e^\(input): \(value) against \(exp(input))")
    }
  }

  /// Margins from far negative to far positive, labels of both classes, some rows excluded.
  @Test(arguments: [false, true])
  func logisticRowsMatchLibm(baseline: Bool) {
    var generator = SeededGenerator(seed: 11)
    let n = 600  // more than one tile of rows
    var z = (0..<n).map { _ in 60 * generator.nextUnitInterval() - 30 }
    z[0...5] = [-800, -40, -1e-9, 0, 1e-9, 800]
    let labels = (0..<n).map { _ in Int(generator.next() % 2) }
    let excluded = (0..<n).map { $0 % 7 == 3 }
    var expected = 0.0
    var residuals = [Double](repeating: 0, count: n)
    for i in 0..<n where !excluded[i] {
      let y: Double = labels[i] == 1 ? 1 : -1
      let m = y * z[i]
      let e = exp(-abs(m))
      expected += m >= 0 ? log1p(e) : log1p(e) - m
      residuals[i] = -y * (m >= 0 ? e / (1 + e) : 1 / (1 + e))
    }
    var computed = z
    let loss = computed.withUnsafeMutableBufferPointer { buffer in
      baseline
        ? unlearn_logistic_rows_baseline(buffer.baseAddress, n, labels, excluded)
        : unlearn_logistic_rows(buffer.baseAddress, n, labels, excluded)
    }
    #expect(loss.isApproximatelyEqual(to: expected, relativeTolerance: 1e-14))
    for i in 0..<n {
      // e^(−800) is 0 in libm and the clamped 2⁻¹⁰²¹ here: both far below any residual's rounding.
      #expect(
        computed[i].isApproximatelyEqual(to: residuals[i], absoluteTolerance: 4 * max(abs(residuals[i]).ulp, 1e-300)),
        "row \(i)")
    }
  }

  /// K from 1 to 12, rows with huge spreads, with and without labels, some rows excluded.
  @Test(arguments: [(3, false), (10, false), (10, true), (1, false), (12, true)])
  func softmaxRowsMatchLibm(_ shape: (Int, Bool)) {
    let (k, baseline) = shape
    var generator = SeededGenerator(seed: UInt64(k))
    let n = 300
    var z = Matrix(
      rows: n, columns: k, elements: (0..<(n * k)).map { _ in 40 * generator.nextUnitInterval() - 20 })
    for c in 0..<k { z[1, c] = c % 2 == 0 ? 700 : -700 }
    let labels = (0..<n).map { _ in Int(generator.next() % UInt64(k)) }
    let excluded = (0..<n).map { $0 % 5 == 2 }
    for labelled in [true, false] {
      var expected = 0.0
      var probabilities = z
      for i in 0..<n {
        if excluded[i] {
          for c in 0..<k { probabilities[i, c] = 0 }
          continue
        }
        let maximum = (0..<k).map { z[i, $0] }.max()!
        let sum = (0..<k).reduce(0.0) { $0 + exp(z[i, $1] - maximum) }
        for c in 0..<k { probabilities[i, c] = exp(z[i, c] - maximum) / sum }
        if labelled {
          expected += maximum + log(sum) - z[i, labels[i]]
          probabilities[i, labels[i]] -= 1
        }
      }
      var computed = z
      let loss = computed.withUnsafeMutableBufferPointer { buffer in
        labels.withUnsafeBufferPointer { y in
          let y = labelled ? y.baseAddress : nil
          return baseline
            ? unlearn_softmax_rows_baseline(buffer.baseAddress, n, k, y, excluded)
            : unlearn_softmax_rows(buffer.baseAddress, n, k, y, excluded)
        }
      }
      #expect(
        loss.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-13, relativeTolerance: 1e-13),
        "K = \(k), labelled: \(labelled)")
      let worst = zip(computed.elements, probabilities.elements).map { abs($0 - $1) }.max()!
      #expect(worst <= 1e-15, "K = \(k), labelled: \(labelled)")
    }
  }

  /// The Swift entry points pass the arrays through: the same numbers as the kernel called directly.
  @Test func stableFunctionsCallTheKernels() {
    var generator = SeededGenerator(seed: 3)
    let logits = Matrix(rows: 5, columns: 4, elements: (0..<20).map { _ in 10 * generator.nextUnitInterval() - 5 })
    let labels = [0, 3, 1, 2, 3]
    var viaSwift = logits
    let loss = StableFunctions.softmaxRows(&viaSwift, labels: labels, excluding: [false, true, false, false, false])
    var direct = logits
    let directLoss = direct.withUnsafeMutableBufferPointer {
      unlearn_softmax_rows($0.baseAddress, 5, 4, labels, [false, true, false, false, false])
    }
    #expect(loss == directLoss && viaSwift == direct)
    var column = Matrix(rows: 5, columns: 1, elements: [-3, -1, 0, 2, 4])
    let binaryLoss = StableFunctions.logisticRows(&column, labels: [1, 0, 1, 1, 0])
    let expected: Double = log1p(exp(3)) + log1p(exp(-1)) + log(2) + log1p(exp(-2)) + log1p(exp(4))
    #expect(binaryLoss.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-13))
  }
}
