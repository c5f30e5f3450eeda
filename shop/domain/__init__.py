"""Pure domain rules: money, pricing, availability and its wording, who counts as a customer.

Nothing here queries the database, touches the cache or sees a request: these are functions and
values over rows the caller has already read. Both `shop.queries` (what pages show) and
`shop.services` (what writes do) import them, so reads and writes never import each other.
"""
