"""The SMS conversation with one phone: dialog state, the inbox of texts, abuse rules.

`inbox` holds the texts waiting; `phone_lock` lets one request read a phone at a time;
`reading` begins and finishes one text's reading; `services` keeps the dialog and the
flood rules; `holds` lets staff lift a hold.
"""
