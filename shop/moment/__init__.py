"""The store at a moment, in one home (docs/architecture.md, section 9).

- `values`: `Window`, `Timeline`, `Effects` (with `Effects.apply`, the one place prices in force
  are given to variants), `StoreState`. Pure, like shop.domain.
- `resolve`: `resolve()`, the one resolver, for every read and for checkout under its locks.
- `links`: the signed preview links.
- `middleware`: `SetStore` sets `request.store` once per request, lazily.

This module imports none of them, so the models may import `shop.moment.values` alone.
"""
