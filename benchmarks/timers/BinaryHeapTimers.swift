/// The usual alternative to timing wheels, for comparison: a binary min-heap of deadlines with an index
/// per timer, so a cancel finds its entry in O(1) and removes it in O(log n).
struct BinaryHeapTimers {
    private var heap: [(due: UInt64, sequence: UInt64, id: Int)] = []
    /// Where each timer id sits in `heap`, or -1.
    private var position: [Int] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    init(capacity: Int) {
        heap.reserveCapacity(capacity)
        position = Array(repeating: -1, count: capacity)
    }

    mutating func schedule(id: Int, at due: UInt64) {
        heap.append((due, nextSequence, id))
        nextSequence += 1
        position[id] = heap.count - 1
        siftUp(heap.count - 1)
    }

    @discardableResult
    mutating func cancel(id: Int) -> Bool {
        let index = position[id]
        guard index >= 0 else { return false }
        remove(at: index)
        return true
    }

    /// Pops every timer due at or before `tick`, in due order.
    mutating func advance(to tick: UInt64, _ fire: (Int) -> Void) {
        while let first = heap.first, first.due <= tick {
            remove(at: 0)
            fire(first.id)
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].due, heap[a].sequence) < (heap[b].due, heap[b].sequence)
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a].id] = a
        position[heap[b].id] = b
    }

    private mutating func remove(at index: Int) {
        position[heap[index].id] = -1
        let last = heap.count - 1
        if index != last {
            heap[index] = heap[last]
            position[heap[index].id] = index
        }
        heap.removeLast()
        guard index < heap.count else { return }
        siftDown(index)
        siftUp(index)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let smaller = right < heap.count && less(right, left) ? right : left
            guard less(smaller, parent) else { return }
            swapAt(smaller, parent)
            parent = smaller
        }
    }
}
