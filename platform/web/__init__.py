"""The Litestar glue shared by every area: request dependencies, auth, problem documents."""
