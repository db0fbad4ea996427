import LPJWire

/// Which way a fixture's bytes travel.
public enum FixtureDirection: String, Sendable, Hashable, CaseIterable {
    /// Requests, as a server reads them.
    case clientToServer = "client-to-server"
    /// Responses, as a client reads them.
    case serverToClient = "server-to-client"
}

/// What the spec lets a receiver do with a fixture (the `y_`/`n_`/`i_` of JSONTestSuite).
public enum FixtureClass: String, Sendable, Hashable, CaseIterable {
    /// Every conforming receiver decodes every frame.
    case mustAccept = "must-accept"
    /// Every conforming receiver refuses it, at the frame or the message the manifest names.
    case mustReject = "must-reject"
    /// The spec leaves the verdict to the implementation; the manifest records the reference's.
    case implementationDefined = "implementation-defined"
}

/// The byte order of a fixture's length prefixes.
public enum FixtureByteOrder: String, Sendable, Hashable, CaseIterable {
    case little
    case big
    /// Every prefix reads the same either way (e.g. `00 00 00 00`).
    case either

    /// The order a receiver decodes the fixture with.
    public var decodingOrder: ByteOrder { self == .big ? .big : .little }
}

/// What a connection does after a conforming server has read a client-to-server fixture.
public enum ConnectionOutcome: String, Sendable, Hashable {
    /// It keeps reading: a following request would be answered.
    case open
    /// It closes (after the responses listed).
    case closed
}

/// One response a conforming server sends for a client-to-server fixture.
public enum ExpectedResponse: Sendable, Hashable {
    /// This response, compared with `msg.value-equality`.
    case response(Response)
    /// An error response with this code, required at `level` (`frame.oversize-error-reply` is a SHOULD).
    case error(WireError.Code, level: Level = .must)

    /// How strongly the spec asks for an expected response; the manifest writes the raw value.
    public enum Level: String, Sendable, Hashable {
        case must = "MUST"
        case should = "SHOULD"
    }

    /// `{"out":"pong","result":params}`.
    public static func pong(_ params: JSONValue) -> ExpectedResponse {
        .response(Response(out: "pong", result: params))
    }
}

/// One fixture as the catalog states it: the bytes, and what a conforming receiver must do with them.
///
/// The generator decodes `wire` with the reference codec and refuses to write the fixture when the codec
/// disagrees with `classification` or `rejection`: the catalog and the codec check each other.
public struct FixtureDefinition: Sendable {
    /// Stable ID: `direction-noun.topic.variant`, e.g. `request.ping.legacy-python`.
    public var id: String
    /// One sentence on what the bytes are and why they matter.
    public var summary: String
    public var direction: FixtureDirection
    public var byteOrder: FixtureByteOrder
    public var classification: FixtureClass
    /// The spec rules the fixture exercises.
    public var rules: [RuleID]
    /// The exact octets on the wire.
    public var wire: [UInt8]
    /// The receiver's body limit the fixture assumes.
    public var receiverLimit: Int
    /// The receiver's byte-order mode the fixture assumes: by default the order the prefixes were written in.
    public var receiverByteOrder: ByteOrderMode
    /// The code of the first thing a receiver refuses, for fixtures that are refused anywhere.
    public var rejection: WireError.Code?
    /// Client-to-server fixtures: what a conforming server answers, in order.
    public var responses: [ExpectedResponse]
    /// Client-to-server fixtures: whether the server keeps the connection.
    public var connection: ConnectionOutcome

    public init(
        _ id: String, _ summary: String, direction: FixtureDirection, byteOrder: FixtureByteOrder = .little,
        _ classification: FixtureClass, rules: [RuleID], wire: [UInt8],
        receiverLimit: Int = FrameConfiguration.defaultMaxBodyLength, receiverByteOrder: ByteOrderMode? = nil,
        rejection: WireError.Code? = nil,
        responses: [ExpectedResponse] = [], connection: ConnectionOutcome = .open
    ) {
        self.id = id
        self.summary = summary
        self.direction = direction
        self.byteOrder = byteOrder
        self.classification = classification
        self.rules = rules
        self.wire = wire
        self.receiverLimit = receiverLimit
        self.receiverByteOrder = receiverByteOrder ?? (byteOrder == .big ? .big : .little)
        self.rejection = rejection
        self.responses = responses
        self.connection = connection
    }
}
