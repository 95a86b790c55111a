"""The page's views, one module per page group; each is a thin function over the library."""
