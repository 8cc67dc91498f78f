"""Orders: one per resident and deal, placed by text, keypad or staff.

`services` places, changes and cancels them (each at most once per provider id, `once`);
`rules` says what may be ordered (deadlines, limits); `preview` says what an order would
do before it is placed; `self_registration` says who may join by text.
"""
