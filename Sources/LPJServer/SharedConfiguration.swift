/// A server's configuration held once, by reference: every connection of a server reads the same copy.
///
///     ServerChannelHandler ──┐
///     ServerConnection ──────┼──▶ SharedConfiguration ──▶ ServerConfiguration (130 octets)
///     MethodTable ───────────┘        one per server
///
/// The connection's handler, its engine and the engine's method table each kept a copy of their own
/// before, about 400 octets per connection that every connection had alike.
final class SharedConfiguration: Sendable {
    let configuration: ServerConfiguration

    init(_ configuration: ServerConfiguration) {
        self.configuration = configuration
    }
}
