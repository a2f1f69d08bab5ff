/// Walks a text buffer line by line, yielding each line's 1-based number and its bytes without the
/// line end (LF or CRLF). A final line without a line end is yielded too.
struct LineCursor {
  private let buffer: UnsafeBufferPointer<UInt8>
  private var position = 0
  private var lineNumber = 0

  init(_ buffer: UnsafeBufferPointer<UInt8>) {
    self.buffer = buffer
  }

  mutating func next() -> (number: Int, line: UnsafeBufferPointer<UInt8>)? {
    guard position < buffer.count else { return nil }
    let start = position
    var end = start
    while end < buffer.count && buffer[end] != 0x0A { end += 1 }
    position = end + 1
    lineNumber += 1
    if end > start && buffer[end - 1] == 0x0D { end -= 1 }
    return (lineNumber, UnsafeBufferPointer(rebasing: buffer[start..<end]))
  }
}
