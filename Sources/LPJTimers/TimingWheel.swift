/// Hierarchical timing wheels: timers at a fixed tick (50 ms in the origin design), kept in wheels of
/// growing precision so that scheduling, cancelling and expiring each cost O(1).
///
///     level 0:  20 slots × 1 tick   (50 ms)  ─┐  covers 1 s
///     level 1:  60 slots × 20 ticks (1 s)    ─┤  covers 1 min
///     level 2:  60 slots × 1200 ticks (1 min) ┘  covers 1 h
///     overflow: one list, looked at once per hour
///
/// Time is a tick count. A timer due at tick `d` sits in the lowest wheel whose higher digits `d` shares
/// with the current tick: due within the current second, in level 0 at `d % 20`; within the current minute,
/// in level 1 at `(d / 20) % 60`; and so on. When the current tick crosses a second (a minute, an hour),
/// the slot of the higher wheel for that second (minute, hour) is emptied into the lower wheels
/// (cascading). A timer therefore fires exactly at the tick it was due, never early, however far out it
/// was scheduled.
///
/// Timers live in one pool of nodes linked into their slot's list, so a `Timer` handle cancels in O(1);
/// a handle whose timer fired or was cancelled is stale and cancels nothing (the node's generation moved on).
public struct TimingWheel<Element> {
    /// A scheduled timer, for `cancel`.
    public struct Timer: Hashable, Sendable {
        @usableFromInline let node: Int32
        @usableFromInline let generation: UInt32

        @inlinable init(node: Int32, generation: UInt32) {
            self.node = node
            self.generation = generation
        }
    }

    /// Slots per wheel, lowest first: the origin design's `[20, 60, 60]` at 50 ms per tick.
    public let slotsPerLevel: [Int]
    /// Ticks one slot of each wheel covers: `[1, 20, 1200]` for the origin design.
    public let ticksPerSlot: [UInt64]
    /// The tick reached by `advance`; timers due at or before it have fired.
    public var currentTick: UInt64 { _currentTick }
    @usableFromInline var _currentTick: UInt64
    /// Timers scheduled and neither fired nor cancelled.
    public var count: Int { _count }
    @usableFromInline var _count = 0

    @usableFromInline
    struct Node {
        @usableFromInline var element: Element?
        @usableFromInline var due: UInt64 = 0
        @usableFromInline var slot: Int32 = -1
        @usableFromInline var previous: Int32 = -1
        @usableFromInline var next: Int32 = -1
        @usableFromInline var generation: UInt32 = 0

        @inlinable init() {}
    }

    @usableFromInline var nodes: [Node] = []
    @usableFromInline var freeNodes: [Int32] = []
    /// The first node of each slot's list: every wheel's slots in turn, then the overflow list.
    @usableFromInline var heads: [Int32]
    /// Where each wheel's slots start in `heads`.
    @usableFromInline let firstSlot: [Int]
    @inlinable var overflowSlot: Int { heads.count - 1 }

    /// Wheels with `slotsPerLevel` slots each, starting at `tick`.
    public init(slotsPerLevel: [Int] = [20, 60, 60], startingAt tick: UInt64 = 0) {
        precondition(!slotsPerLevel.isEmpty && slotsPerLevel.allSatisfy { $0 >= 2 }, "every wheel needs at least two slots")
        self.slotsPerLevel = slotsPerLevel
        var span: UInt64 = 1
        var ticksPerSlot: [UInt64] = []
        var firstSlot: [Int] = []
        var total = 0
        for slots in slotsPerLevel {
            ticksPerSlot.append(span)
            firstSlot.append(total)
            span *= UInt64(slots)
            total += slots
        }
        self.ticksPerSlot = ticksPerSlot
        self.firstSlot = firstSlot
        self.heads = Array(repeating: -1, count: total + 1)
        self._currentTick = tick
    }

    /// Ticks the wheels cover before a timer waits in the overflow list: 72,000 (one hour) by default.
    @inlinable
    public var span: UInt64 { ticksPerSlot.last! * UInt64(slotsPerLevel.last!) }

    @inlinable
    public var isEmpty: Bool { _count == 0 }

    // MARK: - Scheduling and cancelling

    /// Schedules `element` to fire at tick `due`; a tick already reached fires at the next `advance`.
    @discardableResult
    @inlinable
    public mutating func schedule(_ element: Element, at due: UInt64) -> Timer {
        let index: Int32
        if let free = freeNodes.popLast() {
            index = free
        } else {
            index = Int32(nodes.count)
            nodes.append(Node())
        }
        nodes[Int(index)].element = element
        nodes[Int(index)].due = max(due, _currentTick + 1)
        link(index)
        _count += 1
        return Timer(node: index, generation: nodes[Int(index)].generation)
    }

    /// Schedules `element` to fire `ticks` ticks from now (at least one).
    @discardableResult
    @inlinable
    public mutating func schedule(_ element: Element, afterTicks ticks: UInt64) -> Timer {
        schedule(element, at: _currentTick + max(ticks, 1))
    }

    /// Cancels `timer`, returning its element, or `nil` if it already fired or was cancelled.
    @discardableResult
    @inlinable
    public mutating func cancel(_ timer: Timer) -> Element? {
        let index = Int(timer.node)
        guard index < nodes.count, nodes[index].generation == timer.generation, nodes[index].element != nil else { return nil }
        unlink(timer.node)
        return release(timer.node)
    }

    /// Whether `timer` is still waiting to fire.
    @inlinable
    public func isScheduled(_ timer: Timer) -> Bool {
        let index = Int(timer.node)
        return index < nodes.count && nodes[index].generation == timer.generation && nodes[index].element != nil
    }

    // MARK: - Advancing

    /// Moves time on to `tick`, calling `fire` for every timer due on the way, in due order (timers due on
    /// the same tick in the order they were scheduled). `fire` must not touch the wheel; collect and act after.
    @inlinable
    public mutating func advance(to tick: UInt64, _ fire: (Element) -> Void) {
        while _currentTick < tick {
            if _count == 0 {
                _currentTick = tick
                return
            }
            _currentTick += 1
            cascade(at: _currentTick)
            let slot = firstSlot[0] + Int(_currentTick % UInt64(slotsPerLevel[0]))
            var index = heads[slot]
            heads[slot] = -1
            while index >= 0 {
                let next = nodes[Int(index)].next
                if let element = release(index) { fire(element) }
                index = next
            }
        }
    }

    /// Moves time on to `tick` and returns the elements that fired, in due order.
    @inlinable
    public mutating func advance(to tick: UInt64) -> [Element] {
        var fired: [Element] = []
        advance(to: tick) { fired.append($0) }
        return fired
    }

    /// The earliest tick at which `advance` may fire something: the due tick of the next timer in the
    /// lowest wheel if the current second has one, otherwise the next second (or minute, or hour)
    /// boundary, where timers cascade. `nil` when no timer is scheduled.
    @inlinable
    public var nextInterestingTick: UInt64? {
        guard _count > 0 else { return nil }
        let slots0 = UInt64(slotsPerLevel[0])
        var tick = _currentTick + 1
        while tick % slots0 != 0 {
            if heads[firstSlot[0] + Int(tick % slots0)] >= 0 { return tick }
            tick += 1
        }
        return tick
    }

    // MARK: - Lists

    /// Empties each wheel's slot for the boundary `tick` crossed into the wheels below, highest first.
    @inlinable
    mutating func cascade(at tick: UInt64) {
        if tick % span == 0 { relink(slot: overflowSlot) }
        for level in stride(from: slotsPerLevel.count - 1, through: 1, by: -1) where tick % ticksPerSlot[level] == 0 {
            let slot = firstSlot[level] + Int((tick / ticksPerSlot[level]) % UInt64(slotsPerLevel[level]))
            relink(slot: slot)
        }
    }

    @inlinable
    mutating func relink(slot: Int) {
        var index = heads[slot]
        heads[slot] = -1
        while index >= 0 {
            let next = nodes[Int(index)].next
            link(index)
            index = next
        }
    }

    /// The slot for a timer due at `due`: the lowest wheel whose higher digits it shares with now.
    @inlinable
    func slot(for due: UInt64) -> Int {
        for level in slotsPerLevel.indices {
            let wheelSpan = ticksPerSlot[level] * UInt64(slotsPerLevel[level])
            if due / wheelSpan == _currentTick / wheelSpan {
                return firstSlot[level] + Int((due / ticksPerSlot[level]) % UInt64(slotsPerLevel[level]))
            }
        }
        return overflowSlot
    }

    /// Appends node `index` to the tail of its slot's list, keeping same-tick timers in scheduling order.
    @inlinable
    mutating func link(_ index: Int32) {
        let slot = slot(for: nodes[Int(index)].due)
        nodes[Int(index)].slot = Int32(slot)
        nodes[Int(index)].next = -1
        let head = heads[slot]
        if head < 0 {
            heads[slot] = index
            nodes[Int(index)].previous = index
        } else {
            // The head's `previous` is the tail, so appending is O(1).
            let tail = nodes[Int(head)].previous
            nodes[Int(tail)].next = index
            nodes[Int(index)].previous = tail
            nodes[Int(head)].previous = index
        }
    }

    @inlinable
    mutating func unlink(_ index: Int32) {
        let node = nodes[Int(index)]
        let slot = Int(node.slot)
        let head = heads[slot]
        if head == index {
            heads[slot] = node.next
            if node.next >= 0 { nodes[Int(node.next)].previous = node.previous }
        } else {
            nodes[Int(node.previous)].next = node.next
            if node.next >= 0 {
                nodes[Int(node.next)].previous = node.previous
            } else {
                nodes[Int(head)].previous = node.previous
            }
        }
    }

    /// Frees node `index` (already out of its list) and returns its element.
    @inlinable
    mutating func release(_ index: Int32) -> Element? {
        let element = nodes[Int(index)].element
        nodes[Int(index)].element = nil
        nodes[Int(index)].generation &+= 1
        nodes[Int(index)].slot = -1
        freeNodes.append(index)
        _count -= 1
        return element
    }
}

extension TimingWheel: Sendable where Element: Sendable {}
extension TimingWheel.Node: Sendable where Element: Sendable {}
