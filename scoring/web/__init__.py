"""The office's own page (`score serve`, docs/design.md §11): a thin Starlette adapter over the
`scoring` library — server-rendered Chinese pages, working without JavaScript, served on
127.0.0.1 only."""
