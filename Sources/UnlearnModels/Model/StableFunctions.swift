import RealModule

/// Overflow-free forms of the functions the logistic losses need.
enum StableFunctions {
  /// σ(z) = 1 / (1 + e^(−z)), evaluated on the side where the exponential cannot overflow.
  @inlinable
  static func sigmoid(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + Double.exp(-z)) }
    let e = Double.exp(z)
    return e / (1 + e)
  }

  /// log(1 + e^z) without overflow for large z or loss of precision for very negative z.
  @inlinable
  static func logOnePlusExp(_ z: Double) -> Double {
    z > 0 ? z + Double.log(onePlus: Double.exp(-z)) : Double.log(onePlus: Double.exp(z))
  }
}
