import Foundation
import Numerics
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

@testable import Unlearning

/// Newton removal against the exact answer: the minimizer of the same objective on D \ F (same
/// feature scaling, same C), fitted to a tight tolerance.
struct NewtonRemovalTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let file: String
    let removed: Int
    var testDescription: String { "\(file), \(removed) removed" }
  }

  /// Binary (breast_cancer) and softmax (digits): one sample and 1% of the samples.
  static let cases = [
    Case(file: "breast_cancer.csv", removed: 1), Case(file: "breast_cancer.csv", removed: 6),
    Case(file: "digits.csv", removed: 1), Case(file: "digits.csv", removed: 18),
  ]

  static func relativeDistance(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / BLAS.nrm2(b)
  }

  /// θ_r: the exact optimum on the remaining samples with the state's feature scaling.
  static func exactOptimum(_ state: NewtonState, removing ids: Set<SampleID>) throws -> [Double] {
    let data = state.trainingSet.data
    let kept = data.subset(rows: data.ids.indices.filter { !ids.contains(data.ids[$0]) })
    let batch = LabelledBatch(
      features: state.model.standardizer.transform(kept.features), labels: kept.labels, classCount: kept.classCount)
    let (model, report) = try LogisticRegressionTrainer(method: .newton, relativeTolerance: 1e-10).fit(
      LogisticRegression(
        featureCount: kept.featureCount, classCount: kept.classCount,
        inverseRegularization: state.configuration.inverseRegularization), on: batch)
    #expect(report.isConverged)
    return model.parameters
  }

  static func fitted(
    _ file: String, refactorRank: Int? = nil, usesBatchPath: Bool = true, foldsDowndates: Bool = true
  ) throws -> NewtonState {
    let data = try CSVLoader().load(path: TestData.bundled(file))
    var strategy = NewtonRemoval(
      configuration: ModelConfiguration(kind: .logistic, seed: 1), refactorRank: refactorRank)
    strategy.usesBatchPath = usesBatchPath
    strategy.foldsDowndates = foldsDowndates
    return try strategy.fit(data, sourceSHA256: []) { _ in }
  }

  @Test(arguments: cases)
  func newtonStepLandsNearTheRetrainedOptimum(_ setting: Case) throws {
    let state = try Self.fitted(setting.file)
    let ids = RetrainTests.randomIDs(setting.removed, of: state.trainingSet.data, seed: 8)
    let (unlearned, report) = try state.forgetting(try ForgetRequest(ids: ids))
    let retrained = try Self.exactOptimum(state, removing: Set(ids))
    let before = Self.relativeDistance(state.head.parameters, retrained)
    let after = Self.relativeDistance(unlearned.head.parameters, retrained)
    #expect(after * 10 <= before, "θ* is \(before) from θ_r, θ⁻ is \(after)")
    let gradientBefore = try #require(report.newton).gradientNormBefore
    let residual = try #require(report.newton).gradientResidual
    #expect(residual * 100 <= gradientBefore, "‖∇L'(θ*)‖ \(gradientBefore), residual \(residual)")
    #expect(!report.exact && report.samplesRetrained == 0 && report.forgotten == setting.removed)
    #expect(report.newton?.refactored == false)
  }

  /// The Woodbury path, folding the downdate into a new factor, and refactoring from the data
  /// solve the same system.
  @Test(arguments: ["breast_cancer.csv", "digits.csv"])
  func woodburyPathEqualsFoldingAndRefactoring(_ file: String) throws {
    let woodbury = try Self.fitted(file, usesBatchPath: false)
    let folding = try Self.fitted(file, refactorRank: 0, usesBatchPath: false)
    let refactoring = try Self.fitted(file, refactorRank: 0, usesBatchPath: false, foldsDowndates: false)
    let ids = RetrainTests.randomIDs(12, of: woodbury.trainingSet.data, seed: 9)
    let (a, reportA) = try woodbury.forgetting(try ForgetRequest(ids: ids))
    let (b, reportB) = try refactoring.forgetting(try ForgetRequest(ids: ids))
    let (c, reportC) = try folding.forgetting(try ForgetRequest(ids: ids))
    #expect(reportA.newton?.refactored == false && reportA.newton?.folded == false)
    #expect(reportB.newton?.refactored == true && reportB.newton?.folded == false)
    #expect(reportC.newton?.refactored == false && reportC.newton?.folded == true, "\(reportC.notes)")
    #expect(c.factorization.rank == 0 && a.factorization.rank > 0)
    #expect(Self.relativeDistance(a.head.parameters, b.head.parameters) < 1e-9)
    #expect(Self.relativeDistance(a.head.parameters, c.head.parameters) < 1e-9)
  }

  /// k requests in a row end where one request for their union does, up to the method's
  /// second-order error: much closer to each other than either is to the starting point.
  @Test(arguments: ["breast_cancer.csv", "digits.csv"])
  func repeatedRequestsAgreeWithOneRequestForTheUnion(_ file: String) throws {
    let state = try Self.fitted(file)
    let ids = RetrainTests.randomIDs(15, of: state.trainingSet.data, seed: 10)
    var sequential = state
    for chunk in stride(from: 0, to: 15, by: 5) {
      sequential = try sequential.forgetting(try ForgetRequest(ids: Array(ids[chunk..<(chunk + 5)]))).state
    }
    let union = try state.forgetting(try ForgetRequest(ids: ids)).state
    let retrained = try Self.exactOptimum(state, removing: Set(ids))
    let moved = Self.relativeDistance(state.head.parameters, retrained)
    let apart = Self.relativeDistance(sequential.head.parameters, union.head.parameters)
    #expect(apart * 10 <= moved, "sequential vs union \(apart), θ* vs θ_r \(moved)")
    #expect(Self.relativeDistance(sequential.head.parameters, retrained) * 10 <= moved)
    // The same curvature left the factor, applied (Woodbury) or set aside (batch path).
    #expect(
      sequential.factorization.rank + sequential.unappliedRank == union.factorization.rank + union.unappliedRank)
  }

  /// One-sample requests leave their rows pending until they pass 1/16 of the stored rows (or a
  /// refactoring compacts them); the kept L(θ; D \ F) and ∇L stay those of the remaining samples
  /// throughout, across compactions.
  @Test func singleRequestsKeepTheObjectiveOfTheRemainingSamples() throws {
    // The rank limit is set past these 40 requests; a refactoring at the current parameters (after
    // a request the cached Hessian and conjugate gradients could not finish) still compacts and
    // restarts the rank.
    var state = try Self.fitted("breast_cancer.csv", refactorRank: 100)
    let ids = RetrainTests.randomIDs(40, of: state.trainingSet.data, seed: 12)
    var (stored, pending, rank, compactionsByCount) = (569, 0, 0, 0)
    for (k, id) in ids.enumerated() {
      let (next, report) = try state.forgetting(try ForgetRequest(ids: [id]))
      state = next
      (pending, rank) = (pending + 1, rank + 1)
      let pastFraction = Double(pending) > Double(stored) / 16
      if pastFraction || report.newton?.refactored == true {
        (stored, pending) = (569 - (k + 1), 0)
        if pastFraction { compactionsByCount += 1 }
      }
      if report.newton?.refactored == true { rank = 0 }
      #expect(state.trainingSet.pendingRemovalCount == pending && state.trainingSet.storage.count == stored)
      #expect(state.factorization.rank == rank)
      let data = state.trainingSet.data
      #expect(data.count == 569 - (k + 1) && state.trainingSet.count == data.count)
      let fresh = state.head.lossAndGradient(
        on: LabelledBatch(
          features: state.model.standardizer.transform(data.features), labels: data.labels,
          classCount: data.classCount))
      #expect(state.loss.isApproximatelyEqual(to: fresh.loss, relativeTolerance: 1e-10))
      // ∇L is near zero here: its error is measured against ‖∇L(0; D)‖.
      #expect(
        Self.relativeDistance(state.gradient, fresh.gradient) * BLAS.nrm2(fresh.gradient) < 1e-12 * state.gradientScale)
    }
    // NewtonState.compactionFraction = 1/16: up to 35 pending rows are within 569/16, and the
    // pending count compacted at least once.
    #expect(compactionsByCount >= 1)
  }

  /// A request the cached Hessian cannot finish (its steps stall far above the target: on
  /// breast_cancer at C = 1 the second of these removals leaves ‖∇L'‖ at 1.2 after one step and
  /// the next would raise it) takes Newton steps with the Hessian at the current parameters
  /// (conjugate gradients preconditioned by the cached factor) to the target, without refactoring,
  /// and says so; θ then matches retraining as closely as a finished request does.
  @Test func aStalledRequestTakesNewtonStepsAtTheCurrentParameters() throws {
    let fitted = try Self.fitted("breast_cancer.csv", refactorRank: 100)
    let ids = Array(RetrainTests.randomIDs(40, of: fitted.trainingSet.data, seed: 12).prefix(2))
    var state = fitted
    var reports: [ForgetReport] = []
    for id in ids {
      let (next, report) = try state.forgetting(try ForgetRequest(ids: [id]))
      (state, reports) = (next, reports + [report])
    }
    let stalled = try #require(reports.last)
    #expect(stalled.newton?.refactored == false)
    #expect((stalled.newton?.conjugateGradientSteps ?? 0) >= 1)
    #expect(stalled.newton?.batchPath == false, "conjugate gradients after a stall, not the batch path")
    let residual = try #require(stalled.newton).gradientResidual
    let before = try #require(stalled.newton).gradientNormBefore
    #expect(residual <= fitted.strategy.residualTarget * before, "\(stalled.notes)")
    #expect(state.factorization.rank == 2 && residual == BLAS.nrm2(state.gradient))
    #expect(state.conjugateGradientSeconds > 0)
    // Its Hessian-vector products are kept to correct the cached factor's later solves, until a
    // refactorization replaces the factor they correct.
    #expect(state.curvaturePairs.count > 0)
    var refactored = state
    try refactored.refactor(at: refactored.head)
    #expect(refactored.curvaturePairs.count == 0)
    let retrained = try Self.exactOptimum(fitted, removing: Set(ids))
    let moved = Self.relativeDistance(fitted.head.parameters, retrained)
    #expect(Self.relativeDistance(state.head.parameters, retrained) * 100 <= moved)
  }

  /// Once stalled requests have spent on conjugate gradients what the factorization cost (here:
  /// a factorization of unknown cost, as after a state is read), a stall refactors the Hessian at
  /// the current parameters instead, takes damped steps to the target and says so.
  @Test func aStallPastTheFactorizationsCostRefactors() throws {
    let fitted = try Self.fitted("breast_cancer.csv", refactorRank: 100)
    #expect(fitted.factorizationSeconds > 0 && fitted.conjugateGradientSeconds == 0)
    let ids = Array(RetrainTests.randomIDs(40, of: fitted.trainingSet.data, seed: 12).prefix(2))
    var state = try fitted.forgetting(try ForgetRequest(ids: [ids[0]])).state
    state.factorizationSeconds = 0
    let (next, stalled) = try state.forgetting(try ForgetRequest(ids: [ids[1]]))
    #expect(stalled.newton?.refactored == true && stalled.newton?.conjugateGradientSteps == nil)
    let residual = try #require(stalled.newton).gradientResidual
    let before = try #require(stalled.newton).gradientNormBefore
    #expect(residual <= fitted.strategy.residualTarget * before, "\(stalled.notes)")
    #expect(next.factorization.rank == 0 && next.factorizationSeconds > 0 && next.conjugateGradientSeconds == 0)
    let retrained = try Self.exactOptimum(fitted, removing: Set(ids))
    let moved = Self.relativeDistance(fitted.head.parameters, retrained)
    #expect(Self.relativeDistance(next.head.parameters, retrained) * 100 <= moved)
  }

  /// Single deletions past the rank limit fold the downdates into a new factor instead of
  /// refactoring from the data: the request that would pass the limit folds (rank back to 0, no
  /// refactorization), every request reaches its target, and the sequence ends as near the
  /// retrained optimum as one request for the union does.
  @Test func singleDeletionsPastTheRankLimitFold() throws {
    var state = try Self.fitted("digits.csv", refactorRank: 30, usesBatchPath: false)
    let fitted = state
    let ids = RetrainTests.randomIDs(12, of: state.trainingSet.data, seed: 14)
    var (rank, folds) = (0, 0)
    for id in ids {
      let (next, report) = try state.forgetting(try ForgetRequest(ids: [id]))
      let newton = try #require(report.newton)
      #expect(!newton.refactored && !newton.batchPath, "\(report.notes)")
      #expect(newton.folded == (rank + 10 > 30), "rank \(rank): \(report.notes)")
      if newton.folded { (rank, folds) = (0, folds + 1) } else { rank += 10 }
      #expect(next.factorization.rank == rank && next.unappliedRank == 0)
      #expect(newton.gradientResidual <= max(0.01 * newton.gradientNormBefore, BLAS.nrm2(state.gradient)))
      state = next
    }
    #expect(folds == 3)
    let retrained = try Self.exactOptimum(fitted, removing: Set(ids))
    let moved = Self.relativeDistance(fitted.head.parameters, retrained)
    #expect(Self.relativeDistance(state.head.parameters, retrained) * 10 <= moved)
  }

  /// Requests of 1 to 15 samples, as a worker merges them, with every third state read back the
  /// way the store keeps it (no factor: rebuilt, with H⁻¹, on reading): Woodbury downdates and folds
  /// mix, every request reaches its target, and the kept objective stays that of the remaining
  /// samples.
  @Test(arguments: [UInt64(0), 1])
  func mixedRequestsThroughTheStoresRoundTripReachTheirTargets(seed: UInt64) throws {
    func storeRoundTrip(_ state: NewtonState) throws -> NewtonState {
      let archive = try state.archive()
      var kept = StateArchive(strategy: archive.strategy)
      for name in archive.names where !archive.isCache(name) {
        kept.setBlob(name, try archive.requiredBlob(name, path: "state"))
      }
      return try NewtonState(archive: kept, path: "state")
    }
    var state = try storeRoundTrip(try Self.fitted("breast_cancer.csv"))
    var generator = SeededGenerator(seed: seed)
    let ids = RetrainTests.randomIDs(300, of: state.trainingSet.data, seed: 20 + seed)
    var (offset, requests, folds) = (0, 0, 0)
    while offset < ids.count {
      let size = Int(generator.next() % 15) + 1
      let chunk = Array(ids[offset..<min(ids.count, offset + size)])
      offset += size
      let carried = BLAS.nrm2(state.gradient)
      let (next, report) = try state.forgetting(try ForgetRequest(ids: chunk))
      let newton = try #require(report.newton)
      #expect(!newton.refactored, "\(report.notes)")
      #expect(
        newton.gradientResidual
          <= max(
            0.01 * newton.gradientNormBefore, carried,
            state.strategy.configuration.relativeTolerance * state.gradientScale), "\(report.notes)")
      if newton.folded { folds += 1 }
      requests += 1
      state = requests % 3 == 0 ? try storeRoundTrip(next) : next
    }
    #expect(folds > 0)
    let data = state.trainingSet.data
    #expect(data.count == 569 - ids.count)
    let fresh = state.head.lossAndGradient(
      on: LabelledBatch(
        features: state.model.standardizer.transform(data.features), labels: data.labels, classCount: data.classCount))
    #expect(state.loss.isApproximatelyEqual(to: fresh.loss, relativeTolerance: 1e-10))
  }

  /// Every request ends at its target: 1% of the removal's gradient, or the residual the state had
  /// before the request, or the training tolerance — whichever is largest. Refinement with the
  /// cached factor gets there, or the stall handling after it does; a request is never left above.
  @Test func refinementStopsAtTheRequestsTarget() throws {
    var state = try Self.fitted("digits.csv")
    let strategy = state.strategy
    for id in RetrainTests.randomIDs(12, of: state.trainingSet.data, seed: 13) {
      let carried = BLAS.nrm2(state.gradient)
      let (next, report) = try state.forgetting(try ForgetRequest(ids: [id]))
      let before = try #require(report.newton).gradientNormBefore
      let residual = try #require(report.newton).gradientResidual
      let steps = try #require(report.newton).newtonSteps
      let target = max(
        strategy.residualTarget * before, carried,
        strategy.configuration.relativeTolerance * state.gradientScale)
      #expect(residual <= target, "\(report.notes)")
      #expect(steps >= 1)
      // The typed report reads back from the figures it writes.
      #expect(try #require(report.newton).figures == report.figures)
      #expect(residual == BLAS.nrm2(next.gradient))
      state = next
    }
  }

  /// A persisted state holds the factor of H(D \ F) itself (no Woodbury terms), and forgetting
  /// from it gives what forgetting in memory gives.
  /// A request past the rank limit — 5% of digits, rank 900 against P/2 = 325 — takes the batch
  /// path: no refactorization, the residual target reached, the retrained model's predictions,
  /// and a written state whose factor has every removed sample's curvature folded out.
  @Test func aLargeBatchIteratesWithTheCachedFactor() throws {
    let state = try Self.fitted("digits.csv")
    let ids = RetrainTests.randomIDs(90, of: state.trainingSet.data, seed: 12)
    let (unlearned, report) = try state.forgetting(try ForgetRequest(ids: ids))
    #expect(report.newton?.batchPath == true && report.newton?.refactored == false, "\(report.notes)")
    #expect(try #require(report.newton).figures == report.figures)
    let gradientBefore = try #require(report.newton).gradientNormBefore
    let residual = try #require(report.newton).gradientResidual
    #expect(residual * 100 <= gradientBefore, "‖∇L'(θ*)‖ \(gradientBefore), residual \(residual)")

    var retrained = unlearned.head
    retrained.parameters = try Self.exactOptimum(state, removing: Set(ids))
    let features = state.model.standardizer.transform(state.trainingSet.data.features)
    let ours = unlearned.head.probabilities(for: features).indicesOfRowMaxima()
    let theirs = retrained.probabilities(for: features).indicesOfRowMaxima()
    let agreement = Double(zip(ours, theirs).filter { $0 == $1 }.count) / Double(ours.count)
    #expect(agreement >= 0.995, "agreement with retraining \(agreement)")

    // The written factor is the cached one with the request's downdate folded in.
    var reference = DowndatedCholesky(base: state.factorization.base)
    try reference.downdate(
      by: state.head.hessianKroneckerFactor(
        on: state.batch.subset(
          try state.trainingSet.resolve(try ForgetRequest(ids: ids)).rows)
      ).dense)
    let expected = try reference.folded().upper
    let written = try unlearned.persistableFactor().upper
    #expect(Self.relativeDistance(written.elements, expected.elements) < 1e-9)
  }

  @Test func persistedStateContinuesLikeTheInMemoryOne() throws {
    let state = try Self.fitted("digits.csv", usesBatchPath: false)
    let ids = RetrainTests.randomIDs(20, of: state.trainingSet.data, seed: 11)
    let once = try state.forgetting(try ForgetRequest(ids: Array(ids[..<10]))).state
    var read = try #require(
      try StrategyCatalog.state(
        from: try StateFile.decode(try StateFile.encode(try once.archive()), path: "s"), path: "s")
        as? NewtonState)
    read.strategy.usesBatchPath = false
    #expect(read.factorization.rank == 0 && once.factorization.rank > 0)
    #expect(read.head == once.head && read.trainingSet == once.trainingSet && read.gradient == once.gradient)
    let fromMemory = try once.forgetting(try ForgetRequest(ids: Array(ids[10...]))).state
    let fromFile = try read.forgetting(try ForgetRequest(ids: Array(ids[10...]))).state
    #expect(Self.relativeDistance(fromFile.head.parameters, fromMemory.head.parameters) < 1e-9)
  }
}

/// Newton removal on an MLP: the step moves the output layer only; fine-tuning moves everything.
struct MLPNewtonRemovalTests {
  static let configuration = ModelConfiguration(kind: .mlp, hiddenLayers: [24], epochs: 8, batchSize: 64, seed: 4)

  @Test func stepChangesTheOutputLayerOnly() throws {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<500))
    let state = try NewtonRemoval(configuration: Self.configuration).fit(data, sourceSHA256: []) { _ in }
    let ids = RetrainTests.randomIDs(5, of: data, seed: 12)
    let (next, report) = try state.forgetting(try ForgetRequest(ids: ids))
    guard case .mlp(let before) = state.model.classifier, case .mlp(let after) = next.model.classifier else {
      Issue.record("the deployed model is not an MLP")
      return
    }
    let lastLayer = before.parameterOffset(ofLayer: before.layerCount - 1)
    #expect(Array(after.parameters[..<lastLayer]) == Array(before.parameters[..<lastLayer]))
    #expect(Array(after.parameters[lastLayer...]) != Array(before.parameters[lastLayer...]))
    #expect(Array(after.parameters[lastLayer...]) == next.head.parameters)
    #expect(report.parametersRetrained == next.head.parameterCount && report.samplesRetrained == 0)
    let residual = try #require(report.newton).gradientResidual
    #expect(
      residual < report.newton!.gradientNormBefore,
      "the steps must lower ‖∇L'‖ of the output layer: \(report.notes)")

    let tuned = try NewtonRemoval(configuration: Self.configuration, finetuneEpochs: 1).forget(
      try ForgetRequest(ids: ids), from: state
    ) { _ in }
    guard case .mlp(let tunedNetwork) = tuned.state.model.classifier else {
      Issue.record("the fine-tuned model is not an MLP")
      return
    }
    #expect(Array(tunedNetwork.parameters[..<lastLayer]) != Array(before.parameters[..<lastLayer]))
    #expect(tuned.report.parametersRetrained == before.parameterCount && tuned.report.samplesRetrained == 495)
  }

  @Test func persistedMLPStateReadsBack() throws {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<300))
    let state = try NewtonRemoval(configuration: Self.configuration).fit(data, sourceSHA256: []) { _ in }
    let once = try state.forgetting(try ForgetRequest(ids: ["3"])).state
    let read = try #require(
      try StrategyCatalog.state(
        from: try StateFile.decode(try StateFile.encode(try once.archive()), path: "s"), path: "s")
        as? NewtonState)
    #expect(read.model.classifier == once.model.classifier && read.head == once.head)
  }
}
