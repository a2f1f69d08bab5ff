import UnlearnCore

/// Clusters of bounded size in an embedding space, their number following from the data (LMEraser's
/// adaptive partition of the private data, Xu et al., arXiv 2404.11056, §3.2).
///
/// 1. k₀ = round(n / ((min + max)/2)) clusters by k-means (Lloyd, at most 50 rounds) from a seeded
///    k-means++ start (Arthur & Vassilvitskii, SODA 2007).
/// 2. Repair until every size is in [min, max]: a cluster over `max` is cut along its principal
///    direction (power iteration) into ⌈size/max⌉ runs of equal size, each then ≥ max/2 ≥ min; a
///    cluster under `min` is dissolved, each member joining its nearest other centroid. Centroids
///    are means of members. Splits only make clusters in [max/2, max] and dissolving only grows
///    others, so the loop ends (bounded at 100 rounds all the same).
///
/// Requires min ≤ max/2. With n < min there is one cluster of all points.
struct AdaptiveClustering: Sendable {
  let minimumSize: Int
  let maximumSize: Int
  let seed: UInt64

  init(minimumSize: Int, maximumSize: Int, seed: UInt64) {
    precondition(minimumSize >= 1 && 2 * minimumSize <= maximumSize, "cluster bounds need 1 ≤ min ≤ max/2")
    self.minimumSize = minimumSize
    self.maximumSize = maximumSize
    self.seed = seed
  }

  /// Row lists of `points`, each ascending, ordered by their first row.
  func clusters(of points: Matrix) -> [[Int]] {
    let n = points.rows
    guard n > maximumSize else { return [Array(0..<n)] }
    var generator = SeededGenerator(seed: seed)
    let target = Double(minimumSize + maximumSize) / 2
    let k = max(1, Int((Double(n) / target).rounded()))
    var members = lloyd(points, centroids: plusPlusStart(points, k: k, using: &generator))
    for _ in 0..<100 {
      var changed = false
      var next: [[Int]] = []
      for cluster in members where cluster.count > maximumSize {
        next += split(cluster, of: points, using: &generator)
        changed = true
      }
      next += members.filter { $0.count <= maximumSize }
      let small = next.filter { $0.count < minimumSize }
      if !small.isEmpty && next.count > 1 {
        changed = true
        var kept = next.filter { $0.count >= minimumSize }
        if kept.isEmpty {  // all small: keep the largest, dissolve the rest into it
          let largest = next.max { $0.count < $1.count }!
          kept = [largest]
        }
        let dissolved = next.filter { cluster in !kept.contains(cluster) }.flatMap { $0 }
        let centroids = kept.map { Self.centroid(of: $0, in: points) }
        for row in dissolved {
          kept[Self.nearest(points, row: row, centroids: centroids)].append(row)
        }
        next = kept
      }
      members = next
      if !changed { break }
    }
    return members.map { $0.sorted() }.sorted { $0[0] < $1[0] }
  }

  // MARK: k-means

  private func plusPlusStart(_ points: Matrix, k: Int, using generator: inout some RandomNumberGenerator)
    -> [[Double]]
  {
    let n = points.rows
    var centroids = [points.row(Int(generator.next() % UInt64(n)))]
    var distances = (0..<n).map { Self.squaredDistance(points, row: $0, to: centroids[0]) }
    while centroids.count < k {
      let total = distances.reduce(0, +)
      var chosen = n - 1
      if total > 0 {
        var threshold = generator.nextUnitInterval() * total
        for row in 0..<n {
          threshold -= distances[row]
          if threshold < 0 {
            chosen = row
            break
          }
        }
      }
      centroids.append(points.row(chosen))
      for row in 0..<n {
        distances[row] = min(distances[row], Self.squaredDistance(points, row: row, to: centroids.last!))
      }
    }
    return centroids
  }

  private func lloyd(_ points: Matrix, centroids start: [[Double]]) -> [[Int]] {
    var centroids = start
    var assignment = [Int](repeating: -1, count: points.rows)
    for _ in 0..<50 {
      let next = Self.nearestCentroids(points, centroids: centroids)
      if next == assignment { break }
      assignment = next
      var members = [[Int]](repeating: [], count: centroids.count)
      for (row, cluster) in assignment.enumerated() { members[cluster].append(row) }
      for (cluster, rows) in members.enumerated() where !rows.isEmpty {
        centroids[cluster] = Self.centroid(of: rows, in: points)
      }
    }
    var members = [[Int]](repeating: [], count: centroids.count)
    for (row, cluster) in assignment.enumerated() { members[cluster].append(row) }
    return members.filter { !$0.isEmpty }
  }

  /// Cuts `cluster` into ⌈size/max⌉ runs of (nearly) equal size along its principal direction.
  private func split(_ cluster: [Int], of points: Matrix, using generator: inout some RandomNumberGenerator)
    -> [[Int]]
  {
    let mean = Self.centroid(of: cluster, in: points)
    let d = points.columns
    var direction = (0..<d).map { _ in generator.nextUnitInterval() - 0.5 }
    for _ in 0..<30 {
      // v ← Σ_i (x_i − μ)(x_i − μ)ᵀ v, normalized
      var next = [Double](repeating: 0, count: d)
      for row in cluster {
        var projection = 0.0
        for j in 0..<d { projection += (points[row, j] - mean[j]) * direction[j] }
        for j in 0..<d { next[j] += projection * (points[row, j] - mean[j]) }
      }
      let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm > 0 else { break }
      direction = next.map { $0 / norm }
    }
    var keyed: [(projection: Double, row: Int)] = []
    for row in cluster {
      var projection = 0.0
      for j in 0..<d { projection += (points[row, j] - mean[j]) * direction[j] }
      keyed.append((projection, row))
    }
    keyed.sort { ($0.projection, $0.row) < ($1.projection, $1.row) }
    let ordered = keyed.map(\.row)
    let parts = (cluster.count + maximumSize - 1) / maximumSize
    var pieces: [[Int]] = []
    for part in 0..<parts {
      let lower = part * ordered.count / parts
      let upper = (part + 1) * ordered.count / parts
      pieces.append(Array(ordered[lower..<upper]))
    }
    return pieces
  }

  // MARK: Geometry

  static func centroid(of rows: [Int], in points: Matrix) -> [Double] {
    var sum = [Double](repeating: 0, count: points.columns)
    for row in rows {
      for j in 0..<points.columns { sum[j] += points[row, j] }
    }
    return sum.map { $0 / Double(max(rows.count, 1)) }
  }

  static func squaredDistance(_ points: Matrix, row: Int, to centroid: [Double]) -> Double {
    var total = 0.0
    for j in 0..<centroid.count {
      let difference = points[row, j] - centroid[j]
      total += difference * difference
    }
    return total
  }

  /// The nearest centroid of every row, from ‖x − c‖² = ‖x‖² − 2xᵀc + ‖c‖² with one gemm (‖x‖² is
  /// the same for every c and drops out; ties to the lowest index).
  static func nearestCentroids(_ points: Matrix, centroids: [[Double]]) -> [Int] {
    let k = centroids.count
    let c = Matrix(rows: k, columns: points.columns, elements: centroids.flatMap { $0 })
    let products = BLAS.product(points, c, transposeB: true)
    let norms = centroids.map { $0.reduce(0) { $0 + $1 * $1 } }
    return (0..<points.rows).map { row in
      var best = 0
      var bestDistance = Double.infinity
      for index in 0..<k {
        let distance = norms[index] - 2 * products[row, index]
        if distance < bestDistance {
          best = index
          bestDistance = distance
        }
      }
      return best
    }
  }

  /// The index of the centroid nearest to `row` (ties to the lowest index).
  static func nearest(_ points: Matrix, row: Int, centroids: [[Double]]) -> Int {
    var best = 0
    var bestDistance = Double.infinity
    for (index, centroid) in centroids.enumerated() {
      let distance = squaredDistance(points, row: row, to: centroid)
      if distance < bestDistance {
        best = index
        bestDistance = distance
      }
    }
    return best
  }
}
