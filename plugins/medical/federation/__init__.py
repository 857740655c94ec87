"""Federation between Rapport deployments (SMART Backend Services style): peers, this
deployment's signing key and JWKS, client-assertion checks, access tokens, the client
that fetches a shared record from a peer, and their HTTP doors."""
