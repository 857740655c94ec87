"""Contact search: the term index (``index.refresh``) and the query (``query.plan``).

Why not tsvector/pg_trgm GIN indexes: under forced row-level security PostgreSQL uses a
condition as an index condition only when its operator is LEAKPROOF, and ``@@``, ``%`` and
``LIKE`` are not, so the app role would scan every row of the tenant. Terms in a btree
(``text COLLATE "C"``), searched by prefix ranges and equality, stay index-backed.
"""
